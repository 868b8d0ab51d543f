"""Each user's to-do list (待办), derived from the transition table: the states in which the
user's role has something to do while its phase is open, with how many submissions in the
user's scope are in each, counted in one grouped query."""

from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from campaign.kernel.roles import Capability, Role, scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.access import submissions_for
from campaign.pipeline.models import Campaign, Status
from campaign.pipeline.workflow import ACTION_NAMES, TRANSITIONS, refusal
from campaign.publication.models import OPEN_OBJECTION_STATES, Objection

# Where each role does the work of a state. A state missing here is worked on the
# self-assessment list, filtered to that state.
WORK_PAGES = {
    (Role.DISTRICT_ADMIN, Status.SUBMITTED): "district_review",
    (Role.DISTRICT_ADMIN, Status.RECOMMENDED): "district_review",
    (Role.OFFICE_AUDITOR, Status.FORWARDED): "review_list",
    (Role.OFFICE_AUDITOR, Status.SURVEYING): "survey_list",
    (Role.OFFICE_AUDITOR, Status.JOINT_REVIEW): "joint_review_matrix",
    (Role.OFFICE_AUDITOR, Status.APPROVED): "publication",
    (Role.OFFICE_AUDITOR, Status.IN_NOTICE): "publication",
    (Role.OFFICE_AUDITOR, Status.NAMED): "publication",
    (Role.UNIT_REVIEWER, Status.JOINT_REVIEW): "joint_review_list",
    (Role.LEADING_GROUP, Status.AWAITING_DECISION): "decision_table",
}


@dataclass(frozen=True)
class Todo:
    status: Status
    count: int
    work: str  # what the role does there, e.g. "审核打分、审核通过"
    url: str


def todo_for(user: Actor, campaign: Campaign | None) -> list[Todo]:
    scope = scope_of(user)
    if campaign is None or not scope.can(Capability.VIEW_SUBMISSIONS):
        return []
    role = scope.role
    work: dict[Status, list[str]] = {}
    for transition in TRANSITIONS:
        if role in transition.roles and not refusal(
            campaign, transition.source, transition.action, role
        ):
            names = work.setdefault(transition.source, [])
            name = str(ACTION_NAMES[transition.action])
            if name not in names:
                names.append(name)
    if not work:
        return []
    counts = dict(
        submissions_for(user, campaign)
        .filter(status__in=list(work))
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    todos = []
    for status in Status:  # pipeline order
        if counts.get(status) and status in work:
            page = WORK_PAGES.get((role, status)) if role is not None else None
            if page is None:
                url = reverse("assessment_list", args=[campaign.year]) + f"?status={status.value}"
            else:
                url = reverse(page, args=[campaign.year])
                if page == "review_list":
                    url += f"?status={status.value}"
            todos.append(Todo(status, counts[status], _("、").join(work[status]), url))
    return todos


def open_objections(user: Actor, campaign: Campaign | None) -> int:
    """Objections waiting for the office; counted for the office only."""
    if campaign is None or not scope_of(user).can(Capability.PUBLISH):
        return 0
    return Objection.objects.filter(
        notice__campaign=campaign, status__in=OPEN_OBJECTION_STATES
    ).count()
