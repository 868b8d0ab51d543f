"""State changes of the scoring app: a new version of a campaign's shortlist rules."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from campaign.kernel import audit_log
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.models import Campaign
from campaign.pipeline.workflow import ActionRefused
from scoring.engine.models import ScoringRules
from scoring.engine.rules import current_rules
from scoring.engine.schedule import rules_changed


@dataclass(frozen=True)
class RulesForm:
    """The office's entries, as typed (blank means "no such rule")."""

    min_total: str = ""
    min_satisfaction_percent: str = ""
    district_quota: str = ""
    city_cap: str = ""
    note: str = ""


def _decimal(text: str, label: str, upper: Decimal) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ActionRefused(_("%(label)s应为数字。") % {"label": label}) from None
    if not value.is_finite() or not 0 <= value <= upper or value != value.quantize(Decimal("0.1")):
        raise ActionRefused(
            _("%(label)s应在0到%(upper)s之间，最多一位小数。") % {"label": label, "upper": upper}
        )
    return value


def _count(text: str, label: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 9999:
        raise ActionRefused(_("%(label)s应为1到9999之间的整数。") % {"label": label})
    return int(text)


def do_set_shortlist_rules(
    campaign_id: int, form: RulesForm, *, actor: Actor, ip: str | None
) -> ScoringRules:
    """Save the rules as a new version and recompute the campaign's scores once it commits."""
    scope_of(actor).require(Capability.SET_SHORTLIST_RULES)
    note = (form.note or "").strip()
    if len(note) > 500:
        raise ActionRefused(_("说明不能超过500字。"))
    with transaction.atomic(durable=True):
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("standard")
            .get(pk=campaign_id)
        )
        min_total = _decimal(form.min_total, _("最低总分"), campaign.standard.total_points)
        percent = _decimal(form.min_satisfaction_percent, _("最低满意率"), Decimal(100))
        previous = current_rules(campaign)
        rules = ScoringRules.objects.create(
            campaign=campaign,
            version=previous.version + 1,
            satisfaction_item=previous.satisfaction_item,
            min_total=min_total,
            min_satisfaction=None if percent is None else percent / 100,
            district_quota=_count(form.district_quota, _("每区市入围名额")),
            city_cap=_count(form.city_cap, _("全市入围总数")),
            note=note,
            created_by=actor,
        )
        audit_log.record(
            "scoring.rules",
            actor=actor,
            target=rules,
            comment=note,
            details={"version": rules.version, **describe(rules)},
            ip=ip,
        )
        rules_changed(campaign.pk)
    return rules


def describe(rules: ScoringRules) -> dict[str, str | int | None]:
    """The rules' thresholds as plain values, for the audit row and the exports."""
    return {
        "min_total": None if rules.min_total is None else str(rules.min_total),
        "min_satisfaction": None
        if rules.min_satisfaction is None
        else format(rules.min_satisfaction_percent, "f"),
        "district_quota": rules.district_quota,
        "city_cap": rules.city_cap,
    }
