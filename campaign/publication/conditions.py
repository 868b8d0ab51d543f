"""The publication's preconditions: removing needs an upheld objection; naming needs the notice
period over and every objection closed."""

from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.pipeline.models import Submission
from campaign.pipeline.workflow import Precondition, implements
from campaign.publication.models import OPEN_OBJECTION_STATES, Objection, ObjectionStatus


@implements(Precondition.OBJECTION_UPHELD)
def objection_upheld(submission: Submission) -> str:
    if not Objection.objects.filter(submission=submission, status=ObjectionStatus.UPHELD).exists():
        return _("只有异议成立的社区才能取消。")
    return ""


@implements(Precondition.NOTICE_PASSED)
def notice_passed(submission: Submission) -> str:
    notice = submission.notice
    if notice is None or timezone.localdate() <= notice.ends_on:
        return _("公示期尚未结束，不能命名。")
    if Objection.objects.filter(submission=submission, status__in=OPEN_OBJECTION_STATES).exists():
        return _("还有未办结的异议，办结后才能命名。")
    return ""
