"""The one table of what may happen to a submission: from which state, by which role, in which
phase, into which state, on which precondition. Every stage's action functions consult it (via
``campaign.pipeline.actions``) and nothing else, and each user's to-do list is derived from it.

A precondition looks at a stage's own rows (the survey's questionnaires, the objections), so
the table names it and the stage implements it (``<stage>/conditions.py``, registered with
``@implements``); ``campaign/apps.py`` loads every stage's conditions when Django starts, and a
system check refuses to start when a named precondition has no implementation."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core import checks
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.kernel.roles import Role
from campaign.pipeline.models import Campaign, CampaignPhase, Phase, Status, Submission


class ActionRefused(Exception):
    """An action that the state, the role, the dates or the data do not allow. The message is
    for the user and says why."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def with_problems(self) -> str:
        """The message followed by each problem, for a one-line flash message."""
        return " ".join([self.message, *self.problems])


class Action(StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    RETURN = "return"
    RECOMMEND = "recommend"
    WITHDRAW = "withdraw"
    FORWARD = "forward"
    AUDIT_ITEM = "audit_item"
    PASS_AUDIT = "pass_audit"
    REQUEST_REVISION = "request_revision"
    REJECT = "reject"
    ISSUE_CODES = "issue_codes"
    RECORD_SURVEY = "record_survey"
    REVIEW_SURVEY = "review_survey"
    FINISH_SURVEY = "finish_survey"
    OPINE = "opine"
    VETO = "veto"
    LIFT_VETO = "lift_veto"
    CLOSE_REVIEW = "close_review"
    APPROVE = "approve"
    DECLINE = "decline"
    PUBLISH = "publish"
    REMOVE = "remove"
    NAME = "name"
    RECOMMEND_UPWARD = "recommend_upward"


ACTION_NAMES = {
    Action.SAVE: gettext_lazy("保存自评"),
    Action.SUBMIT: gettext_lazy("提交自评"),
    Action.RETURN: gettext_lazy("退回修改"),
    Action.RECOMMEND: gettext_lazy("列入推荐"),
    Action.WITHDRAW: gettext_lazy("撤销推荐"),
    Action.FORWARD: gettext_lazy("报送市办"),
    Action.AUDIT_ITEM: gettext_lazy("审核打分"),
    Action.PASS_AUDIT: gettext_lazy("审核通过"),
    Action.REQUEST_REVISION: gettext_lazy("退回区市修改"),
    Action.REJECT: gettext_lazy("审核不通过"),
    Action.ISSUE_CODES: gettext_lazy("生成或作废调查码"),
    Action.RECORD_SURVEY: gettext_lazy("导入调查问卷"),
    Action.REVIEW_SURVEY: gettext_lazy("核定问卷质量"),
    Action.FINISH_SURVEY: gettext_lazy("结束调查、转入联审"),
    Action.OPINE: gettext_lazy("提出联审意见"),
    Action.VETO: gettext_lazy("一票否决"),
    Action.LIFT_VETO: gettext_lazy("撤回否决"),
    Action.CLOSE_REVIEW: gettext_lazy("结束联审、提交领导小组研究"),
    Action.APPROVE: gettext_lazy("研究通过"),
    Action.DECLINE: gettext_lazy("研究不通过"),
    Action.PUBLISH: gettext_lazy("发布公示"),
    Action.REMOVE: gettext_lazy("因异议成立取消"),
    Action.NAME: gettext_lazy("命名"),
    Action.RECOMMEND_UPWARD: gettext_lazy("择优向上推荐"),
}


class Precondition(StrEnum):
    EVERY_ITEM_AUDITED = "every_item_audited"
    REVISION_REQUESTED = "revision_requested"
    SURVEY_COMPLETE = "survey_complete"
    EVERY_UNIT_REVIEWED = "every_unit_reviewed"
    NOT_VETOED = "not_vetoed"
    OBJECTION_UPHELD = "objection_upheld"
    NOTICE_PASSED = "notice_passed"


# Says, in the user's words, why the submission's data does not allow the move yet, or "".
PreconditionCheck = Callable[[Submission], str]
_CHECKS: dict[Precondition, PreconditionCheck] = {}


def implements(precondition: Precondition) -> Callable[[PreconditionCheck], PreconditionCheck]:
    """Register a stage's function as the check of a precondition the table names."""

    def register(check: PreconditionCheck) -> PreconditionCheck:
        _CHECKS[precondition] = check
        return check

    return register


@checks.register()
def every_precondition_implemented(**_kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"The transition table names the precondition {p.value!r}, which no stage implements.",
            hint="Decorate its check with @implements in that stage's conditions.py.",
            id="campaign.E001",
        )
        for p in Precondition
        if p not in _CHECKS
    ]


