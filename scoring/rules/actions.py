"""State changes of the scoring app: a new version of a campaign's shortlist rules."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from campaign.kernel import audit_log
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.models import Campaign
from campaign.pipeline.workflow import ActionRefused
from communities.units import plain_decimal
from scoring.engine.models import ScoringRules
from scoring.engine.rules import current_rules
from scoring.engine.schedule import rules_changed


@dataclass(frozen=True)
class ShortlistRules:
    """The office's thresholds, already parsed; None means "no such rule"."""

    min_total: Decimal | None = None
    min_satisfaction_percent: Decimal | None = None
    district_quota: int | None = None
    city_cap: int | None = None
    # A sample short of the required size that the office did not accept keeps a community off.
    exclude_short_sample: bool = True
    note: str = ""


def do_set_shortlist_rules(
    campaign_id: int, wanted: ShortlistRules, *, actor: Actor, ip: str | None
) -> ScoringRules:
    """Save the rules as a new version and recompute the campaign's scores once it commits."""
    scope_of(actor).require(Capability.SET_SHORTLIST_RULES)
    with transaction.atomic(durable=True):
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("standard")
            .get(pk=campaign_id)
        )
        _require_reachable_total(wanted.min_total, campaign.standard.total_points)
        previous = current_rules(campaign)
        percent = wanted.min_satisfaction_percent
        rules = ScoringRules.objects.create(
            campaign=campaign,
            version=previous.version + 1,
            satisfaction_item=previous.satisfaction_item,
            min_total=wanted.min_total,
            min_satisfaction=None if percent is None else percent / 100,
            district_quota=wanted.district_quota,
            city_cap=wanted.city_cap,
            exclude_short_sample=wanted.exclude_short_sample,
            note=wanted.note,
            created_by=actor,
        )
        audit_log.record(
            "scoring.rules",
            actor=actor,
            target=rules,
            comment=wanted.note,
            details={"version": rules.version, **describe(rules)},
            ip=ip,
        )
        rules_changed(campaign.pk)
    return rules


def _require_reachable_total(min_total: Decimal | None, total_points: Decimal) -> None:
    # The page's form checks this as well; here it holds for every caller, the demo included.
    if min_total is not None and min_total > total_points:
        raise ActionRefused(
            _("最低总分不能超过评价标准的总分%(total)s分。")
            % {"total": plain_decimal(total_points)}
        )


def describe(rules: ScoringRules) -> dict[str, str | int | bool | None]:
    """The rules' thresholds as plain values, for the audit row and the exports."""
    return {
        "min_total": None if rules.min_total is None else str(rules.min_total),
        "min_satisfaction": None
        if rules.min_satisfaction is None
        else format(rules.min_satisfaction_percent, "f"),
        "district_quota": rules.district_quota,
        "city_cap": rules.city_cap,
        "exclude_short_sample": rules.exclude_short_sample,
    }
