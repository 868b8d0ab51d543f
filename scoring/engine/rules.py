"""The shortlist rules a campaign is ranked by: the latest version, version 1 made from the
standard on first use."""

from campaign.pipeline.models import Campaign
from scoring.engine.models import ScoringRules
from standards.models import Item


def current_rules(campaign: Campaign) -> ScoringRules:
    """The latest rules version; the first call makes version 1 from the standard: the first
    survey-checked item scored by the survey, the standard's pass rate as minimum satisfaction."""
    rules = ScoringRules.objects.filter(campaign=campaign).order_by("-version").first()
    if rules is not None:
        return rules
    item = (
        Item.objects.filter(standard_id=campaign.standard_id, check_method=Item.CheckMethod.SURVEY)
        .order_by("display_order", "code")
        .first()
    )
    rules, _created = ScoringRules.objects.get_or_create(
        campaign=campaign,
        version=1,
        defaults={
            "satisfaction_item": item,
            "min_satisfaction": campaign.standard.satisfaction_pass_rate,
        },
    )
    return rules
