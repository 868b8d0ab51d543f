"""Routes of the public notice, objections, naming and the upward recommendation (behaviour in
tests/publication/test_publication.py). The office acts; the leading group reads the
publication page; the public pages answer everyone, with or without a login."""

from typing import Any

from tests.routes import PERSONAS, Route, only


def public_fixture(case: Any) -> dict[str, Any]:
    """A community of its own in an open notice, with one objection carrying a PDF: the
    routes' data does not depend on what the other route lists did to 东北村社区."""
    fixture: dict[str, Any] | None = getattr(case, "_public_fixture", None)
    if fixture is None:
        from campaign.pipeline.models import Status
        from campaign.publication.actions import do_lodge_objection
        from tests.assessment.test_evidence import (
            pdf_bytes,
            upload_file,
            use_temporary_evidence_dir,
        )
        from tests.base import make_community
        from tests.builders import submission_at

        use_temporary_evidence_dir(case)
        community = make_community("371002002071", "公示路由社区")
        submission = submission_at(case.campaign, community, Status.IN_NOTICE, actor=case.office)
        objection = do_lodge_objection(
            submission.notice_id or 0,
            community.code,
            "张三",
            "13800000000",
            "该社区服务中心面积不实。",
            [upload_file("evidence.pdf", pdf_bytes())],
            ip="10.0.0.1",
        )
        fixture = case._public_fixture = {"code": community.code, "reference": objection.reference}
    return fixture


def _year(case: Any) -> list[Any]:
    return [case.campaign.year]


def _objection(case: Any) -> list[Any]:
    return [case.campaign.year, public_fixture(case)["reference"]]


def _community(case: Any) -> list[Any]:
    return [case.campaign.year, public_fixture(case)["code"]]


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, status)


ROUTES: list[Route] = [
    Route("publication", "get", only(200, "office", "leader"), args=_year),
    # Empty forms: refused, the page again with the message and what was typed (400), so nothing
    # changes for the next persona. Naming has no form: refused and sent back.
    Route("notice_publish", "post", only(400, "office"), args=_year),
    Route("name_communities", "post", only(302, "office"), args=_year),
    Route("recommend_upward", "post", only(400, "office"), args=_community),
    Route("objection_detail", "get", only(200, "office"), args=_objection),
    Route("objection_file", "get", only(200, "office"), args=_objection),
    # Investigating needs findings: refused (400), the objection stays as it was.
    Route(
        "objection_handle",
        "post",
        only(400, "office"),
        args=lambda case: [*_objection(case), "investigate"],
    ),
    Route("public_notice", "get", _all(200), public=True, args=_year),
    Route("public_objection", "get", _all(200), public=True, args=_year),
    # An empty form comes back with its errors (and does not count towards the rate limit).
    Route("public_objection", "post", _all(400), public=True, args=_year),
    Route("public_objection_done", "get", _all(200), public=True, args=_objection),
    Route("public_named", "get", _all(200), public=True, args=_year),
]
