"""What every submission action shares: lock the row, check the transition table, move and
log."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from campaign.kernel import audit_log
from campaign.kernel.roles import scope_of
from campaign.pipeline.models import Status, Submission
from campaign.workflow import Action, ActionRefused, require_allowed
from communities.models import Community
from scoring.schedule import scores_changed


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


def check(submission: Submission, action: Action, actor: Any) -> Status:
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
    actor: Any,
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
    actor: Any,
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
