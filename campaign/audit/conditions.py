"""The office audit's preconditions (市办审核): every item audited before a pass; a revision
request before a return."""

from django.db.models import Q
from django.utils.translation import gettext as _

from campaign.audit.actions import unchecked_changes_text
from campaign.pipeline.models import ItemAudit, Submission
from campaign.pipeline.workflow import Precondition, implements
from standards.models import Item, scored_by_people

# How many unaudited items a refusal names before "等".
NAMED = 10


@implements(Precondition.EVERY_ITEM_AUDITED)
def every_item_audited(submission: Submission) -> str:
    """Every item people score has an audited score in the round, and so has every
    auto-verified item (the system writes those); the survey scores its items after the audit.
    Register figures edited after submission must have been re-checked."""
    auto = Q(check_method=Item.CheckMethod.AUTO, hard_indicator__gt="")
    items = Item.objects.filter(standard_id=submission.campaign.standard_id).filter(
        scored_by_people() | auto
    )
    audited = ItemAudit.objects.filter(
        submission=submission, round=submission.audit_round, audited_score__isnull=False
    ).values("item_id")
    missing = list(
        items.exclude(pk__in=audited).order_by("display_order").values_list("code", flat=True)
    )
    if missing:
        named = "、".join(missing[:NAMED]) + (_("等") if len(missing) > NAMED else "")
        return _("还有%(n)d个小项没有审核打分（%(items)s），不能审核通过。") % {
            "n": len(missing),
            "items": named,
        }
    return unchecked_changes_text(submission)


@implements(Precondition.REVISION_REQUESTED)
def revision_requested(submission: Submission) -> str:
    requested = (
        ItemAudit.objects.filter(submission=submission, round=submission.audit_round)
        .exclude(revision_request="")
        .exists()
    )
    if not requested:
        return _("退回修改前，请至少在一个小项填写修改要求。")
    return ""