@dataclass(frozen=True)
class Transition:
    source: Status
    action: Action
    target: Status
    roles: frozenset[Role]
    # The phase whose dates must be open; None where other dates govern (the notice period).
    phase: Phase | None
    # Checked by the stage that implements it (``implements``).
    precondition: Precondition | None = None


_S, _A = Status, Action
_DISTRICT = frozenset({Role.DISTRICT_STAFF, Role.DISTRICT_ADMIN})
_ADMIN = frozenset({Role.DISTRICT_ADMIN})
_OFFICE = frozenset({Role.OFFICE_AUDITOR})
_UNIT = frozenset({Role.UNIT_REVIEWER})
_LEADER = frozenset({Role.LEADING_GROUP})
_SELF, _RECOMMEND = Phase.SELF_ASSESSMENT, Phase.RECOMMENDATION
_AUDIT, _SURVEY, _JOINT = Phase.AUDIT, Phase.SURVEY, Phase.JOINT_REVIEW
_DECISION, _PUBLICATION = Phase.DECISION, Phase.PUBLICATION

# A returned submission may be corrected until the recommendation deadline, so a late return
# never leaves a district unable to fix what it was asked to fix.
TRANSITIONS = [
    Transition(_S.DRAFT, _A.SAVE, _S.DRAFT, _DISTRICT, _SELF),
    Transition(_S.RETURNED, _A.SAVE, _S.RETURNED, _DISTRICT, _RECOMMEND),
    Transition(_S.DRAFT, _A.SUBMIT, _S.SUBMITTED, _DISTRICT, _SELF),
    Transition(_S.RETURNED, _A.SUBMIT, _S.SUBMITTED, _DISTRICT, _RECOMMEND),
    Transition(_S.SUBMITTED, _A.RETURN, _S.RETURNED, _ADMIN, _RECOMMEND),
    Transition(_S.RECOMMENDED, _A.RETURN, _S.RETURNED, _ADMIN, _RECOMMEND),
    Transition(_S.SUBMITTED, _A.RECOMMEND, _S.RECOMMENDED, _ADMIN, _RECOMMEND),
    Transition(_S.RECOMMENDED, _A.WITHDRAW, _S.SUBMITTED, _ADMIN, _RECOMMEND),
    Transition(_S.RECOMMENDED, _A.FORWARD, _S.FORWARDED, _ADMIN, _RECOMMEND),
    # The office audit. A return for revision goes back to the district, which resubmits to
    # the office directly (the district's list is already sent).
    Transition(_S.FORWARDED, _A.AUDIT_ITEM, _S.FORWARDED, _OFFICE, _AUDIT),
    Transition(
        _S.FORWARDED, _A.PASS_AUDIT, _S.SURVEYING, _OFFICE, _AUDIT, Precondition.EVERY_ITEM_AUDITED
    ),
    Transition(
        _S.FORWARDED,
        _A.REQUEST_REVISION,
        _S.REVISING,
        _OFFICE,
        _AUDIT,
        Precondition.REVISION_REQUESTED,
    ),
    Transition(_S.FORWARDED, _A.REJECT, _S.REJECTED, _OFFICE, _AUDIT),
    Transition(_S.REVISING, _A.SAVE, _S.REVISING, _DISTRICT, _AUDIT),
    Transition(_S.REVISING, _A.SUBMIT, _S.FORWARDED, _DISTRICT, _AUDIT),
    # The satisfaction survey: residents answer by one-time code (not an action: anonymous);
    # the office imports a survey firm's questionnaires and rules on flagged ones.
    Transition(_S.SURVEYING, _A.ISSUE_CODES, _S.SURVEYING, _OFFICE, _SURVEY),
    Transition(_S.SURVEYING, _A.RECORD_SURVEY, _S.SURVEYING, _OFFICE, _SURVEY),
    Transition(_S.SURVEYING, _A.REVIEW_SURVEY, _S.SURVEYING, _OFFICE, _SURVEY),
    Transition(
        _S.SURVEYING,
        _A.FINISH_SURVEY,
        _S.JOINT_REVIEW,
        _OFFICE,
        _SURVEY,
        Precondition.SURVEY_COMPLETE,
    ),
    # The member units' joint review.
    Transition(_S.JOINT_REVIEW, _A.OPINE, _S.JOINT_REVIEW, _UNIT, _JOINT),
    Transition(_S.JOINT_REVIEW, _A.VETO, _S.JOINT_REVIEW, _UNIT, _JOINT),
    Transition(_S.JOINT_REVIEW, _A.LIFT_VETO, _S.JOINT_REVIEW, _UNIT, _JOINT),
    Transition(
        _S.JOINT_REVIEW,
        _A.CLOSE_REVIEW,
        _S.AWAITING_DECISION,
        _OFFICE,
        _JOINT,
        Precondition.EVERY_UNIT_REVIEWED,
    ),
    # The leading group's decision.
    Transition(
        _S.AWAITING_DECISION, _A.APPROVE, _S.APPROVED, _LEADER, _DECISION, Precondition.NOT_VETOED
    ),
    Transition(_S.AWAITING_DECISION, _A.DECLINE, _S.NOT_APPROVED, _LEADER, _DECISION),
    # Public notice; objections and naming follow the notice's own dates.
    Transition(_S.APPROVED, _A.PUBLISH, _S.IN_NOTICE, _OFFICE, _PUBLICATION),
    Transition(_S.IN_NOTICE, _A.REMOVE, _S.REMOVED, _OFFICE, None, Precondition.OBJECTION_UPHELD),
    Transition(_S.IN_NOTICE, _A.NAME, _S.NAMED, _OFFICE, None, Precondition.NOTICE_PASSED),
    Transition(_S.NAMED, _A.RECOMMEND_UPWARD, _S.RECOMMENDED_UPWARD, _OFFICE, None),
]
_BY_SOURCE = {(t.source, t.action): t for t in TRANSITIONS}


