"""A standard's content, independent of where it comes from (the shipped JSON, an uploaded
workbook, the database), so all three are validated and compared the same way."""

import json
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.indicators import HardIndicator
from communities.sheets import Issue
from communities.units import plain_decimal
from standards.models import Item, MemberUnit, Standard

CATEGORY_COUNT = 6
DEFAULT_STANDARD_FILE = Path(__file__).parent / "data" / "weihai_2020.json"


@dataclass(frozen=True)
class StandardMeta:
    name: str
    year: int
    version: int
    total_points: Decimal
    satisfaction_pass_rate: Decimal | None
    description: str = ""


@dataclass(frozen=True)
class CategoryContent:
    code: str
    name: str
    points: Decimal
    description: str = ""


@dataclass(frozen=True)
class ItemContent:
    code: str
    category: str
    title: str
    requirement: str
    scoring_rule: str
    max_points: Decimal
    check_method: str
    evidence: str = ""
    units: tuple[str, ...] = ()
    hard_indicator: str = ""
    source: str = ""


@dataclass(frozen=True)
class StandardContent:
    meta: StandardMeta
    categories: tuple[CategoryContent, ...] = field(default_factory=tuple)
    items: tuple[ItemContent, ...] = field(default_factory=tuple)

    def same_text_and_points(self, other: "StandardContent") -> bool:
        """Equal apart from the version number: importing it again changes nothing."""
        return replace(self.meta, version=0) == replace(other.meta, version=0) and (
            self.categories,
            self.items,
        ) == (other.categories, other.items)


def validate(content: StandardContent) -> list[Issue]:
    """The structural rules a standard must keep (item-level problems name the item code)."""
    issues: list[Issue] = []

    def problem(message: str) -> None:
        issues.append(Issue(None, None, message))

    if len(content.categories) != CATEGORY_COUNT:
        problem(
            _("大项应为%(n)d个，当前为%(actual)d个。")
            % {"n": CATEGORY_COUNT, "actual": len(content.categories)}
        )
    codes = [c.code for c in content.categories]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problem(_("大项编号“%(code)s”重复。") % {"code": code})
    item_codes = [i.code for i in content.items]
    for code in sorted({c for c in item_codes if item_codes.count(c) > 1}):
        problem(_("小项编号“%(code)s”重复。") % {"code": code})

    known_units = set(MemberUnit.objects.values_list("name", flat=True))
    for item in content.items:
        prefix = _("小项 %(code)s：") % {"code": item.code}
        if item.category not in codes:
            problem(prefix + _("所属大项“%(category)s”不存在。") % {"category": item.category})
        if item.max_points <= 0 or item.max_points * 2 % 1:
            problem(prefix + _("分值应为正数，最小单位0.5分。"))
        if item.check_method not in Item.CheckMethod.values:
            problem(prefix + _("核查方式无效。"))
        if item.hard_indicator and item.hard_indicator not in HardIndicator.values:
            problem(prefix + _("关联硬指标无效。"))
        if not item.units:
            problem(prefix + _("至少指定一个责任成员单位。"))
        for unit in item.units:
            if unit not in known_units:
                problem(prefix + _("成员单位“%(unit)s”不在成员单位名单中。") % {"unit": unit})
        for text, label in (
            (item.title, _("名称")),
            (item.requirement, _("创建要求")),
            (item.scoring_rule, _("评分细则")),
        ):
            if not text:
                problem(prefix + _("%(field)s不能为空。") % {"field": label})

    for category in content.categories:
        total = sum(
            (i.max_points for i in content.items if i.category == category.code), Decimal(0)
        )
        if total != category.points:
            problem(
                _("大项 %(code)s %(name)s：小项分值合计%(sum)s分，与大项分值%(points)s分不一致。")
                % {
                    "code": category.code,
                    "name": category.name,
                    "sum": _points(total),
                    "points": _points(category.points),
                }
            )
    category_total = sum((c.points for c in content.categories), Decimal(0))
    if category_total != content.meta.total_points:
        problem(
            _("各大项分值合计%(sum)s分，与总分%(total)s分不一致。")
            % {"sum": _points(category_total), "total": _points(content.meta.total_points)}
        )
    rate = content.meta.satisfaction_pass_rate
    if rate is not None and not Decimal(0) <= rate <= Decimal(1):
        problem(_("满意率合格线应在0到100%之间。"))
    return issues


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}"


