"""What became of a community in the campaign, stage by stage, with each decision's reason: the
district sees why, not only that (the office's rejection, the leading group's decline…)."""

from dataclasses import dataclass, field
from typing import Any

from campaign.kernel.models import AuditEvent
from campaign.kernel.roles import Role
from campaign.pipeline.models import ItemAudit, Status, Submission
from campaign.pipeline.workflow import ACTION_NAMES, Action

# The audit-log actions that decide something about a submission, by their transition.
_DECISIONS = {f"assessment.{action.value}": action for action in Action}
_WORK_WITHIN_A_STATE = {Action.SAVE, Action.AUDIT_ITEM, Action.ISSUE_CODES, Action.OPINE}
_WORK_WITHIN_A_STATE |= {Action.RECORD_SURVEY, Action.REVIEW_SURVEY}


@dataclass
class Step:
    """One decision: when, who (by role), what, from which state to which, and why."""

    at: Any
    role: str
    action: str
    from_state: str
    to_state: str
    reason: str


@dataclass
class Outcome:
    submission: Submission
    steps: list[Step]
    revision_requests: list[tuple[str, str]] = field(default_factory=list)
    vetoes: list[tuple[str, str]] = field(default_factory=list)
    # Why the office removed the community from the notice (the upheld objection's reply).
    removal_reason: str = ""


def _state(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def outcome_of(submission: Submission) -> Outcome:
    """The submission's decisions from the append-only audit log, oldest first, with the
    office's per-item revision requests of the last round returned, and the vetoes (an
    upheld objection is the office's 取消 step, with its reason)."""
    events = AuditEvent.objects.filter(
        object_type="submission", object_id=str(submission.pk), action__in=list(_DECISIONS)
    ).order_by("at", "pk")
    steps = []
    removal_reason = ""
    for event in events:
        action = _DECISIONS[event.action]
        if action in _WORK_WITHIN_A_STATE:
            continue
        if action == Action.REMOVE:
            removal_reason = event.comment
        steps.append(
            Step(
                at=event.at,
                role=str(Role(event.role).label) if event.role in Role.values else event.role,
                action=str(ACTION_NAMES[action]),
                from_state=_state(event.from_state),
                to_state=_state(event.to_state),
                reason=event.comment,
            )
        )
    returned = ItemAudit.objects.filter(
        submission=submission, round=_last_returned_round(submission)
    ).exclude(revision_request="")
    requests = [
        (f"{a.item.code} {a.item.title}", a.revision_request)
        for a in returned.select_related("item").order_by("item__display_order")
    ]
    vetoes = [(v.unit.name, v.reason) for v in submission.vetoes.select_related("unit")]
    return Outcome(submission, steps, requests, vetoes, removal_reason)


def _last_returned_round(submission: Submission) -> int:
    """The round the office last returned for revision (the current one while revising)."""
    if submission.status == Status.REVISING:
        return submission.audit_round
    return submission.audit_round - 1
