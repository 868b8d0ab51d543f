"""The one way views reach a leading-group meeting and its minutes."""

from django.shortcuts import get_object_or_404

from campaign.decision.models import DecisionMeeting
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import Actor


def get_meeting_for_user(user: Actor, meeting_id: int) -> DecisionMeeting:
    """A leading-group meeting (and its minutes): for the leading group and the office."""
    scope_of(user).require_any(Capability.DECIDE, Capability.PUBLISH)
    return get_object_or_404(DecisionMeeting.objects.select_related("campaign"), pk=meeting_id)
