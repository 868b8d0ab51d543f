"""The public notice (公示), objections lodged by the public (异议) and how the office handles
them, naming (命名) and the upward recommendation (择优上报)."""

import dataclasses
import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.kernel import audit_log
from campaign.kernel.roles import Role, scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.actions import bounded_text, check, locked, move
from campaign.pipeline.files import StoredFiles, inspect_uploads
from campaign.pipeline.models import Campaign, Status, Submission, UpwardLevel
from campaign.pipeline.workflow import Action, ActionRefused, chinese_date, today
from campaign.publication.models import Objection, ObjectionStatus, PublicNotice
from campaign.publication.notice import notice_period

MAX_CONTACT = 500
MAX_TEXT = 2000
MAX_OBJECTOR = Objection._meta.get_field("objector").max_length or 100
MAX_OBJECTOR_CONTACT = Objection._meta.get_field("contact").max_length or 100
MAX_REASON = 1000
RATE_WINDOW_SECONDS = 3600


def _require_office(actor: Actor) -> None:
    if scope_of(actor).role != Role.OFFICE_AUDITOR:
        raise ActionRefused(_("只有领导小组办公室可以办理公示、异议和命名。"))


def _required(text: str, label: str, limit: int) -> str:
    text = bounded_text(text, limit, label)
    if not text:
        raise ActionRefused(_("请填写%(label)s。") % {"label": label})
    return text


# -- publishing the notice ------------------------------------------------------------------


def do_publish_notice(
    campaign_id: int, starts_on: datetime.date, contact: str, *, actor: Actor, ip: str | None
) -> PublicNotice:
    """Put every approved community of the campaign on one public notice."""
    _require_office(actor)
    contact = _required(contact, _("异议受理方式"), MAX_CONTACT)
    if starts_on < today():
        raise ActionRefused(_("公示开始日期不能早于今天。"))
    first, last = notice_period(starts_on)
    with transaction.atomic(durable=True):
        # Serialises publishing and lodging within the campaign.
        Campaign.objects.select_for_update().get(pk=campaign_id)
        chosen = list(
            Submission.objects.select_for_update(of=("self",))
            .select_related("campaign", "community")
            .filter(campaign_id=campaign_id, status=Status.APPROVED)
            .order_by("district__display_order", "community__code")
        )
        if not chosen:
            raise ActionRefused(_("没有领导小组研究通过、待公示的社区。"))
        for submission in chosen:
            check(submission, Action.PUBLISH, actor)
        notice = PublicNotice.objects.create(
            campaign_id=campaign_id,
            starts_on=first,
            ends_on=last,
            contact=contact,
            published_by=actor,
        )
        for submission in chosen:
            submission.notice = notice
            move(submission, Action.PUBLISH, actor=actor, ip=ip, details={"notice": notice.pk})
        audit_log.record(
            "notice.publish",
            actor=actor,
            target=notice,
            details={
                "starts_on": first.isoformat(),
                "ends_on": last.isoformat(),
                "communities": [s.community.code for s in chosen],
            },
            ip=ip,
        )
    return notice


# -- objections from the public -------------------------------------------------------------


def rate_key(ip: str | None) -> str:
    return f"campaign:objections:{ip or 'unknown'}"


def admit_objection_attempt(ip: str | None) -> None:
    """Count one objection from this address; refuse past settings.OBJECTIONS_PER_HOUR in
    the hour since its first one. The form is public, so this keeps a script from flooding
    the office."""
    key = rate_key(ip)
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    if count > settings.OBJECTIONS_PER_HOUR:
        raise ActionRefused(
            _("同一网络一小时内最多提交%(n)d件异议，请稍后再试，或按公示中的地址、电话提出。")
            % {"n": settings.OBJECTIONS_PER_HOUR}
        )


