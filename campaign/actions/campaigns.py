"""Campaigns and their timetable."""

import datetime
import math
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from campaign.kernel import audit_log
from campaign.pipeline.models import Campaign, CampaignPhase, DistrictQuota, Phase
from campaign.workflow import ActionRefused, default_schedule
from communities.models import District
from standards.actions import do_freeze

COMMUNITIES_PER_QUOTA_PLACE = 10


def do_create_campaign(
    year: int,
    name: str,
    standard_id: int,
    *,
    starts_on: datetime.date | None = None,
    actor: Any = None,
    ip: str | None = None,
) -> Campaign:
    """A campaign freezes its standard: from now on changes to it become a new version. It
    starts with the default timetable and one recommendation place per ten communities."""
    schedule = default_schedule(starts_on or datetime.date(year, 7, 1))
    with transaction.atomic():
        campaign = Campaign.objects.create(year=year, name=name, standard_id=standard_id)
        do_freeze(
            standard_id, actor=actor, reason=_("被%(campaign)s使用。") % {"campaign": name}, ip=ip
        )
        CampaignPhase.objects.bulk_create(
            CampaignPhase(campaign=campaign, phase=phase, starts_on=start, ends_on=end)
            for phase, (start, end) in schedule.items()
        )
        sizes = District.objects.annotate(n=Count("communities")).values_list("pk", "n")
        DistrictQuota.objects.bulk_create(
            DistrictQuota(
                campaign=campaign,
                district_id=pk,
                quota=max(1, math.ceil(n / COMMUNITIES_PER_QUOTA_PLACE)),
            )
            for pk, n in sizes
        )
        audit_log.record("campaign.create", actor=actor, target=campaign, ip=ip)
    return campaign


def do_extend_phase(
    campaign_id: int,
    phase: Phase,
    ends_on: datetime.date,
    reason: str,
    *,
    actor: Any,
    ip: str | None = None,
) -> CampaignPhase:
    """Move a phase's deadline later (never earlier: work done in time stays in time)."""
    if not reason.strip():
        raise ActionRefused(_("请填写延期理由。"))
    with transaction.atomic():
        dates = CampaignPhase.objects.select_for_update().get(campaign_id=campaign_id, phase=phase)
        if ends_on <= dates.ends_on:
            raise ActionRefused(_("新的截止日期必须晚于原截止日期。"))
        previous = dates.ends_on
        dates.ends_on = ends_on
        dates.save(update_fields=["ends_on"])
        audit_log.record(
            "campaign.extend_phase",
            actor=actor,
            target=dates.campaign,
            from_state=f"{previous:%Y-%m-%d}",
            to_state=f"{ends_on:%Y-%m-%d}",
            comment=reason.strip(),
            details={"phase": phase.value},
            ip=ip,
        )
    return dates
