"""The member units' joint review (成员单位联审): opinions on the items in a unit's remit, the
one-vote veto, the office's reminders and its closing of the review."""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.joint.models import Reminder
from campaign.kernel import audit_log
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.actions import bounded_text, check, locked, log, move, plain_number
from campaign.pipeline.items import MAX_COMMENT
from campaign.pipeline.models import Campaign, ItemAudit, Status, Submission, UnitOpinion, UnitVeto
from campaign.pipeline.workflow import Action, ActionRefused
from standards.models import Item, MemberUnit

HALF = Decimal("0.5")


@dataclass(frozen=True)
class OpinionRow:
    """One item's opinion, parsed: agreement, reason, and the points added or taken off."""

    item_id: int
    agrees: bool
    reason: str = ""
    adjustment: Decimal = Decimal(0)


def max_adjustment(max_points: Decimal) -> Decimal:
    """The largest adjustment a unit may make to an item: the configured share of its points,
    rounded down to half points."""
    share = max_points * Decimal(settings.JOINT_REVIEW_MAX_ADJUSTMENT_PERCENT) / 100
    return (share / HALF).to_integral_value(rounding=ROUND_FLOOR) * HALF


def adjustment_problem(adjustment: Decimal, max_points: Decimal) -> str:
    """Why an adjustment of an item worth ``max_points`` is not allowed, or "". The page's form
    and the action both ask, so the rule is written once."""
    if not adjustment.is_finite():
        return _("分数调整应填写数字。")
    limit = max_adjustment(max_points)
    # The bound first: the remainder of a number beyond the context's precision raises.
    if abs(adjustment) > limit:
        return _("分数调整不能超过该小项分值的%(percent)d%%，即±%(limit)s分。") % {
            "percent": settings.JOINT_REVIEW_MAX_ADJUSTMENT_PERCENT,
            "limit": plain_number(limit),
        }
    if adjustment % HALF:
        return _("分数调整以0.5分为单位。")
    return ""


def not_adjustable(item: Item) -> str:
    """Why a unit cannot adjust an item the survey or the system scores: its adjustment would
    be silently ignored, or overrule the rule itself. The form and the action both say it."""
    why = _("由满意度调查计分") if item.is_survey_scored else _("由系统自动核验计分")
    return _("本项%(why)s，不能调整分数；可在意见理由中说明。") % {"why": why}


def actor_unit(actor: Actor) -> MemberUnit:
    unit_id = scope_of(actor).member_unit_id
    unit = MemberUnit.objects.filter(pk=unit_id).first() if unit_id else None
    if unit is None:
        raise ActionRefused(_("您的账号没有关联成员单位，不能参加联审。"))
    return unit


def remit(submission: Submission, unit_id: int) -> dict[int, Item]:
    """The items of the campaign's standard that the unit reviews."""
    return {
        item.pk: item
        for item in Item.objects.filter(
            standard_id=submission.campaign.standard_id, units=unit_id
        ).order_by("display_order", "code")
    }


def do_give_opinion(
    submission_id: int,
    item_id: int,
    agrees: bool,
    reason: str,
    adjustment: Decimal,
    *,
    actor: Actor,
    ip: str | None = None,
) -> UnitOpinion:
    row = OpinionRow(item_id, agrees, reason, adjustment)
    return do_give_opinions(submission_id, [row], actor=actor, ip=ip)[0]


def do_give_opinions(
    submission_id: int, rows: list[OpinionRow], *, actor: Actor, ip: str | None = None
) -> list[UnitOpinion]:
    """Save a unit's opinions on several items at once: all or none, one audit row."""
    if not rows:
        raise ActionRefused(_("请至少对一个小项选择“同意”或“不同意”。"))
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.OPINE, actor)
        unit = actor_unit(actor)
        items = remit(submission, unit.pk)
        audited = dict(
            ItemAudit.objects.filter(
                submission=submission, round=submission.audit_round, item_id__in=items
            ).values_list("item_id", "audited_score")
        )
        saved = []
        for row in rows:
            item = items.get(row.item_id)
            if item is None:
                other = Item.objects.filter(pk=row.item_id).first()
                raise ActionRefused(
                    _("%(item)s不在%(unit)s的联审职责范围内，不能提出意见。")
                    % {"item": f"{other.code} {other.title}" if other else "", "unit": unit.name}
                )
            reason, adjustment = _validated(row, item, audited.get(item.pk))
            opinion, _created = UnitOpinion.objects.update_or_create(
                submission=submission,
                item=item,
                unit=unit,
                defaults={
                    "agrees": row.agrees,
                    "reason": reason,
                    "adjustment": adjustment,
                    "updated_by": actor,
                },
            )
            saved.append(opinion)
        log(
            submission,
            Action.OPINE,
            submission.status,
            actor=actor,
            ip=ip,
            details={
                "unit": unit.code,
                "items": [
                    {
                        "item": o.item.code,
                        "agrees": o.agrees,
                        "adjustment": str(o.adjustment),
                        "reason": o.reason,
                    }
                    for o in saved
                ],
            },
        )
    return saved


