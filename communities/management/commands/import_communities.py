from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from communities.importing import apply_import, preview_import
from communities.sheets import SheetError, read_file


class Command(BaseCommand):
    help = _("从 Excel 导入社区名录（按社区代码新增或更新；有任何错误则全部不导入）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help=_("只检查并显示变化，不保存"))

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            data = read_file(file)
        except SheetError as exc:
            raise CommandError(str(exc)) from exc
        if dry_run:
            report = preview_import(data, scope=None, filename=file.name)
        else:
            report = apply_import(data, scope=None, filename=file.name)
        for issue in report.issues:
            self.stderr.write(str(issue))
        if not report.ok:
            raise CommandError(_("发现 %(n)d 处问题，未导入任何数据。") % {"n": len(report.issues)})
        for change in report.changes:
            where = {"row": change.row, "code": change.code, "name": change.name}
            if change.kind == "update":
                self.stdout.write(
                    _("第%(row)d行 %(code)s %(name)s 更新：") % where + change.describe()
                )
            elif change.kind == "new":
                self.stdout.write(_("第%(row)d行 %(code)s %(name)s 新增") % where)
        prefix = _("检查通过（未保存）。") if dry_run else _("导入完成。")
        self.stdout.write(prefix + report.summary())
