"""Demo scores: the office's shortlist rules (a second version, so the history shows), every
snapshot computed, and one shortlist workbook exported for the office, so the shortlist, the
dashboard and the exports page have real figures."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from campaign.pipeline.models import Campaign
from scoring.engine.models import ScoringRules
from scoring.engine.recompute import recompute_campaign
from scoring.exports.actions import do_request_export
from scoring.exports.models import ExportJob, ExportKind
from scoring.rules.actions import ShortlistRules, do_set_shortlist_rules

# Chosen so that the demo shows every outcome: on the list, each rule, the quota and the cap.
DEMO_RULES = ShortlistRules(
    min_total=Decimal(75),
    min_satisfaction_percent=Decimal(88),
    district_quota=1,
    city_cap=4,
    note="领导小组办公室2020年第4次主任会议确定",
)


def seed_scores(campaign: Campaign) -> int:
    """Set the demo rules once, recompute (idempotent) and export once; the number of
    snapshots. Without Redis the export runs in-process, so the file is there at once."""
    office = get_user_model().objects.get(username="office")
    if not ScoringRules.objects.filter(campaign=campaign, version__gt=1).exists():
        do_set_shortlist_rules(campaign.pk, DEMO_RULES, actor=office, ip=None)
    written = recompute_campaign(campaign.pk)
    if not ExportJob.objects.filter(campaign=campaign, requested_by=office).exists():
        do_request_export(campaign, ExportKind.SHORTLIST.value, actor=office)
    return written
