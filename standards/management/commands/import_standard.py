from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from communities.sheets import SheetError, read_file
from standards.actions import PLAN_MESSAGES, do_import_standard, plan_import
from standards.content import validate
from standards.workbook import read_standard


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
        content, issues = read_standard(data)
        if content is not None:
            issues = validate(content)
        for issue in issues:
            self.stderr.write(str(issue))
        if content is None or issues:
            raise CommandError(_("发现 %(n)d 处问题，未导入。") % {"n": len(issues)})
        if dry_run:
            self.stdout.write(_("检查通过（未保存）。") + str(PLAN_MESSAGES[plan_import(content)]))
            return
        self.stdout.write(do_import_standard(content, filename=file.name).message)
