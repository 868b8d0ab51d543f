"""The four workbooks the office exports, one module each, and what each needs.

Every writer takes the campaign, a binary file to write the .xlsx into, a progress callback
(rows done, rows in all) and the job's parameters; it reads the database in sets and streams
rows through openpyxl's write-only mode. The web (as a Celery job, ``scoring.exports.actions``)
and the command line (``manage.py export_shortlist`` and friends) run the same writers.
"""

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from campaign.kernel.roles import Capability
from campaign.pipeline.models import Campaign
from scoring.exports import audit_log, matrix, shortlist, survey
from scoring.exports.models import ExportKind
from scoring.exports.workbook import Params, Progress, no_progress

__all__ = [
    "EXPORTERS",
    "PARTIAL_SUFFIX",
    "Exporter",
    "Params",
    "Progress",
    "no_progress",
    "write_atomically",
    "write_workbook",
]

PARTIAL_SUFFIX = ".part"


@dataclass(frozen=True)
class Exporter:
    kind: ExportKind
    description: Promise
    write: Callable[[Campaign, BinaryIO, Progress, Params | None], None]
    file_name: Callable[[Campaign, datetime.datetime], str]
    # Every one of these is needed to request or download the workbook.
    capabilities: tuple[Capability, ...]


EXPORTERS: dict[str, Exporter] = {
    exporter.kind.value: exporter
    for exporter in (
        Exporter(
            ExportKind.SHORTLIST,
            gettext_lazy("汇总表、各区市入围名单：分类得分、满意率及置信区间、排名、未入围原因"),
            shortlist.write,
            shortlist.file_name,
            (Capability.EXPORT_SCORES,),
        ),
        Exporter(
            ExportKind.MATRIX,
            gettext_lazy("每个社区各小项的自评、审核、联审后得分及各阶段总分"),
            matrix.write,
            matrix.file_name,
            (Capability.EXPORT_SCORES,),
        ),
        Exporter(
            ExportKind.SURVEY,
            gettext_lazy("各区市、各社区问卷数、满意率及置信区间、得分、各题选项统计"),
            survey.write,
            survey.file_name,
            (Capability.EXPORT_SCORES,),
        ),
        Exporter(
            ExportKind.AUDIT_LOG,
            gettext_lazy("本年度活动期间全市的操作记录"),
            audit_log.write,
            audit_log.file_name,
            (Capability.EXPORT_SCORES, Capability.VIEW_AUDIT_LOG),
        ),
    )
}


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> int:
    """Write through a ``.part`` file beside ``path`` and rename it into place when complete
    (atomic on one file system), so ``path`` never holds half a workbook; the size written."""
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    try:
        with open(partial, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        size = partial.stat().st_size
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return size


def write_workbook(
    kind: str,
    campaign: Campaign,
    path: Path,
    progress: Progress = no_progress,
    params: Params | None = None,
) -> None:
    """The workbook of ``kind`` written to ``path``, which holds it only once it is complete."""
    exporter = EXPORTERS[kind]
    write_atomically(path, lambda handle: exporter.write(campaign, handle, progress, params))
