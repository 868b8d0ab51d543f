from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from standards.content import content_of
from standards.models import Standard
from standards.workbook import write_standard


class Command(BaseCommand):
    help = _("把创建标准导出为 Excel（工作表：说明、大项、小项）。默认导出最新年度的最新版本。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int)
        parser.add_argument("--standard-version", dest="standard_version", type=int)

    def handle(
        self, *args: Any, file: Path, year: int | None, standard_version: int | None, **options: Any
    ) -> None:
        standards = Standard.objects.all()
        if year:
            standards = standards.filter(year=year)
        if standard_version:
            standards = standards.filter(version=standard_version)
        standard = standards.first()
        if standard is None:
            raise CommandError(_("没有符合条件的创建标准。"))
        write_standard(content_of(standard), str(file))
        self.stdout.write(
            _("已导出 %(standard)s 到 %(file)s。") % {"standard": standard, "file": file}
        )
