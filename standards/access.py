from django.shortcuts import get_object_or_404

from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import Actor
from standards.models import Standard


def get_standard_for_user(
    user: Actor, standard_id: int, capability: Capability = Capability.VIEW_STANDARD
) -> Standard:
    """Standards are city-wide and public in content; the capability decides who may act."""
    scope_of(user).require(capability)
    return get_object_or_404(Standard, pk=standard_id)
