"""Writing the register to a spreadsheet that imports back unchanged (streamed, constant memory)."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from communities.resources import CommunityResource
from communities.sheets import BinaryWriter, Column, SheetWriter

_WIDTHS = {"code": 16, "name": 18, "district": 14, "street": 14, "contact_phone": 16}
_TEXT = {
    "code",
    "name",
    "district",
    "street",
    "kind",
    "construction",
    "contact_person",
    "contact_phone",
}


def write_register(
    communities: QuerySet[Community], target: "str | BinaryWriter", heading: str
) -> int:
    fields = [CommunityResource.fields[name] for name in CommunityResource._meta.fields]
    columns = [
        Column(f.column_name, width=_WIDTHS.get(name, 12), text=name in _TEXT)
        for name, f in zip(CommunityResource._meta.fields, fields, strict=True)
    ]
    total = communities.count()
    note = _("导出时间：%(time)s；共%(count)d个社区。修改后可直接导入，按社区代码更新。") % {
        "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "count": total,
    }
    rows = (
        [f.widget.to_cell(f.get_value(community)) for f in fields]
        for community in communities.select_related("district", "street")
        .order_by("code")
        .iterator(chunk_size=2000)
    )
    writer = SheetWriter()
    writer.add_table(_("社区名录"), heading, columns, rows, note=note)
    writer.save(target)
    return total
