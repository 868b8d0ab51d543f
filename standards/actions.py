"""Changes to standards. A frozen standard (one a campaign uses) is never modified: importing
changed content for it, or asking for a new version, creates the next version as a draft."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.kernel import audit_log
from campaign.kernel.users import Actor
from communities.sheets import Issue
from standards.content import StandardContent, content_of, describe_changes, validate
from standards.models import Category, Item, MemberUnit, Standard
from standards.workbook import read_standard


class StandardInvalid(Exception):
    def __init__(self, issues: list[Any]) -> None:
        super().__init__("; ".join(str(issue) for issue in issues))
        self.issues = issues


@dataclass(frozen=True)
class ImportOutcome:
    standard: Standard
    kind: str  # "created", "replaced", "new_version" or "unchanged"

    @property
    def message(self) -> str:
        name = str(self.standard)
        return {
            "created": _("已新建%(name)s。"),
            "replaced": _("已替换草稿%(name)s的内容。"),
            "new_version": _("原版本已被创建活动使用并冻结，已另存为%(name)s。"),
            "unchanged": _("%(name)s内容与文件一致，无需修改。"),
        }[self.kind] % {"name": name}


PLAN_MESSAGES = {
    "created": gettext_lazy("将新建该版本。"),
    "replaced": gettext_lazy("将替换该草稿版本的内容。"),
    "new_version": gettext_lazy("该版本已被创建活动使用并冻结，将另存为新版本。"),
    "unchanged": gettext_lazy("内容与系统中该版本一致，导入不会做任何修改。"),
}


@dataclass(frozen=True)
class StandardPreview:
    """What importing a workbook would do: its problems, or its plan and changes."""

    content: StandardContent | None
    issues: list[Issue]
    plan: str = ""
    changes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.content is not None and not self.issues

    @property
    def plan_message(self) -> str:
        return str(PLAN_MESSAGES[self.plan]) if self.plan else ""


def preview_standard(data: bytes) -> StandardPreview:
    """Read and check a workbook and say what importing it would do, without doing it."""
    content, issues = read_standard(data)
    if content is None:
        return StandardPreview(None, issues)
    existing = Standard.objects.filter(year=content.meta.year, version=content.meta.version).first()
    if existing is None:
        return StandardPreview(content, validate(content), "created")
    existing_content = content_of(existing)
    if content.same_text_and_points(existing_content):
        plan = "unchanged"
    else:
        plan = "new_version" if existing.is_frozen else "replaced"
    changes = tuple(describe_changes(existing_content, content))
    return StandardPreview(content, validate(content), plan, changes)


def do_import_standard(
    content: StandardContent,
    *,
    actor: Actor | None = None,
    filename: str = "",
    ip: str | None = None,
) -> ImportOutcome:
    issues = validate(content)
    if issues:
        raise StandardInvalid(issues)
    meta = content.meta
    with transaction.atomic(durable=True):
        existing = (
            Standard.objects.select_for_update()
            .filter(year=meta.year, version=meta.version)
            .first()
        )
        if existing is not None and content.same_text_and_points(content_of(existing)):
            return ImportOutcome(existing, "unchanged")
        if existing is None:
            standard, kind = Standard(year=meta.year, version=meta.version), "created"
        elif existing.is_frozen:
            standard, kind = (
                Standard(year=meta.year, version=_next_version(meta.year)),
                "new_version",
            )
        else:
            standard, kind = existing, "replaced"
            standard.categories.all().delete()
        _write(standard, content)
        audit_log.record(
            "standard.import",
            actor=actor,
            target=standard,
            to_state=standard.status,
            comment=ImportOutcome(standard, kind).message,
            details={"filename": filename, "kind": kind, "items": len(content.items)},
            ip=ip,
        )
    return ImportOutcome(standard, kind)


def do_copy_as_new_version(standard_id: int, *, actor: Actor, ip: str | None = None) -> Standard:
    with transaction.atomic(durable=True):
        source = Standard.objects.select_for_update().get(pk=standard_id)
        content = content_of(source)
        copy = Standard(year=source.year, version=_next_version(source.year))
        _write(copy, content)
        audit_log.record(
            "standard.new_version",
            actor=actor,
            target=copy,
            to_state=copy.status,
            comment=_("由%(source)s复制。") % {"source": source},
            ip=ip,
        )
    return copy


def do_freeze(
    standard_id: int, *, actor: Actor | None, reason: str, ip: str | None = None
) -> Standard:
    # Not durable: creating a campaign freezes its standard inside its own transaction.
    with transaction.atomic():
        standard = Standard.objects.select_for_update().get(pk=standard_id)
        if standard.is_frozen:
            return standard
        previous = standard.status
        standard.status = Standard.Status.FROZEN
        standard.frozen_at = timezone.now()
        standard.save(update_fields=["status", "frozen_at"])
        audit_log.record(
            "standard.freeze",
            actor=actor,
            target=standard,
            from_state=previous,
            to_state=standard.status,
            comment=reason,
            ip=ip,
        )
    return standard


def _next_version(year: int) -> int:
    latest = Standard.objects.filter(year=year).aggregate(latest=Max("version"))["latest"]
    return (latest or 0) + 1


def _write(standard: Standard, content: StandardContent) -> None:
    meta = content.meta
    standard.name = meta.name
    standard.total_points = meta.total_points
    standard.satisfaction_pass_rate = meta.satisfaction_pass_rate
    standard.description = meta.description
    standard.status = Standard.Status.DRAFT
    standard.frozen_at = None
    standard.save()
    categories = Category.objects.bulk_create(
        Category(
            standard=standard,
            code=c.code,
            name=c.name,
            points=c.points,
            description=c.description,
            display_order=order,
        )
        for order, c in enumerate(content.categories, start=1)
    )
    category_by_code = {c.code: c for c in categories}
    items = Item.objects.bulk_create(
        Item(
            standard=standard,
            category=category_by_code[i.category],
            code=i.code,
            title=i.title,
            requirement=i.requirement,
            scoring_rule=i.scoring_rule,
            max_points=i.max_points,
            check_method=i.check_method,
            evidence=i.evidence,
            hard_indicator=i.hard_indicator,
            source=i.source,
            display_order=order,
        )
        for order, i in enumerate(content.items, start=1)
    )
    unit_by_name = {u.name: u for u in MemberUnit.objects.all()}
    Item.units.through.objects.bulk_create(
        Item.units.through(item_id=item.pk, memberunit_id=unit_by_name[name].pk)
        for item, item_content in zip(items, content.items, strict=True)
        for name in item_content.units
    )
