"""What each role sees first: its own work, counted in the database."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from campaign.kernel.roles import Scope
from campaign.kernel.users import Actor
from campaign.pipeline.models import DISTRICT_STATES, Campaign, Status, Submission
from communities.access import communities_for
from communities.indicators import with_hard_indicators
from standards.models import Item


@dataclass(frozen=True)
class RegisterRow:
    district_id: int
    district: str
    total: int
    failing: int
    missing: int


def register_overview(user: Actor) -> list[RegisterRow]:
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


@dataclass(frozen=True)
class DistrictProgress:
    district_id: int
    district: str
    communities: int
    drafts: int
    returned: int
    submitted: int
    recommended: int
    quota: int
    forwarded_at: Any

    @property
    def not_started(self) -> int:
        return self.communities - self.drafts - self.returned - self.submitted - self.recommended


def assessment_overview(
    scope: Scope, campaign: Campaign | None, register: list[RegisterRow]
) -> list[DistrictProgress]:
    """Self-assessment progress for the districts of ``register`` (already scoped): counts
    only, so the office sees how far districts have got without reading drafts."""
    if campaign is None:
        return []
    # A place is used once the district recommends a community, whatever becomes of it later
    # (audited, surveyed, named or turned down): the count never drops as candidates move on.
    sent = Q(status=Status.RECOMMENDED) | ~Q(status__in=DISTRICT_STATES)
    counts = {
        row["district_id"]: row
        for row in scope.restrict(Submission.objects.filter(campaign=campaign))
        .values("district_id")
        .annotate(
            drafts=Count("pk", filter=Q(status=Status.DRAFT)),
            returned=Count("pk", filter=Q(status=Status.RETURNED)),
            submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
            recommended=Count("pk", filter=sent),
        )
    }
    quotas = dict(campaign.quotas.values_list("district_id", "quota"))
    forwarded = dict(campaign.district_recommendations.values_list("district_id", "forwarded_at"))
    empty = {"drafts": 0, "returned": 0, "submitted": 0, "recommended": 0}
    return [
        DistrictProgress(
            district_id=row.district_id,
            district=row.district,
            communities=row.total,
            **{key: counts.get(row.district_id, empty)[key] for key in empty},
            quota=quotas.get(row.district_id, 0),
            forwarded_at=forwarded.get(row.district_id),
        )
        for row in register
    ]
