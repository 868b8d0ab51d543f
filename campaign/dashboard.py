"""What each role sees first: its own work, counted in the database."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from communities.access import communities_for
from scoring.indicators import with_hard_indicators
from standards.models import Item

from .models import Campaign
from .roles import Scope


@dataclass(frozen=True)
class RegisterRow:
    district_id: int
    district: str
    total: int
    failing: int
    missing: int


def register_overview(user: Any) -> list[RegisterRow]:
    """Communities per district in the user's scope, with hard-indicator problems counted."""
    rows = (
        with_hard_indicators(communities_for(user))
        .order_by()
        .values("district_id", "district__short_name", "district__display_order")
        .annotate(
            total=Count("pk"),
            failing=Count("pk", filter=Q(hi_failures__gt=0)),
            missing=Count("pk", filter=Q(hi_missing__gt=0)),
        )
        .order_by("district__display_order")
    )
    return [
        RegisterRow(
            r["district_id"], r["district__short_name"], r["total"], r["failing"], r["missing"]
        )
        for r in rows
    ]


def items_in_remit(scope: Scope, campaign: Campaign | None) -> list[Item]:
    if campaign is None or scope.member_unit_id is None:
        return []
    return list(
        Item.objects.filter(standard=campaign.standard, units=scope.member_unit_id)
        .select_related("category")
        .order_by("display_order")
    )