def find_transition(status: str, action: Action, role: Role | None) -> Transition:
    """The transition for this state and action, or ActionRefused saying why there is none."""
    transition = _BY_SOURCE.get((Status(status), action))
    if transition is None:
        raise ActionRefused(
            _("当前状态为“%(status)s”，不能%(action)s。")
            % {"status": Status(status).label, "action": ACTION_NAMES[action]}
        )
    if role not in transition.roles:
        raise ActionRefused(_("您的角色不能%(action)s。") % {"action": ACTION_NAMES[action]})
    return transition


def phase_of(status: str, action: Action) -> Phase | None:
    """The phase whose dates govern this action in this state, if the table has the pair."""
    transition = _BY_SOURCE.get((Status(status), action))
    return transition.phase if transition is not None else None


def actions_for(status: str, role: Role | None) -> list[Action]:
    """What the role may do to a submission in this state (dates aside): the to-do list."""
    return [t.action for t in TRANSITIONS if t.source == status and role in t.roles]


def states_needing(role: Role | None, actions: frozenset[Action]) -> list[Status]:
    return sorted({t.source for t in TRANSITIONS if t.action in actions and role in t.roles})


def today() -> datetime.date:
    return timezone.localdate()


def phase_dates(campaign: Campaign) -> dict[str, CampaignPhase]:
    """The campaign's phases by name, read once per Campaign instance (one request or one
    transaction) however many checks a page makes."""
    cached: dict[str, CampaignPhase] | None = getattr(campaign, "_phase_dates", None)
    if cached is None:
        cached = {p.phase: p for p in CampaignPhase.objects.filter(campaign=campaign)}
        campaign._phase_dates = cached  # type: ignore[attr-defined]
    return cached


