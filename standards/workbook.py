"""A standard as an Excel workbook: sheets 说明, 大项 and 小项. Export, edit in Excel/WPS,
import — and an unedited round trip changes nothing."""

import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from communities.indicators import HardIndicator
from communities.sheets import (
    BinaryWriter,
    Column,
    Issue,
    SheetError,
    SheetWriter,
    Table,
    open_workbook,
    read_table,
)
from communities.units import plain_decimal
from communities.widgets import ChoiceWidget, NumberWidget, TextWidget
from standards.content import (
    CategoryContent,
    ItemContent,
    StandardContent,
    StandardMeta,
    ordered_units,
)
from standards.models import Item, standard_title

META_SHEET, CATEGORY_SHEET, ITEM_SHEET = "说明", "大项", "小项"
META_KEYS = {
    "name": "名称",
    "year": "年度",
    "version": "版本",
    "total_points": "总分",
    "satisfaction_pass_rate": "满意率合格线",
    "description": "说明",
}
CATEGORY_COLUMNS = ("编号", "名称", "分值", "说明")
ITEM_COLUMNS = (
    "编号",
    "所属大项",
    "名称",
    "创建要求",
    "评分细则",
    "分值",
    "核查方式",
    "佐证材料",
    "责任成员单位",
    "关联硬指标",
    "依据出处",
)
_UNIT_SEPARATORS = re.compile(r"[、,，;；\n]+")


def _percent(rate: Decimal | None) -> str | None:
    return None if rate is None else f"{(rate * 100).normalize():f}%"


def write_standard(content: StandardContent, target: "str | BinaryWriter") -> None:
    meta = content.meta
    heading = standard_title(meta.name, meta.year, meta.version)
    check_methods = dict(Item.CheckMethod.choices)
    indicators = dict(HardIndicator.choices)
    writer = SheetWriter()
    writer.add_table(
        META_SHEET,
        heading,
        [Column("项目", 16, text=True), Column("内容", 90, text=True)],
        [
            (META_KEYS["name"], meta.name),
            (META_KEYS["year"], meta.year),
            (META_KEYS["version"], meta.version),
            (META_KEYS["total_points"], meta.total_points),
            (META_KEYS["satisfaction_pass_rate"], _percent(meta.satisfaction_pass_rate)),
            (META_KEYS["description"], meta.description),
        ],
        note=_(
            "导入时按“年度+版本”匹配：草稿版本被替换；已冻结的版本不会被修改，而是另存为新版本。"
        ),
    )
    writer.add_table(
        CATEGORY_SHEET,
        heading,
        [
            Column("编号", 8, text=True),
            Column("名称", 14, text=True),
            Column("分值", 8),
            Column("说明", 80, text=True),
        ],
        [(c.code, c.name, c.points, c.description) for c in content.categories],
    )
    widths = (8, 10, 18, 50, 50, 8, 10, 24, 30, 16, 60)
    writer.add_table(
        ITEM_SHEET,
        heading,
        [
            Column(name, width, text=name != "分值")
            for name, width in zip(ITEM_COLUMNS, widths, strict=True)
        ],
        [
            (
                i.code,
                i.category,
                i.title,
                i.requirement,
                i.scoring_rule,
                i.max_points,
                str(check_methods[i.check_method]),
                i.evidence,
                "、".join(i.units),
                str(indicators[i.hard_indicator]) if i.hard_indicator else None,
                i.source,
            )
            for i in content.items
        ],
    )
    writer.save(target)


class _RowReader:
    """Converts the cells of one sheet, collecting problems with their row and column."""

    def __init__(self, table: Table, issues: list[Issue]) -> None:
        self.table = table
        self.issues = issues

    def cell(self, row: Any, column: str, widget: Any) -> Any:
        try:
            return widget.clean(row.values.get(column))
        except ValueError as exc:
            self.issues.append(Issue(row.number, column, str(exc), sheet=self.table.sheet_title))
            return None