def _validated(row: OpinionRow, item: Item, audited: Decimal | None) -> tuple[str, Decimal]:
    """The reason and adjustment, or ActionRefused naming the item."""
    name = f"{item.code} {item.title}"
    reason = row.reason.strip()
    if len(reason) > MAX_COMMENT:
        raise ActionRefused(
            _("%(item)s：意见理由不能超过%(n)d字。") % {"item": name, "n": MAX_COMMENT}
        )
    adjustment = row.adjustment
    if adjustment and item.is_system_scored:
        raise ActionRefused(
            _("%(item)s：%(problem)s") % {"item": name, "problem": not_adjustable(item)}
        )
    problem = adjustment_problem(adjustment, item.max_points)
    if problem:
        raise ActionRefused(_("%(item)s：%(problem)s") % {"item": name, "problem": problem})
    if not row.agrees and not reason:
        raise ActionRefused(_("%(item)s：不同意审核结果时必须填写理由。") % {"item": name})
    if adjustment and not reason:
        raise ActionRefused(_("%(item)s：调整分数时必须填写理由。") % {"item": name})
    if adjustment:
        if audited is None:
            raise ActionRefused(_("%(item)s：没有市办审核得分，不能调整分数。") % {"item": name})
        if not 0 <= audited + adjustment <= item.max_points:
            raise ActionRefused(
                _("%(item)s：审核得分%(score)s分调整%(adjustment)s分后超出0～%(max)s分的范围。")
                % {
                    "item": name,
                    "score": plain_number(audited),
                    "adjustment": f"{adjustment:+g}",
                    "max": plain_number(item.max_points),
                }
            )
    return reason, adjustment.quantize(Decimal("0.1"))


def do_veto(submission_id: int, reason: str, *, actor: Actor, ip: str | None = None) -> UnitVeto:
    reason = bounded_text(reason, MAX_COMMENT, _("否决理由"))
    if not reason:
        raise ActionRefused(_("一票否决必须写明理由。"))
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.VETO, actor)
        unit = actor_unit(actor)
        if UnitVeto.objects.filter(submission=submission, unit=unit).exists():
            raise ActionRefused(_("%(unit)s已否决该社区，不能重复否决。") % {"unit": unit.name})
        veto = UnitVeto.objects.create(
            submission=submission, unit=unit, reason=reason, vetoed_by=actor
        )
        log(
            submission,
            Action.VETO,
            submission.status,
            actor=actor,
            ip=ip,
            comment=reason,
            details={"unit": unit.code},
        )
    return veto


def do_lift_veto(submission_id: int, *, actor: Actor, ip: str | None = None) -> None:
    """Withdraw the unit's veto; the audit log keeps what the veto said."""
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, Action.LIFT_VETO, actor)
        unit = actor_unit(actor)
        veto = UnitVeto.objects.filter(submission=submission, unit=unit).first()
        if veto is None:
            raise ActionRefused(_("%(unit)s没有否决该社区。") % {"unit": unit.name})
        veto.delete()
        log(
            submission,
            Action.LIFT_VETO,
            submission.status,
            actor=actor,
            ip=ip,
            details={
                "unit": unit.code,
                "vetoed_at": veto.vetoed_at.isoformat(),
                "reason": veto.reason,
            },
        )


def items_pending(campaign_id: int, unit_id: int) -> int:
    """How many (candidate, item) opinions the unit still owes across the joint review."""
    candidates = Submission.objects.filter(campaign_id=campaign_id, status=Status.JOINT_REVIEW)
    standard_id = Campaign.objects.filter(pk=campaign_id).values("standard_id")[:1]
    required = Item.objects.filter(standard_id=standard_id, units=unit_id).count()
    given = UnitOpinion.objects.filter(
        submission__in=candidates, unit_id=unit_id, item__units=unit_id
    ).count()
    return max(0, candidates.count() * required - given)


def do_remind_unit(
    campaign_id: int, unit_id: int, message: str = "", *, actor: Actor, ip: str | None = None
) -> Reminder:
    """The office nudges a member unit in the application; the unit sees it on its page."""
    if not scope_of(actor).can(Capability.AUDIT):
        raise ActionRefused(_("只有领导小组办公室可以发送联审提醒。"))
    message = bounded_text(message, MAX_COMMENT, _("提醒内容"))
    with transaction.atomic(durable=True):
        unit = MemberUnit.objects.get(pk=unit_id)
        pending = items_pending(campaign_id, unit_id)
        if not pending:
            raise ActionRefused(_("%(unit)s已完成全部联审，无需提醒。") % {"unit": unit.name})
        if not message:
            message = _(
                "请%(unit)s抓紧办理联审：本单位还有%(n)d项小项意见尚未填写，请在联审截止前完成。"
            ) % {"unit": unit.name, "n": pending}
        reminder = Reminder.objects.create(
            campaign_id=campaign_id, unit=unit, message=message, sent_by=actor
        )
        audit_log.record(
            "review.remind",
            actor=actor,
            target=reminder,
            comment=message,
            details={"unit": unit.code, "pending": pending},
            ip=ip,
        )
    return reminder


def do_mark_reminders_read(campaign_id: int, *, actor: Actor) -> int:
    """Mark the unit's unread reminders read. Reading changes nothing in the assessment, so it
    writes no audit row; the reminder keeps when it was read."""
    unit = actor_unit(actor)
    return Reminder.objects.filter(campaign_id=campaign_id, unit=unit, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def do_close_review(submission_id: int, *, actor: Actor, ip: str | None = None) -> Submission:
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        move(submission, Action.CLOSE_REVIEW, actor=actor, ip=ip)
    return submission
