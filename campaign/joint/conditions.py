"""The joint review's precondition: every member unit has reviewed every item in its remit."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from campaign.pipeline.models import Submission, UnitOpinion
from campaign.pipeline.workflow import Precondition, implements
from standards.models import Item, MemberUnit


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


@implements(Precondition.EVERY_UNIT_REVIEWED)
def every_unit_reviewed(submission: Submission) -> str:
    behind = units_behind(submission)
    if behind:
        return _("以下成员单位尚未完成联审：%(units)s。") % {
            "units": "、".join(unit.name for unit in behind)
        }
    return ""
