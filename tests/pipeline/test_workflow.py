"""The transition table, exercised through the real action functions: every state × action ×
role outside the table is refused and leaves the submission and the audit log as they were;
every row of the table moves the submission and writes exactly one audit row about it."""

import contextlib
import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.urls import reverse

from campaign.assessment.actions import do_save_item, do_submit
from campaign.audit.actions import (
    AuditRow,
    do_audit_items,
    do_pass_audit,
    do_reject,
    do_request_revision,
)
from campaign.decision.actions import do_decide
from campaign.decision.models import DecisionMeeting
from campaign.district.actions import (
    do_forward_district,
    do_recommend,
    do_return,
    do_withdraw_recommendation,
)
from campaign.joint.actions import do_close_review, do_give_opinion, do_lift_veto, do_veto
from campaign.kernel.models import AuditEvent
from campaign.kernel.roles import Role
from campaign.pipeline.models import DistrictQuota, Status, Submission, UnitVeto
from campaign.pipeline.workflow import TRANSITIONS, Action, ActionRefused
from campaign.publication.actions import do_name_communities, do_publish_notice, do_uphold_objection
from campaign.publication.models import Objection, ObjectionStatus, PublicNotice
from campaign.survey.actions import do_finish_survey, do_generate_codes, do_review_questionnaires
from campaign.survey.import_actions import do_import_survey
from campaign.survey.models import Quality, SurveyResponse
from standards.models import Item, MemberUnit
from tests.base import CampaignTestCase, make_community, undone
from tests.builders import (
    answer_survey,
    audit_every_item,
    open_every_phase,
    review_every_item,
    self_assess_every_item,
    self_score,
    submission_at,
    today,
)
from tests.spreadsheets import survey_row, survey_workbook

Perform = Callable[[Any, Submission, Any], object]
# These pick their submissions themselves (a district's list, the approved, those whose notice
# ended) or act on an objection: for a submission in another state they may still do their
# work on others, but never touch it.
ACTING_ON_OTHERS = frozenset({Action.FORWARD, Action.PUBLISH, Action.NAME, Action.REMOVE})


def _items(case: Any) -> list[Item]:
    return list(Item.objects.filter(standard=case.standard).order_by("display_order"))


def _remit_item(case: Any) -> Item:
    return Item.objects.filter(standard=case.standard, units__code="mzj").earliest("display_order")


def _forward(case: Any, submission: Submission, actor: Any) -> object:
    return do_forward_district(case.campaign.pk, submission.district_id, actor=actor)


PERFORM: dict[Action, Perform] = {
    Action.SAVE: lambda case, s, actor: do_save_item(
        case.campaign.pk,
        s.community_id,
        _items(case)[0].pk,
        score="1",
        explanation="已落实。",
        expected_version=None,
        actor=actor,
    ),
    Action.SUBMIT: lambda case, s, actor: do_submit(s.pk, actor=actor),
    Action.RETURN: lambda case, s, actor: do_return(s.pk, "请补充材料。", actor=actor),
    Action.RECOMMEND: lambda case, s, actor: do_recommend(s.pk, 1, "特色鲜明。", actor=actor),
    Action.WITHDRAW: lambda case, s, actor: do_withdraw_recommendation(s.pk, actor=actor),
    Action.FORWARD: _forward,
    Action.AUDIT_ITEM: lambda case, s, actor: do_audit_items(
        s.pk, {_items(case)[0].pk: AuditRow(score=self_score(_items(case)[0]))}, actor=actor
    ),
    Action.PASS_AUDIT: lambda case, s, actor: do_pass_audit(s.pk, actor=actor),
    Action.REQUEST_REVISION: lambda case, s, actor: do_request_revision(
        s.pk, "请按要求修改。", actor=actor
    ),
    Action.REJECT: lambda case, s, actor: do_reject(s.pk, "材料不实。", actor=actor),
    Action.ISSUE_CODES: lambda case, s, actor: do_generate_codes(s.pk, "3", actor=actor),
    Action.RECORD_SURVEY: lambda case, s, actor: do_import_survey(
        case.campaign.pk, "问卷.xlsx", _survey_sheet(case, s), actor=actor
    ),
    Action.REVIEW_SURVEY: lambda case, s, actor: do_review_questionnaires(
        s.pk, {_flagged(s): True}, actor=actor
    ),
    Action.FINISH_SURVEY: lambda case, s, actor: do_finish_survey(s.pk, actor=actor),
    Action.OPINE: lambda case, s, actor: do_give_opinion(
        s.pk, _remit_item(case).pk, True, "", Decimal(0), actor=actor
    ),
    Action.VETO: lambda case, s, actor: do_veto(s.pk, "发生重大安全事故。", actor=actor),
    Action.LIFT_VETO: lambda case, s, actor: do_lift_veto(s.pk, actor=actor),
    Action.CLOSE_REVIEW: lambda case, s, actor: do_close_review(s.pk, actor=actor),
    Action.APPROVE: lambda case, s, actor: do_decide(s.pk, True, case.meeting.pk, "", actor=actor),
    Action.DECLINE: lambda case, s, actor: do_decide(
        s.pk, False, case.meeting.pk, "排名靠后。", actor=actor
    ),
    Action.PUBLISH: lambda case, s, actor: do_publish_notice(
        case.campaign.pk, today(), "市民政局，电话0631-0000000", actor=actor, ip=None
    ),
    Action.REMOVE: lambda case, s, actor: do_uphold_objection(
        _objection(case, s).pk, "经核实异议成立。", actor=actor, ip=None
    ),
    Action.NAME: lambda case, s, actor: do_name_communities(case.campaign.pk, actor=actor, ip=None),
    Action.RECOMMEND_UPWARD: lambda case, s, actor: _upward(s, actor),
}


