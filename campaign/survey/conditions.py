"""The survey's precondition: a result to freeze, and no flagged questionnaire left to rule on."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from campaign.pipeline.models import Submission
from campaign.pipeline.workflow import Precondition, implements
from campaign.survey.models import Quality, SurveyResponse


@implements(Precondition.SURVEY_COMPLETE)
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