def ordered_units(units: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Units in the member-unit list's order, so the same set always compares equal."""
    order = dict(MemberUnit.objects.values_list("name", "display_order"))
    return tuple(sorted(dict.fromkeys(units), key=lambda name: (order.get(name, 10_000), name)))


def content_of(standard: Standard) -> StandardContent:
    categories = list(standard.categories.all())
    code_of = {c.pk: c.code for c in categories}
    items = standard.items.prefetch_related("units").order_by("display_order", "code")
    return StandardContent(
        meta=StandardMeta(
            name=standard.name,
            year=standard.year,
            version=standard.version,
            total_points=plain_decimal(standard.total_points),
            satisfaction_pass_rate=plain_decimal(standard.satisfaction_pass_rate),
            description=standard.description,
        ),
        categories=tuple(
            CategoryContent(c.code, c.name, plain_decimal(c.points), c.description)
            for c in categories
        ),
        items=tuple(
            ItemContent(
                code=i.code,
                category=code_of[i.category_id],
                title=i.title,
                requirement=i.requirement,
                scoring_rule=i.scoring_rule,
                max_points=plain_decimal(i.max_points),
                check_method=i.check_method,
                evidence=i.evidence,
                units=ordered_units([u.name for u in i.units.all()]),
                hard_indicator=i.hard_indicator,
                source=i.source,
            )
            for i in items
        ),
    )


def content_from_json(path: Path = DEFAULT_STANDARD_FILE) -> StandardContent:
    data = json.loads(path.read_text(encoding="utf-8"))
    meta = data["standard"]
    try:
        return StandardContent(
            meta=StandardMeta(
                name=meta["name"],
                year=int(meta["year"]),
                version=int(meta["version"]),
                total_points=plain_decimal(meta["total_points"]),
                satisfaction_pass_rate=plain_decimal(meta.get("satisfaction_pass_rate")),
                description=meta.get("description", ""),
            ),
            categories=tuple(
                CategoryContent(
                    c["code"], c["name"], plain_decimal(c["points"]), c.get("description", "")
                )
                for c in data["categories"]
            ),
            items=tuple(
                ItemContent(
                    code=i["code"],
                    category=i["category"],
                    title=i["title"],
                    requirement=i["requirement"],
                    scoring_rule=i["scoring_rule"],
                    max_points=plain_decimal(i["max_points"]),
                    check_method=i["check_method"],
                    evidence=i.get("evidence", ""),
                    units=ordered_units(i.get("units", [])),
                    hard_indicator=i.get("hard_indicator", ""),
                    source=i.get("source", ""),
                )
                for i in data["items"]
            ),
        )
    except (KeyError, InvalidOperation, ValueError) as exc:
        raise ValueError(f"{path}: {exc!r}") from exc


ITEM_FIELD_LABELS = {
    "category": gettext_lazy("所属大项"),
    "title": gettext_lazy("名称"),
    "requirement": gettext_lazy("创建要求"),
    "scoring_rule": gettext_lazy("评分细则"),
    "max_points": gettext_lazy("分值"),
    "check_method": gettext_lazy("核查方式"),
    "evidence": gettext_lazy("佐证材料"),
    "units": gettext_lazy("责任成员单位"),
    "hard_indicator": gettext_lazy("关联硬指标"),
    "source": gettext_lazy("依据出处"),
}


def describe_changes(old: StandardContent, new: StandardContent) -> list[str]:
    """Readable differences between two versions, item by item."""
    changes = []
    old_items = {i.code: i for i in old.items}
    new_items = {i.code: i for i in new.items}
    for code in sorted(old_items.keys() - new_items.keys()):
        changes.append(
            _("删除小项 %(code)s %(title)s") % {"code": code, "title": old_items[code].title}
        )
    for code in sorted(new_items.keys() - old_items.keys()):
        changes.append(
            _("新增小项 %(code)s %(title)s") % {"code": code, "title": new_items[code].title}
        )
    for code in sorted(old_items.keys() & new_items.keys()):
        differing = [
            label
            for name, label in ITEM_FIELD_LABELS.items()
            if getattr(old_items[code], name) != getattr(new_items[code], name)
        ]
        if differing:
            changes.append(
                _("修改小项 %(code)s：%(fields)s")
                % {"code": code, "fields": "、".join(map(str, differing))}
            )
    if old.categories != new.categories:
        changes.append(_("大项设置有变化"))
    if replace(old.meta, version=0) != replace(new.meta, version=0):
        changes.append(_("标准名称、总分、满意率合格线或说明有变化"))
    return changes