def _upward(submission: Submission, actor: Any) -> object:
    from campaign.publication.actions import do_recommend_upward

    return do_recommend_upward(submission.pk, "province", "成效突出。", actor=actor, ip=None)


def _flagged(submission: Submission) -> int:
    """A questionnaire of the submission flagged as answered too fast."""
    response = answer_survey(submission, {"满意": 1})[0]
    SurveyResponse.objects.filter(pk=response.pk).update(
        too_fast=True, duration_seconds=5, quality=Quality.FLAGGED
    )
    return response.pk


def _survey_sheet(case: Any, submission: Submission) -> bytes:
    """A survey firm's workbook with one questionnaire for the submission's community."""
    return survey_workbook(case.campaign, [survey_row(submission.community.code, "W0001")])


def _objection(case: Any, submission: Submission) -> Objection:
    """An investigated objection against the submission (or a placeholder one)."""
    found = Objection.objects.filter(submission=submission).first()
    if found is not None:
        return found
    notice = submission.notice or case.notice
    return Objection.objects.create(
        notice=notice,
        submission=submission,
        reference=f"T{submission.pk}",
        objector="张三",
        contact="13800000000",
        content="该社区服务中心面积不实。",
        status=ObjectionStatus.INVESTIGATED,
        findings="现场核实面积不足。",
    )


# What makes each row's precondition true, done before the legal run.
def _prepare(case: Any, submission: Submission, action: Action) -> None:
    items = list(Item.objects.filter(standard=case.standard).prefetch_related("units"))
    if action == Action.SUBMIT and not submission.assessments.exists():
        self_assess_every_item(submission, items, case.staff)
    elif action in (Action.PASS_AUDIT, Action.REQUEST_REVISION):
        request = "请补充照片。" if action == Action.REQUEST_REVISION else ""
        audit_every_item(submission, items, case.office, revision_request=request)
    elif action == Action.FINISH_SURVEY:
        answer_survey(submission)
    elif action == Action.LIFT_VETO:
        UnitVeto.objects.create(
            submission=submission, unit=case.unit, reason="否决。", vetoed_by=case.reviewer
        )
    elif action == Action.CLOSE_REVIEW:
        review_every_item(submission, items, case.reviewer)
    elif action == Action.REMOVE:
        _objection(case, submission)
    elif action == Action.NAME:
        PublicNotice.objects.filter(submissions=submission).update(
            starts_on=today() - datetime.timedelta(days=10),
            ends_on=today() - datetime.timedelta(days=1),
        )


