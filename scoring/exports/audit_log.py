"""The audit log (操作日志) of a campaign's period, city-wide, oldest first, streamed.

A campaign's period starts when it was created (or its first phase opened, if earlier) and ends
when the next year's campaign was created; events before the request are exported, so a file
generated a little later still holds what its requester asked for."""

import datetime
from typing import Any, BinaryIO

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from campaign.kernel.audit_log import ACTION_LABELS
from campaign.kernel.models import AuditEvent
from campaign.kernel.roles import Role
from campaign.pipeline.models import Campaign, CampaignPhase, Status
from campaign.publication.models import ObjectionStatus
from communities.models import District
from scoring.exports.models import ExportState
from scoring.exports.workbook import (
    Column,
    Params,
    Progress,
    data_text,
    export_date_note,
    finish_sheet,
    local_time,
    new_workbook,
    no_progress,
    start_sheet,
)
from standards.models import Standard

PROGRESS_EVERY = 500
CHUNK = 2000


def _state_labels() -> dict[str, dict[str, str]]:
    """The states an event's from/to columns hold, by the kind of object it is about."""
    return {
        "submission": {s.value: str(s.label) for s in Status},
        "objection": {s.value: str(s.label) for s in ObjectionStatus},
        "standard": {s.value: str(s.label) for s in Standard.Status},
        "exportjob": {s.value: str(s.label) for s in ExportState},
    }


def file_name(campaign: Campaign, moment: datetime.datetime) -> str:
    return _("%(campaign)s操作日志（%(date)s）.xlsx") % {
        "campaign": campaign.name,
        "date": f"{timezone.localtime(moment):%Y%m%d}",
    }


def campaign_period(
    campaign: Campaign,
) -> tuple[datetime.datetime, datetime.datetime | None]:
    start = campaign.created_at
    first_day = (
        CampaignPhase.objects.filter(campaign=campaign)
        .order_by("starts_on")
        .values_list("starts_on", flat=True)
        .first()
    )
    if first_day is not None:
        opened = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
        start = min(start, opened)
    end = (
        Campaign.objects.filter(year__gt=campaign.year)
        .order_by("year")
        .values_list("created_at", flat=True)
        .first()
    )
    return start, end


def events_in_period(campaign: Campaign, until: datetime.datetime | None = None) -> Any:
    start, end = campaign_period(campaign)
    if until is not None and (end is None or until < end):
        end = until
    events = AuditEvent.objects.filter(at__gte=start)
    if end is not None:
        events = events.filter(at__lt=end)
    return events


def write(
    campaign: Campaign,
    target: BinaryIO,
    progress: Progress = no_progress,
    params: Params | None = None,
) -> None:
    """``params["until"]``: an ISO time; later events are left out (the request's time)."""
    moment = timezone.now()
    until = (params or {}).get("until")
    events = events_in_period(campaign, parse_datetime(until) if until else None)
    start, end = campaign_period(campaign)
    total = events.count()
    roles = {r.value: str(r.label) for r in Role}
    actions = {key: str(label) for key, label in ACTION_LABELS.items()}
    states = _state_labels()
    districts = {pk: data_text(name) for pk, name in District.objects.values_list("pk", "name")}
    columns = [
        Column(_("时间"), 19),
        Column(_("操作人"), 14),
        Column(_("角色"), 14),
        Column(_("操作"), 18),
        Column(_("对象"), 24),
        Column(_("区市"), 12),
        Column(_("原状态"), 14),
        Column(_("新状态"), 14),
        Column(_("说明"), 40),
        Column(_("IP地址"), 15),
    ]
    period = _("%(start)s 至 %(end)s") % {
        "start": f"{timezone.localtime(start):%Y-%m-%d}",
        "end": f"{timezone.localtime(end):%Y-%m-%d}" if end else _("今"),
    }
    workbook = new_workbook()
    layout = start_sheet(
        workbook,
        _("操作日志"),
        _("%(campaign)s操作日志") % {"campaign": campaign.name},
        _("活动期间：%(period)s；全市共%(n)d条；%(exported)s")
        % {"period": period, "n": total, "exported": export_date_note(moment)},
        columns,
        frozen_columns=1,
    )
    append = layout.sheet.append
    written = 0
    for (
        at,
        actor,
        role,
        action,
        object_type,
        object_repr,
        district_id,
        from_state,
        to_state,
        comment,
        ip,
    ) in (
        events.order_by("at", "pk")
        .values_list(
            "at",
            "actor_name",
            "role",
            "action",
            "object_type",
            "object_repr",
            "district_id",
            "from_state",
            "to_state",
            "comment",
            "ip",
        )
        .iterator(chunk_size=CHUNK)
    ):
        labels = states.get(object_type, {})
        append(
            [
                local_time(at),
                data_text(actor),
                roles.get(role, role) or None,
                actions.get(action, action),
                data_text(object_repr),
                districts.get(district_id),
                data_text(labels.get(from_state, from_state)),
                data_text(labels.get(to_state, to_state)),
                data_text(comment),
                ip,
            ]
        )
        written += 1
        if written % PROGRESS_EVERY == 0:
            progress(written, total)
    finish_sheet(layout, written)
    progress(total, total)
    workbook.save(target)
