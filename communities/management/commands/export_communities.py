from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from communities.exporting import write_register
from communities.models import Community


class Command(BaseCommand):
    help = _("把社区名录导出为 Excel（可修改后用 import_communities 导回）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--district", help=_("只导出一个区市（区划代码）"))

    def handle(self, *args: Any, file: Path, district: str | None, **options: Any) -> None:
        communities = Community.objects.all()
        if district:
            communities = communities.filter(district__code=district)
        count = write_register(communities, str(file), _("威海市社区名录"))
        self.stdout.write(
            _("已导出 %(count)d 个社区到 %(file)s。") % {"count": count, "file": file}
        )