def read_standard(data: bytes) -> tuple[StandardContent | None, list[Issue]]:
    """Read an uploaded workbook. Returns the content, or None and the problems found."""
    try:
        workbook = open_workbook(data)
        sheets = {
            name: workbook[name]
            for name in (META_SHEET, CATEGORY_SHEET, ITEM_SHEET)
            if name in workbook.sheetnames
        }
        missing = [name for name in (META_SHEET, CATEGORY_SHEET, ITEM_SHEET) if name not in sheets]
        if missing:
            raise SheetError(
                _("缺少工作表：%(names)s。请使用系统导出的标准模板。")
                % {"names": "、".join(missing)}
            )
        meta_table = read_table(sheets[META_SHEET], ("项目", "内容"), ("项目", "内容"))
        category_table = read_table(sheets[CATEGORY_SHEET], CATEGORY_COLUMNS, CATEGORY_COLUMNS[:3])
        item_table = read_table(sheets[ITEM_SHEET], ITEM_COLUMNS, ITEM_COLUMNS[:7])
    except SheetError as exc:
        return None, [Issue(None, None, str(exc))]

    issues: list[Issue] = []
    meta = _read_meta(meta_table, issues)
    text, required_text = TextWidget(2000), TextWidget(2000, required=True)
    points = NumberWidget(places=1, unit="分")
    reader = _RowReader(category_table, issues)
    categories = tuple(
        CategoryContent(
            code=reader.cell(row, "编号", TextWidget(10, required=True)),
            name=reader.cell(row, "名称", TextWidget(50, required=True)),
            points=plain_decimal(reader.cell(row, "分值", points)),
            description=reader.cell(row, "说明", text),
        )
        for row in category_table.rows
    )
    reader = _RowReader(item_table, issues)
    check_method = ChoiceWidget(Item.CheckMethod)
    indicator = ChoiceWidget(HardIndicator)
    items = tuple(
        ItemContent(
            code=reader.cell(row, "编号", TextWidget(10, required=True)),
            category=reader.cell(row, "所属大项", TextWidget(10, required=True)),
            title=reader.cell(row, "名称", TextWidget(100, required=True)),
            requirement=reader.cell(row, "创建要求", required_text),
            scoring_rule=reader.cell(row, "评分细则", required_text),
            max_points=plain_decimal(reader.cell(row, "分值", points)),
            check_method=reader.cell(row, "核查方式", check_method),
            evidence=reader.cell(row, "佐证材料", TextWidget(300)),
            units=ordered_units(_split_units(reader.cell(row, "责任成员单位", text))),
            hard_indicator=reader.cell(row, "关联硬指标", indicator)
            if row.values.get("关联硬指标")
            else "",
            source=reader.cell(row, "依据出处", text),
        )
        for row in item_table.rows
    )
    if issues or meta is None:
        return None, issues
    return StandardContent(meta, categories, items), []


def _split_units(text: str | None) -> list[str]:
    return [unit.strip() for unit in _UNIT_SEPARATORS.split(text or "") if unit.strip()]


def _read_meta(table: Table, issues: list[Issue]) -> StandardMeta | None:
    values = {
        str(row.values.get("项目") or ""): (row, row.values.get("内容")) for row in table.rows
    }
    found: dict[str, Any] = {}
    for key, label in META_KEYS.items():
        row, value = values.get(label, (None, None))
        if row is None:
            if key != "description" and key != "satisfaction_pass_rate":
                issues.append(
                    Issue(
                        None,
                        "项目",
                        _("缺少“%(label)s”一行。") % {"label": label},
                        sheet=META_SHEET,
                    )
                )
            continue
        try:
            found[key] = _meta_value(key, value)
        except ValueError as exc:
            issues.append(Issue(row.number, label, str(exc), sheet=META_SHEET))
    if any(key not in found for key in ("name", "year", "version", "total_points")):
        return None
    return StandardMeta(
        name=found["name"],
        year=found["year"],
        version=found["version"],
        total_points=found["total_points"],
        satisfaction_pass_rate=found.get("satisfaction_pass_rate"),
        description=found.get("description") or "",
    )


def _meta_value(key: str, value: Any) -> Any:
    if key in ("name", "description"):
        return TextWidget(2000, required=key == "name").clean(value)
    if key in ("year", "version"):
        number = NumberWidget().clean(value)
        if number is None:
            raise ValueError(_("不能为空。"))
        return number
    if key == "total_points":
        return plain_decimal(NumberWidget(places=1, unit="分").clean(value))
    if value is None:
        return None
    if isinstance(value, str) and value.strip().endswith("%"):
        percent = NumberWidget(places=1).parse(value.strip()[:-1])
        return None if percent is None else plain_decimal(percent / 100)
    return plain_decimal(NumberWidget(places=3).parse(value))
