"""The decision's precondition: no member unit has vetoed the candidate."""

from django.utils.translation import gettext as _

from campaign.pipeline.models import Submission, UnitVeto
from campaign.pipeline.workflow import Precondition, implements


@implements(Precondition.NOT_VETOED)
def not_vetoed(submission: Submission) -> str:
    vetoes = list(UnitVeto.objects.filter(submission=submission).select_related("unit"))
    if vetoes:
        return _("%(units)s已一票否决，不能研究通过。") % {
            "units": "、".join(veto.unit.name for veto in vetoes)
        }
    return ""
