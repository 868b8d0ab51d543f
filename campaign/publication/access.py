"""The one way views reach an objection with the objector's name and contact."""

from django.shortcuts import get_object_or_404

from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.models import (
    Campaign,
)
from campaign.publication.models import Objection


def get_objection_for_user(user: Actor, campaign: Campaign, reference: str) -> Objection:
    """An objection with the objector's name and contact: for the office only."""
    scope_of(user).require(Capability.PUBLISH)
    return get_object_or_404(
        Objection.objects.select_related("submission__community", "submission__district", "notice"),
        notice__campaign=campaign,
        reference=reference,
    )
