"""The one way views reach communities: filtered by the user's scope, so another district's
community is simply not found (404); a role without the capability gets 403."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import Actor
from communities.indicators import with_hard_indicators
from communities.models import Community, District


def communities_for(
    user: Actor, capability: Capability = Capability.VIEW_REGISTER
) -> QuerySet[Community]:
    scope = scope_of(user)
    scope.require(capability)
    return scope.restrict(Community.objects.select_related("district", "street"))


def get_community_for_user(
    user: Actor, code: str, capability: Capability = Capability.VIEW_REGISTER
) -> Community:
    return get_object_or_404(with_hard_indicators(communities_for(user, capability)), code=code)


def districts_for(user: Actor) -> QuerySet[District]:
    return scope_of(user).restrict(District.objects.all(), district_field="pk")
