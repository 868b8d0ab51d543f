"""The office audit's preconditions (市办审核): every item audited before a pass; a revision
request before a return."""

from django.utils.translation import gettext as _

from campaign.pipeline.models import ItemAudit, Submission
from campaign.pipeline.workflow import Precondition, implements
from standards.models import Item


@implements(Precondition.EVERY_ITEM_AUDITED)
def every_item_audited(submission: Submission) -> str:
    items = Item.objects.filter(standard_id=submission.campaign.standard_id).count()
    audited = ItemAudit.objects.filter(
        submission=submission, round=submission.audit_round, audited_score__isnull=False
    ).count()
    if audited < items:
        return _("还有%(n)d个小项没有审核打分，不能审核通过。") % {"n": items - audited}
    return ""


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
