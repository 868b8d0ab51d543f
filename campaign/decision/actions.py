"""The leading group's decision (领导小组研究): the meeting with its minutes, and the decision on
each candidate taken at it."""

import dataclasses
import datetime

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.decision.models import DecisionMeeting
from campaign.kernel import audit_log
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.actions import bounded_text, check, locked, move
from campaign.pipeline.files import StoredFiles, inspect_uploads
from campaign.pipeline.items import MAX_COMMENT
from campaign.pipeline.models import Campaign, Submission
from campaign.pipeline.workflow import Action, ActionRefused

MAX_TITLE = 100


def do_record_meeting(
    campaign_id: int,
    held_on: datetime.date | None,
    title: str,
    minutes_file: File | None,
    *,
    actor: Actor,
    ip: str | None = None,
) -> DecisionMeeting:
    """Record a leading-group meeting; its minutes are checked and kept like evidence."""
    if not scope_of(actor).can(Capability.DECIDE):
        raise ActionRefused(_("只有领导小组成员可以录入研究会议。"))
    title = bounded_text(title, MAX_TITLE, _("会议名称"))
    if not title:
        raise ActionRefused(_("请填写会议名称。"))
    if held_on is None:
        raise ActionRefused(_("请填写会议日期。"))
    if held_on > timezone.localdate():
        raise ActionRefused(_("会议日期不能晚于今天：请在会议召开后录入。"))
    if minutes_file is None:
        raise ActionRefused(_("请上传会议纪要。研究结论须有会议纪要为据。"))
    campaign = Campaign.objects.get(pk=campaign_id)
    # The minutes are a document, not a picture to preview: no thumbnail is kept.
    minutes = dataclasses.replace(inspect_uploads([minutes_file])[0], thumbnail=None)
    with StoredFiles() as written, transaction.atomic(durable=True):
        stored_name, _thumbnail = written.store_in(f"{campaign.year}/minutes", minutes)
        meeting = DecisionMeeting.objects.create(
            campaign=campaign,
            held_on=held_on,
            title=title,
            recorded_by=actor,
            original_name=minutes.name,
            kind=minutes.kind,
            size=minutes.size,
            sha256=minutes.sha256,
            stored_name=stored_name,
        )
        audit_log.record(
            "decision.meeting",
            actor=actor,
            target=meeting,
            details={"held_on": held_on.isoformat(), "minutes": minutes.name},
            ip=ip,
        )
    return meeting


def do_decide(
    submission_id: int,
    approve: bool,
    meeting_id: int | None,
    comment: str,
    *,
    actor: Actor,
    ip: str | None = None,
) -> Submission:
    """Approve or decline an awaiting candidate at a recorded meeting. Declining needs the
    reason; a vetoed candidate cannot be approved (the table's precondition)."""
    action = Action.APPROVE if approve else Action.DECLINE
    comment = bounded_text(comment, MAX_COMMENT, _("研究意见"))
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        check(submission, action, actor)
        meeting = (
            DecisionMeeting.objects.filter(
                pk=meeting_id, campaign_id=submission.campaign_id
            ).first()
            if meeting_id is not None
            else None
        )
        if meeting is None:
            raise ActionRefused(_("请选择作出研究决定的本年度领导小组会议（先录入会议及纪要）。"))
        if not approve and not comment:
            raise ActionRefused(_("研究不通过时必须填写理由。"))
        submission.decision_meeting = meeting
        submission.decision_comment = comment
        move(
            submission,
            action,
            actor=actor,
            ip=ip,
            comment=comment,
            details={"meeting": meeting.pk, "held_on": meeting.held_on.isoformat()},
        )
    return submission
