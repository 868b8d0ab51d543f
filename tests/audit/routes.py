"""The office audit routes for the access matrix (tests/audit/test_audit.py owns the
behaviour). Two 环翠区 communities of their own, so no other route list's data is touched: one
forwarded to the office, one in the survey. This campaign's audit phase is not open yet, so the
office's POSTs are refused with a message: the page again with a decision's text as typed
(400), or a redirect where the closed page has nothing to keep (the item rows, the re-check);
the statuses are stable whatever order the personas run in."""

from typing import Any

from campaign.pipeline.models import Status, Submission
from standards.models import Item
from tests.base import make_community
from tests.builders import self_score, submission_at
from tests.routes import Route, only

FORWARDED_CODE, SURVEYING_CODE = "371002001091", "371002001092"


def review_submissions(case: Any) -> tuple[Submission, Submission]:
    made = getattr(case, "_review_submissions", None)
    if made is None:
        forwarded = make_community(FORWARDED_CODE, "审核测试社区")
        surveying = make_community(SURVEYING_CODE, "调查测试社区")
        made = case._review_submissions = (
            submission_at(case.campaign, forwarded, Status.FORWARDED, actor=case.staff),
            submission_at(case.campaign, surveying, Status.SURVEYING, actor=case.office),
        )
    return made


def forwarded(case: Any) -> list[Any]:
    review_submissions(case)
    return [case.campaign.year, FORWARDED_CODE]


def surveying(case: Any) -> list[Any]:
    review_submissions(case)
    return [case.campaign.year, SURVEYING_CODE]


def audit_row(case: Any) -> dict[str, Any]:
    item = Item.objects.get(standard=case.standard, code="1.1")
    return {"score-1.1": str(self_score(item)), "reason-1.1": "", "comment-1.1": "材料齐全"}


YEAR = lambda case: [case.campaign.year]  # noqa: E731
OFFICE_ONLY = only(302, "office")
OFFICE_REFUSED = only(400, "office")

ROUTES: list[Route] = [
    Route("review_list", "get", only(200, "office", "leader"), args=YEAR),
    # Anyone who may read the submission reads its audit; the district reads its own only, and
    # member units see candidates from the joint review on.
    Route(
        "review_audit",
        "get",
        only(200, "staff", "district_admin", "office", "leader", "sysadmin")
        | only(404, "other_staff", "other_admin", "reviewer"),
        args=forwarded,
    ),
    Route("review_audit", "post", OFFICE_ONLY, args=forwarded, data=audit_row),
    Route("review_pass", "post", OFFICE_REFUSED, args=forwarded),
    Route(
        "review_revise",
        "post",
        OFFICE_REFUSED,
        args=forwarded,
        data=lambda case: {"comment": "请补充材料"},
    ),
    Route("review_reject", "post", OFFICE_REFUSED, args=forwarded),
    # One row saved on its own, answered in JSON: refused here (409), the audit phase of this
    # campaign not being open yet; tests/audit/test_integrity.py saves one.
    Route(
        "review_item_save",
        "post",
        only(409, "office"),
        args=lambda case: [*forwarded(case), "1.1"],
        data=lambda case: {**audit_row(case), "version-1.1": ""},
    ),
    Route("review_recheck_figures", "post", OFFICE_ONLY, args=forwarded),
]
