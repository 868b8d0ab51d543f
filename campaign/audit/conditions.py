"""The office audit's preconditions (市办审核): every item audited before a pass; a revision
request before a return."""

from django.utils.translation import gettext as _

from campaign.audit.actions import unchecked_changes_text
from campaign.pipeline.models import ItemAudit, Submission
from campaign.pipeline.workflow import Precondition, implements
from standards.models import Item


@implements(Precondition.EVERY_ITEM_AUDITED)
def every_item_audited(submission: Submission) -> str:
    """Every item but the survey's has an audited score in the round (the auto-verified ones
    from the system), and register figures edited after submission have been re-checked."""
    items = Item.objects.filter(standard_id=submission.campaign.standard_id).exclude(
        check_method=Item.CheckMethod.SURVEY
    )
    audited = ItemAudit.objects.filter(
        submission=submission,
        round=submission.audit_round,
        audited_score__isnull=False,
        item__in=items,
    ).count()
    missing = items.count() - audited
    if missing > 0:
        return _("还有%(n)d个小项没有审核打分，不能审核通过。") % {"n": missing}
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
