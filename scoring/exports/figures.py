"""The register figures an export shows beside a community's scores: those its submission froze
when it was submitted (and the office re-checked, if it did), never the register as edited
since, so a workbook agrees with the scores and the hard-indicator results the community was
judged on. Only a submission that froze nothing (submitted before figures were frozen) shows
the register as it is now.

Two grouped queries per workbook: the frozen rows, then the register for the rest."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from campaign.pipeline.models import RegisterFigures, Submission
from communities.indicators import HardIndicator, Status, with_hard_indicators
from communities.models import Community
from scoring.exports.workbook import Column

# The figures shown, in column order; each is a field of both RegisterFigures and Community.
SHOWN = ("households", "full_time_workers", "work_funds", "party_fund", "service_area")
# Results that deduct nothing, so the cell need not name them.
_MET = frozenset({Status.PASS.value, Status.NOT_APPLICABLE.value})


def columns() -> list[Column]:
    return [
        Column(_("户数"), 8),
        Column(_("专职工作者（人）"), 8),
        Column(_("社区工作经费（元）"), 10),
        Column(_("党组织服务群众专项经费（元）"), 11),
        Column(_("综合服务设施面积（㎡）"), 10),
        Column(_("硬指标"), 22),
    ]


def note() -> str:
    return _("户数、经费、面积和硬指标为申报时冻结的数据（提交后的修改经市办复核后才计入）")


class _Cells:
    """A row's cells; the indicator text worked out once per combination of results (a
    handful in a city), since translating labels row by row costs more than the query."""

    def __init__(self) -> None:
        self.texts: dict[tuple[str, ...], str] = {}

    def __call__(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        figures, results = row[: len(SHOWN)], tuple(row[len(SHOWN) :])
        text = self.texts.get(results)
        if text is None:
            text = self.texts[results] = _indicator_text(results)
        *counts, area = figures
        return (*counts, None if area is None else float(area), text)


def _indicator_text(results: tuple[str, ...]) -> str:
    """Each indicator not met, with its result ("专职工作者配备未达标"); else 达标."""
    unmet = [
        f"{indicator.label}{Status(result).label}"
        for indicator, result in zip(HardIndicator, results, strict=True)
        if result not in _MET
    ]
    return "、".join(unmet) if unmet else str(Status.PASS.label)


def register_cells(submissions: QuerySet[Submission]) -> dict[int, tuple[Any, ...]]:
    """Per submission of ``submissions``: the cells of ``columns()``, from its frozen figures
    or, where it froze none, from the register."""
    results = [f"{indicator.value}_result" for indicator in HardIndicator]
    cells_of = _Cells()
    cells = {
        row[0]: cells_of(row[1:])
        for row in RegisterFigures.objects.filter(submission__in=submissions.values("pk"))
        .order_by()
        .values_list("submission_id", *SHOWN, *results)
    }
    unfrozen = dict(
        submissions.filter(register_figures__isnull=True)
        .order_by()
        .values_list("community_id", "pk")
    )
    if unfrozen:
        live = [f"hi_{indicator.value}" for indicator in HardIndicator]
        for row in (
            with_hard_indicators(Community.objects.filter(pk__in=list(unfrozen)))
            .order_by()
            .values_list("pk", *SHOWN, *live)
        ):
            cells[unfrozen[row[0]]] = cells_of(row[1:])
    return cells
