"""Access-matrix routes of the joint review and the leading group's decision (the behaviour is
tested in test_joint_review and test_decision).

The fixtures are made on first use, with communities of their own so no other list's data is
touched: a 环翠区 and a 文登区 candidate in the joint review, a 环翠区 candidate awaiting the
decision, and a meeting with its minutes. City roles are not bound to a district, so both
candidates answer the same; district roles lack the capabilities (403). The POSTs that are
allowed are refused by the action where they would change a state (units still behind, no
reason to decline) and show the page again with the message and what was typed (400), so the
later personas see the same."""

from typing import Any

from django.utils import timezone

from campaign.decision import actions
from campaign.pipeline.models import Status
from tests.assessment.test_evidence import pdf_bytes, upload_file, use_temporary_evidence_dir
from tests.base import make_community
from tests.builders import open_every_phase, submission_at
from tests.routes import Route, only

JOINT_OWN, JOINT_OTHER, AWAITING = "371002002061", "371003001061", "371002002062"


def fixtures(case: Any) -> dict[str, Any]:
    made = getattr(case, "_joint_routes", None)
    if made is None:
        use_temporary_evidence_dir(case)
        open_every_phase(case.campaign)
        for code, name, status in (
            (JOINT_OWN, "联审甲社区", Status.JOINT_REVIEW),  # i18n-data
            (JOINT_OTHER, "联审乙社区", Status.JOINT_REVIEW),  # i18n-data
            (AWAITING, "待研究社区", Status.AWAITING_DECISION),  # i18n-data
        ):
            submission_at(case.campaign, make_community(code, name), status, actor=case.office)
        meeting = actions.do_record_meeting(
            case.campaign.pk,
            timezone.localdate(),
            "领导小组会议",  # i18n-data
            upload_file("minutes.pdf", pdf_bytes()),
            actor=case.leader,
        )
        made = case._joint_routes = {"meeting": meeting.pk}
    return made


def year(case: Any) -> list[Any]:
    fixtures(case)
    return [2020]


def joint_own(case: Any) -> list[Any]:
    fixtures(case)
    return [2020, JOINT_OWN]


def joint_other(case: Any) -> list[Any]:
    fixtures(case)
    return [2020, JOINT_OTHER]


def awaiting(case: Any) -> list[Any]:
    fixtures(case)
    return [2020, AWAITING]


ROUTES: list[Route] = [
    Route("joint_review_list", "get", only(200, "reviewer", office=302), args=year),
    Route("joint_review_matrix", "get", only(200, "office", "leader"), args=year),
    Route("joint_review_detail", "get", only(200, "reviewer"), args=joint_own),
    Route("joint_review_detail", "get", only(200, "reviewer"), args=joint_other),
    Route(
        "joint_review_detail",
        "post",
        only(302, "reviewer"),
        args=joint_own,
        data=lambda case: {"agrees-2.1": "yes"},
    ),
    Route(
        "joint_review_veto",
        "post",
        only(302, "reviewer"),
        args=joint_own,
        data=lambda case: {"reason": "存在重大问题"},  # i18n-data
    ),
    Route("joint_review_lift_veto", "post", only(302, "reviewer"), args=joint_own),
    Route("joint_review_reminders_read", "post", only(302, "reviewer"), args=year),
    Route(
        "joint_review_remind",
        "post",
        only(302, "office"),
        args=lambda case: [*year(case), "mzj"],
    ),
    # Every unit is still behind: refused, back to the matrix with the units named.
    Route("joint_review_close", "post", only(302, "office"), args=joint_own),
    Route("decision_table", "get", only(200, "leader", "office"), args=year),
    # Without minutes: refused, the table again with what was typed (400).
    Route("decision_meeting_create", "post", only(400, "leader"), args=year),
    # Declining without a reason: refused, the table again with what was typed (400).
    Route(
        "decision_record",
        "post",
        only(400, "leader"),
        args=awaiting,
        data=lambda case: {"decision": "decline", "meeting": fixtures(case)["meeting"]},
    ),
    Route(
        "meeting_minutes",
        "get",
        only(200, "leader", "office"),
        args=lambda case: [fixtures(case)["meeting"]],
    ),
]