def do_lodge_objection(
    notice_id: int,
    community_code: str,
    objector: str,
    contact: str,
    content: str,
    files: list[File],
    *,
    ip: str | None,
) -> Objection:
    """A real-name objection against a community in a notice, while the notice is open."""
    objector = _required(objector, _("异议人姓名或单位"), MAX_OBJECTOR)
    contact = _required(contact, _("联系方式"), MAX_OBJECTOR_CONTACT)
    content = _required(content, _("异议内容"), MAX_TEXT)
    if len(files) > 1:
        raise ActionRefused(_("只能上传一个证据文件。"))
    candidates = inspect_uploads(files) if files else []
    with StoredFiles() as written, transaction.atomic(durable=True):
        notice = PublicNotice.objects.select_related("campaign").get(pk=notice_id)
        # The campaign row numbers the references: two lodgings cannot take the same one.
        campaign = Campaign.objects.select_for_update().get(pk=notice.campaign_id)
        day = today()
        if not notice.starts_on <= day <= notice.ends_on:
            raise ActionRefused(
                _("公示期为%(start)s至%(end)s，目前不在公示期内，不能在线提出异议。")
                % {"start": chinese_date(notice.starts_on), "end": chinese_date(notice.ends_on)}
            )
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("community")
            .filter(notice=notice, community__code=community_code, status=Status.IN_NOTICE)
            .first()
        )
        if submission is None:
            raise ActionRefused(_("所选社区不在本次公示名单中。"))
        prefix = f"YY{campaign.year}-"
        number = Objection.objects.filter(reference__startswith=prefix).count() + 1
        objection = Objection(
            notice=notice,
            submission=submission,
            reference=f"{prefix}{number:04d}",
            objector=objector,
            contact=contact,
            content=content,
            ip=ip,
        )
        for candidate in candidates:
            # No thumbnail: only the office opens the file itself.
            stored, _thumb = written.store_in(
                f"{campaign.year}/objections", dataclasses.replace(candidate, thumbnail=None)
            )
            objection.original_name = candidate.name
            objection.kind = candidate.kind
            objection.size = candidate.size
            objection.sha256 = candidate.sha256
            objection.stored_name = stored
        objection.save()
        # The objector's name and contact stay out of the log: the office reads them on the
        # objection itself.
        audit_log.record(
            "objection.lodge",
            actor_name=_("公众"),
            target=objection,
            district_id=submission.district_id,
            to_state=objection.status,
            details={"community": submission.community.code, "evidence": bool(candidates)},
            ip=ip,
        )
    return objection


# -- the office handles an objection --------------------------------------------------------


class ObjectionAction(StrEnum):
    ACCEPT = "accept"
    INVESTIGATE = "investigate"
    UPHOLD = "uphold"
    DISMISS = "dismiss"


@dataclass(frozen=True)
class ObjectionTransition:
    source: ObjectionStatus
    action: ObjectionAction
    target: ObjectionStatus
    # The objection's field the text goes to; "" where the text is an optional note.
    field: str
    label: Any
    text_label: Any


_O, _OA = ObjectionStatus, ObjectionAction
OBJECTION_TRANSITIONS = {
    (t.source, t.action): t
    for t in (
        ObjectionTransition(
            _O.RECEIVED,
            _OA.ACCEPT,
            _O.ACCEPTED,
            "",
            gettext_lazy("受理"),
            gettext_lazy("受理说明（可不填）"),
        ),
        ObjectionTransition(
            _O.ACCEPTED,
            _OA.INVESTIGATE,
            _O.INVESTIGATED,
            "findings",
            gettext_lazy("录入调查情况"),
            gettext_lazy("调查情况"),
        ),
        ObjectionTransition(
            _O.INVESTIGATED,
            _OA.UPHOLD,
            _O.UPHELD,
            "reply",
            gettext_lazy("异议成立，取消该社区"),
            gettext_lazy("答复意见"),
        ),
        ObjectionTransition(
            _O.INVESTIGATED,
            _OA.DISMISS,
            _O.DISMISSED,
            "reply",
            gettext_lazy("异议不成立"),
            gettext_lazy("答复意见"),
        ),
    )
}
CLOSED = frozenset({ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED})


def objection_actions(status: str) -> list[ObjectionTransition]:
    return [t for (source, _a), t in OBJECTION_TRANSITIONS.items() if source == status]


