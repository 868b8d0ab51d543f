"""The preconditions named in the transition table: each says, in the user's words, why a
submission's data does not allow the move yet, or returns "" when it does."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.pipeline.models import ItemAudit, Submission, UnitOpinion, UnitVeto
from campaign.publication.models import OPEN_OBJECTION_STATES, Objection, ObjectionStatus
from campaign.survey.models import Quality, SurveyResponse
from standards.models import Item, MemberUnit


def every_item_audited(submission: Submission) -> str:
    items = Item.objects.filter(standard_id=submission.campaign.standard_id).count()
    audited = ItemAudit.objects.filter(
        submission=submission, round=submission.audit_round, audited_score__isnull=False
    ).count()
    if audited < items:
        return _("还有%(n)d个小项没有审核打分，不能审核通过。") % {"n": items - audited}
    return ""


def revision_requested(submission: Submission) -> str:
    requested = (
        ItemAudit.objects.filter(submission=submission, round=submission.audit_round)
        .exclude(revision_request="")
        .exists()
    )
    if not requested:
        return _("退回修改前，请至少在一个小项填写修改要求。")
    return ""


def survey_complete(submission: Submission) -> str:
    """At least one questionnaire counts, and the office has ruled on every flagged one."""
    counts = SurveyResponse.objects.filter(submission=submission).aggregate(
        counted=Count("pk", filter=~Q(quality=Quality.EXCLUDED)),
        flagged=Count("pk", filter=Q(quality=Quality.FLAGGED)),
    )
    if counts["flagged"]:
        return _("还有%(n)d份问卷被标记待核定，请先逐份核定剔除或保留。") % {"n": counts["flagged"]}
    if not counts["counted"]:
        return _("还没有有效的调查问卷，不能结束调查。")
    return ""


def units_behind(submission: Submission) -> list[MemberUnit]:
    """The member units that have not yet given an opinion on every item in their remit."""
    given = UnitOpinion.objects.filter(
        submission=submission, item_id=OuterRef("item_id"), unit_id=OuterRef("memberunit_id")
    )
    pending = (
        Item.units.through.objects.filter(
            item__standard_id=submission.campaign.standard_id, memberunit__is_active=True
        )
        .filter(~Exists(given))
        .values("memberunit_id")
    )
    return list(MemberUnit.objects.filter(pk__in=pending).order_by("display_order"))


def every_unit_reviewed(submission: Submission) -> str:
    behind = units_behind(submission)
    if behind:
        return _("以下成员单位尚未完成联审：%(units)s。") % {
            "units": "、".join(unit.name for unit in behind)
        }
    return ""


def not_vetoed(submission: Submission) -> str:
    vetoes = list(UnitVeto.objects.filter(submission=submission).select_related("unit"))
    if vetoes:
        return _("%(units)s已一票否决，不能研究通过。") % {
            "units": "、".join(veto.unit.name for veto in vetoes)
        }
    return ""


def objection_upheld(submission: Submission) -> str:
    if not Objection.objects.filter(submission=submission, status=ObjectionStatus.UPHELD).exists():
        return _("只有异议成立的社区才能取消。")
    return ""


def notice_passed(submission: Submission) -> str:
    notice = submission.notice
    if notice is None or timezone.localdate() <= notice.ends_on:
        return _("公示期尚未结束，不能命名。")
    if Objection.objects.filter(submission=submission, status__in=OPEN_OBJECTION_STATES).exists():
        return _("还有未办结的异议，办结后才能命名。")
    return ""