def require_phase_open(campaign: Campaign, phase: Phase, day: datetime.date | None = None) -> None:
    """Refuse with the dates when the phase is not open today."""
    day = day or today()
    dates = phase_dates(campaign).get(phase)
    if dates is None:
        raise ActionRefused(
            _("“%(phase)s”阶段尚未安排时间，请联系领导小组办公室。") % {"phase": phase.label}
        )
    if day < dates.starts_on:
        raise ActionRefused(
            _("“%(phase)s”阶段将于%(date)s开始，目前还不能办理。")
            % {"phase": phase.label, "date": chinese_date(dates.starts_on)}
        )
    if day > dates.ends_on:
        raise ActionRefused(
            _("“%(phase)s”阶段已于%(date)s截止。如需延期，请联系领导小组办公室。")
            % {"phase": phase.label, "date": chinese_date(dates.ends_on)}
        )


def chinese_date(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def default_schedule(start: datetime.date) -> dict[Phase, tuple[datetime.date, datetime.date]]:
    """The press conference's timetable from a start date (1 July by default): three months of
    全面创建 (7–9月), the districts recommending while it runs and in the first week after the
    National Day holiday, then 推选典型 stage after stage within October, and the public notice
    from November. The office may move any phase before it opens (``do_set_phase_dates``)."""

    def days(n: int) -> datetime.timedelta:
        return datetime.timedelta(days=n)

    self_end = start + days(91)  # 30 September for a 1 July start
    recommend_end = self_end + days(8)  # 10-08
    audit_end = recommend_end + days(7)  # 10-15
    survey_end = audit_end + days(7)  # 10-22
    review_end = survey_end + days(5)  # 10-27
    decision_end = review_end + days(4)  # 10-31
    return {
        Phase.SELF_ASSESSMENT: (start, self_end),
        Phase.RECOMMENDATION: (start, recommend_end),
        Phase.AUDIT: (recommend_end + days(1), audit_end),
        Phase.SURVEY: (audit_end + days(1), survey_end),
        Phase.JOINT_REVIEW: (survey_end + days(1), review_end),
        Phase.DECISION: (review_end + days(1), decision_end),
        Phase.PUBLICATION: (decision_end + days(1), decision_end + days(14)),
    }


def require_allowed(submission: Submission, action: Action, role: Role | None) -> Transition:
    """The transition, once state, role, dates and precondition all allow it."""
    transition = find_transition(submission.status, action, role)
    if transition.phase is not None:
        require_phase_open(submission.campaign, transition.phase)
    if transition.precondition is not None:
        problem = _CHECKS[transition.precondition](submission)
        if problem:
            raise ActionRefused(problem)
    return transition


def refusal(campaign: Campaign, status: str, action: Action, role: Role | None) -> str:
    """Why the action is not possible now (state, role, dates), or "" when it is: for pages
    deciding what to offer. Preconditions are checked when the action runs."""
    try:
        transition = find_transition(status, action, role)
        if transition.phase is not None:
            require_phase_open(campaign, transition.phase)
    except ActionRefused as exc:
        return exc.message
    return ""