def do_handle_objection(
    objection_id: int, action: ObjectionAction, text: str, *, actor: Actor, ip: str | None
) -> Objection:
    _require_office(actor)
    with transaction.atomic(durable=True):
        objection = (
            Objection.objects.select_for_update()
            .select_related("submission__community")
            .get(pk=objection_id)
        )
        transition = OBJECTION_TRANSITIONS.get((ObjectionStatus(objection.status), action))
        if transition is None:
            raise ActionRefused(
                _("异议当前为“%(status)s”，不能%(action)s。")
                % {
                    "status": ObjectionStatus(objection.status).label,
                    "action": OBJECTION_TRANSITIONS_LABELS[action],
                }
            )
        if transition.field:
            text = _required(text, str(transition.text_label), MAX_TEXT)
            setattr(objection, transition.field, text)
        else:
            text = (text or "").strip()[:MAX_TEXT]
        previous = objection.status
        objection.status = transition.target
        if transition.target in CLOSED:
            objection.closed_at = timezone.now()
        objection.save()
        audit_log.record(
            f"objection.{action.value}",
            actor=actor,
            target=objection,
            district_id=objection.submission.district_id,
            from_state=previous,
            to_state=objection.status,
            comment=text,
            ip=ip,
        )
        if action == ObjectionAction.UPHOLD:
            submission = locked(objection.submission_id)
            # A second upheld objection finds the community already removed.
            if submission.status == Status.IN_NOTICE:
                move(
                    submission,
                    Action.REMOVE,
                    actor=actor,
                    ip=ip,
                    comment=text,
                    details={"objection": objection.reference},
                )
    return objection


OBJECTION_TRANSITIONS_LABELS = {t.action: t.label for t in OBJECTION_TRANSITIONS.values()}


def do_accept_objection(
    objection_id: int, text: str = "", *, actor: Actor, ip: str | None
) -> Objection:
    return do_handle_objection(objection_id, ObjectionAction.ACCEPT, text, actor=actor, ip=ip)


def do_investigate_objection(
    objection_id: int, text: str, *, actor: Actor, ip: str | None
) -> Objection:
    return do_handle_objection(objection_id, ObjectionAction.INVESTIGATE, text, actor=actor, ip=ip)


def do_uphold_objection(objection_id: int, text: str, *, actor: Actor, ip: str | None) -> Objection:
    return do_handle_objection(objection_id, ObjectionAction.UPHOLD, text, actor=actor, ip=ip)


def do_dismiss_objection(
    objection_id: int, text: str, *, actor: Actor, ip: str | None
) -> Objection:
    return do_handle_objection(objection_id, ObjectionAction.DISMISS, text, actor=actor, ip=ip)


# -- naming and the upward recommendation ---------------------------------------------------


@dataclass
class NamingOutcome:
    named: list[Submission]
    blocked: list[tuple[Submission, str]]


def do_name_communities(campaign_id: int, *, actor: Actor, ip: str | None) -> NamingOutcome:
    """Name every community whose notice has ended with no open objection; say why the others
    must wait."""
    _require_office(actor)
    outcome = NamingOutcome([], [])
    with transaction.atomic(durable=True):
        candidates = list(
            Submission.objects.select_for_update(of=("self",))
            .select_related("campaign", "community", "notice")
            .filter(campaign_id=campaign_id, status=Status.IN_NOTICE)
            .order_by("district__display_order", "community__code")
        )
        if not candidates:
            raise ActionRefused(_("没有公示中的社区，无需命名。"))
        for submission in candidates:
            try:
                check(submission, Action.NAME, actor)
            except ActionRefused as exc:
                outcome.blocked.append((submission, exc.message))
                continue
            submission.named_on = today()
            move(submission, Action.NAME, actor=actor, ip=ip)
            outcome.named.append(submission)
        if not outcome.named:
            raise ActionRefused(
                _("暂时没有可以命名的社区："),
                [f"{s.community.name}：{reason}" for s, reason in outcome.blocked],
            )
    return outcome


def do_recommend_upward(
    submission_id: int, level: str, reason: str, *, actor: Actor, ip: str | None
) -> Submission:
    if level not in UpwardLevel.values:
        raise ActionRefused(_("请选择向省级还是全国推荐。"))
    reason = _required(reason, _("推荐理由"), MAX_REASON)
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        submission.upward_level = level
        submission.upward_reason = reason
        move(
            submission,
            Action.RECOMMEND_UPWARD,
            actor=actor,
            ip=ip,
            comment=reason,
            details={"level": level},
        )
    return submission
