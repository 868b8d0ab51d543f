"""State changes to the register. Each runs in a transaction, locks its row and writes an
audit row in the same transaction."""

from typing import Any

from django.db import transaction

from campaign.kernel import audit_log
from campaign.kernel.users import Actor
from communities.models import Community

EDITABLE_FIELDS = (
    "name",
    "kind",
    "construction",
    "households",
    "population",
    "compounds",
    "service_area",
    "full_time_workers",
    "work_funds",
    "party_fund",
    "grid_count",
    "contact_person",
    "contact_phone",
)


def do_update_community(
    community_id: int, values: dict[str, Any], *, actor: Actor, ip: str | None = None
) -> list[str]:
    """Apply changed register figures; return the names of the fields that changed."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic(durable=True):
        community = Community.objects.select_for_update().get(pk=community_id)
        changes = {}
        for name, value in values.items():
            old = getattr(community, name)
            if old != value:
                changes[name] = [_plain(old), _plain(value)]
                setattr(community, name, value)
        if not changes:
            return []
        community.full_clean()
        community.save()
        audit_log.record(
            "community.update",
            actor=actor,
            target=community,
            district_id=community.district_id,
            details={"changes": changes},
            ip=ip,
        )
    return list(changes)


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, int | str) else str(value)
