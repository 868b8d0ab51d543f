from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from communities.sheets import SheetError, read_file
from standards.actions import do_import_standard, preview_standard


class Command(BaseCommand):
    help = _("从 Excel 导入创建标准（检查：6个大项、分值合计、编号不重复）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help=_("只检查，不保存"))

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            data = read_file(file)
        except SheetError as exc:
            raise CommandError(str(exc)) from exc
        preview = preview_standard(data)
        for issue in preview.issues:
            self.stderr.write(str(issue))
        if not preview.ok or preview.content is None:
            raise CommandError(_("发现 %(n)d 处问题，未导入。") % {"n": len(preview.issues)})
        if dry_run:
            self.stdout.write(_("检查通过（未保存）。") + preview.plan_message)
            return
        self.stdout.write(do_import_standard(preview.content, filename=file.name).message)
