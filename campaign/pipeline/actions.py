"""What every submission action shares (lock the row, check the transition table, move and
log), and the campaign's own actions: creating one, and extending a phase's deadline.

Each stage's ``actions`` module holds that stage's ``do_*`` functions and builds on these."""

import datetime
import math
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.kernel import audit_log
from campaign.kernel.roles import scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.models import (
    Campaign,
    CampaignPhase,
    DistrictQuota,
    Phase,
    Status,
    Submission,
)
from campaign.pipeline.signals import scores_changed
from campaign.pipeline.workflow import Action, ActionRefused, default_schedule, require_allowed
from communities.models import Community, District
from standards.actions import do_freeze


def bounded_text(value: str, limit: int, label: str) -> str:
    """The text without surrounding blanks; refused, naming the field, when over the limit."""
    value = (value or "").strip()
    if len(value) > limit:
        raise ActionRefused(_("%(label)s不能超过%(n)d字。") % {"label": label, "n": limit})
    return value


def plain_number(value: Decimal | None) -> str | None:
    """A score for messages and audit details: 3.0 → "3", 2.50 → "2.5"."""
    return None if value is None else format(value.normalize(), "f")


def lock_or_start(campaign_id: int, community_id: int) -> Submission:
    """The community's submission, locked; created (as a draft) by the first save."""
    community = Community.objects.get(pk=community_id)
    Submission.objects.get_or_create(
        campaign_id=campaign_id,
        community=community,
        defaults={"district_id": community.district_id},
    )
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .get(campaign_id=campaign_id, community=community)
    )


def check(submission: Submission, action: Action, actor: Actor) -> Status:
    """Scope, role, state, dates and precondition allow the action; return the state it leads
    to."""
    scope = scope_of(actor)
    if scope.is_district_bound and scope.district_id != submission.district_id:
        raise ActionRefused(_("只能办理本区市的社区。"))
    return require_allowed(submission, action, scope.role).target


def move(
    submission: Submission,
    action: Action,
    *,
    actor: Actor,
    ip: str | None,
    comment: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    target = check(submission, action, actor)
    previous = submission.status
    submission.status = target
    submission.save()
    log(submission, action, previous, actor=actor, ip=ip, comment=comment, details=details)


def log(
    submission: Submission,
    action: Action,
    previous: str,
    *,
    actor: Actor,
    ip: str | None,
    comment: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """The audit row of one row of the transition table (a move or work within a state), and
    the recompute of the submission's scores once it commits (every such row may change them)."""
    scores_changed(submission.pk)
    audit_log.record(
        f"assessment.{action.value}",
        actor=actor,
        target=submission,
        district_id=submission.district_id,
        from_state=previous,
        to_state=submission.status,
        comment=comment,
        details=details,
        ip=ip,
    )


def locked(submission_id: int) -> Submission:
    # Only the submission's row: locking the campaign's too would serialise every action of the
    # campaign and deadlock with the score recompute (which locks the campaign, then reads
    # the submissions).
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .get(pk=submission_id)
    )


# -- campaigns and their timetable ------------------------------------------------------------

COMMUNITIES_PER_QUOTA_PLACE = 10


def do_create_campaign(
    year: int,
    name: str,
    standard_id: int,
    *,
    starts_on: datetime.date | None = None,
    actor: Actor | None = None,
    ip: str | None = None,
) -> Campaign:
    """A campaign freezes its standard: from now on changes to it become a new version. It
    starts with the default timetable and one recommendation place per ten communities."""
    schedule = default_schedule(starts_on or datetime.date(year, 7, 1))
    with transaction.atomic(durable=True):
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
    actor: Actor,
    ip: str | None = None,
) -> CampaignPhase:
    """Move a phase's deadline later (never earlier: work done in time stays in time)."""
    if not reason.strip():
        raise ActionRefused(_("请填写延期理由。"))
    with transaction.atomic(durable=True):
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


def do_set_phase_dates(
    campaign_id: int,
    phase: Phase,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
    *,
    actor: Actor,
    ip: str | None = None,
) -> CampaignPhase:
    """Set a phase's dates while it has not opened yet (once open, only its deadline moves,
    later: ``do_extend_phase``)."""
    reason = bounded_text(reason, 500, _("调整理由"))
    if not reason:
        raise ActionRefused(_("调整理由：请填写调整理由。"))
    if ends_on < starts_on:
        raise ActionRefused(_("截止日期：不能早于开始日期。"))
    with transaction.atomic(durable=True):
        dates = CampaignPhase.objects.select_for_update().get(campaign_id=campaign_id, phase=phase)
        today = timezone.localdate()
        if dates.starts_on <= today:
            raise ActionRefused(
                _("“%(phase)s”阶段已经开始，只能延后截止日期。") % {"phase": phase.label}
            )
        if starts_on < today:
            raise ActionRefused(_("开始日期：不能早于今天。"))
        previous = f"{dates.starts_on:%Y-%m-%d}～{dates.ends_on:%Y-%m-%d}"
        dates.starts_on, dates.ends_on = starts_on, ends_on
        dates.save(update_fields=["starts_on", "ends_on"])
        audit_log.record(
            "campaign.set_phase_dates",
            actor=actor,
            target=dates.campaign,
            from_state=previous,
            to_state=f"{starts_on:%Y-%m-%d}～{ends_on:%Y-%m-%d}",
            comment=reason,
            details={"phase": phase.value},
            ip=ip,
        )
    return dates
