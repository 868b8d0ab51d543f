"""What ``manage.py export_shortlist`` and its siblings share: the same writers as the browser's
jobs, run synchronously into the file named by ``--out`` (through a ``.part`` file renamed
when complete), with progress printed. No ExportJob is created: the file is the operator's,
not kept in the private store; an audit row records who exported what, and where to."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.kernel import audit_log
from campaign.pipeline.models import Campaign
from scoring.exports.models import ExportKind
from scoring.exports.registry import write_workbook

PRINT_EVERY_PERCENT = 10


class PrintedProgress:
    def __init__(self, command: BaseCommand) -> None:
        self.command = command
        self.printed = -PRINT_EVERY_PERCENT

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        if percent >= self.printed + PRINT_EVERY_PERCENT:
            self.printed = percent - percent % PRINT_EVERY_PERCENT
            self.command.stdout.write(
                _("已完成%(percent)d%%（%(done)d/%(total)d）")
                % {"percent": percent, "done": done, "total": total}
            )


class ExportCommand(BaseCommand):
    kind: ExportKind

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, metavar="YEAR", required=True)
        parser.add_argument("--out", type=Path, metavar="FILE.xlsx", required=True)

    def handle(self, *args: Any, campaign: int, out: Path | str, **options: Any) -> None:
        out = Path(out)
        chosen = Campaign.objects.select_related("standard").filter(year=campaign).first()
        if chosen is None:
            raise CommandError(_("没有%(year)d年度的创建活动。") % {"year": campaign})
        if out.suffix.lower() != ".xlsx":
            raise CommandError(_("输出文件名应以 .xlsx 结尾。"))
        if not out.parent.is_dir():
            raise CommandError(_("目录 %(dir)s 不存在。") % {"dir": out.parent})
        params: dict[str, Any] = {}
        if self.kind == ExportKind.AUDIT_LOG:
            params["until"] = timezone.now().isoformat()
        progress = PrintedProgress(self)
        try:
            write_workbook(self.kind, chosen, out, progress, params)
        except OSError as exc:
            raise CommandError(
                _("无法写入 %(file)s：%(error)s") % {"file": out, "error": exc.strerror or exc}
            ) from exc
        size = out.stat().st_size
        with transaction.atomic():
            audit_log.record(
                "export.command",
                target=chosen,
                comment=str(out.resolve()),
                details={"kind": self.kind.value, "size": size},
            )
        self.stdout.write(
            _("已导出%(kind)s：%(file)s（%(size)d字节）")
            % {"kind": self.kind.label, "file": out, "size": size}
        )