class TransitionMatrixTests(CampaignTestCase):
    unit: MemberUnit
    actors: dict[Role, Any]
    meeting: DecisionMeeting
    subjects: dict[Status, Submission]
    notice: Any

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        open_every_phase(cls.campaign)
        DistrictQuota.objects.filter(campaign=cls.campaign).update(quota=5)
        cls.unit = MemberUnit.objects.get(code="mzj")
        cls.actors = {
            Role.DISTRICT_STAFF: cls.staff,
            Role.DISTRICT_ADMIN: cls.district_admin,
            Role.OFFICE_AUDITOR: cls.office,
            Role.UNIT_REVIEWER: cls.reviewer,
            Role.LEADING_GROUP: cls.leader,
            Role.SYSTEM_ADMIN: cls.sysadmin,
        }
        cls.meeting = DecisionMeeting.objects.create(
            campaign=cls.campaign, held_on=today(), title="第一次会议", recorded_by=cls.leader
        )
        # One submission per state, each its own community of 环翠区 (the personas' district).
        cls.subjects = {
            status: submission_at(
                cls.campaign,
                make_community(f"371002001{200 + index}", f"状态社区{index}"),
                status,
                actor=cls.office,
            )
            for index, status in enumerate(Status)
        }
        cls.notice = cls.subjects[Status.IN_NOTICE].notice

    def audit_rows(self, submission: Submission) -> int:
        return AuditEvent.objects.filter(
            object_type="submission", object_id=str(submission.pk)
        ).count()

    def test_every_state_action_role_outside_the_table_is_refused(self) -> None:
        legal = {(t.source, t.action, role) for t in TRANSITIONS for role in t.roles}
        for status, subject in self.subjects.items():
            for action in Action:
                for role, actor in self.actors.items():
                    if (status, action, role) in legal:
                        continue
                    with (
                        self.subTest(status=status.value, action=action.value, role=role.value),
                        undone(),
                    ):
                        events = AuditEvent.objects.count()
                        with contextlib.suppress(ActionRefused):
                            PERFORM[action](self, subject, actor)
                        subject.refresh_from_db()
                        self.assertEqual(subject.status, status)
                        self.assertEqual(self.audit_rows(subject), 0)
                        if action not in ACTING_ON_OTHERS:
                            self.assertEqual(AuditEvent.objects.count(), events)

    def test_every_row_of_the_table_moves_and_writes_one_audit_row(self) -> None:
        for transition in TRANSITIONS:
            for role in transition.roles:
                subject = self.subjects[transition.source]
                with (
                    self.subTest(
                        source=transition.source.value, action=transition.action.value, role=role
                    ),
                    undone(),
                ):
                    _prepare(self, subject, transition.action)
                    subject.refresh_from_db()
                    PERFORM[transition.action](self, subject, self.actors[role])
                    subject.refresh_from_db()
                    self.assertEqual(subject.status, transition.target)
                    self.assertEqual(self.audit_rows(subject), 1)
                    event = AuditEvent.objects.get(
                        object_type="submission", object_id=str(subject.pk)
                    )
                    self.assertEqual(event.action, f"assessment.{transition.action.value}")
                    self.assertEqual(event.role, role)
                    self.assertEqual(
                        (event.from_state, event.to_state), (transition.source, transition.target)
                    )


class TodoTests(CampaignTestCase):
    """Each role's first page lists its work, derived from the same table."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        open_every_phase(cls.campaign)
        for index, status in enumerate(
            [Status.FORWARDED, Status.SURVEYING, Status.JOINT_REVIEW, Status.AWAITING_DECISION]
        ):
            community = make_community(f"371002001{300 + index}", f"待办社区{index}")
            submission_at(cls.campaign, community, status, actor=cls.office)

    def test_each_role_sees_its_own_work(self) -> None:
        expected = {
            self.office: ["review_list", "survey_list", "joint_review_matrix"],
            self.reviewer: ["joint_review_list"],
            self.leader: ["decision_table"],
        }
        for user, pages in expected.items():
            with self.subTest(user=user.username):
                self.login(user)
                page = self.client.get(reverse("home")).content.decode()
                self.assertIn("待办事项", page)
                for name in pages:
                    self.assertIn(reverse(name, args=[2020]), page)
        self.login(self.sysadmin)
        self.assertNotIn("待办事项", self.client.get(reverse("home")).content.decode())
