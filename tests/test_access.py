"""Who may reach what: every route × every persona, with the object from their own district and
from another. Out of scope is 404 (the object is not there for them); wrong role is 403."""

from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaign.kernel.models import AuditEvent
from campaign.kernel.roles import Role
from tests.assessment.test_evidence import evidence_route_args
from tests.audit import routes as audit_routes
from tests.base import CampaignTestCase
from tests.joint import routes as joint_routes
from tests.publication import routes as publication_routes
from tests.routes import PERSONAS, Route, everyone, only
from tests.scoring import routes as scoring_routes
from tests.scoring import routes_dashboard as dashboard_routes
from tests.scoring import routes_exports as export_routes
from tests.survey import routes as survey_routes
from tests.survey import routes_import as survey_import_routes
from tests.survey import routes_public as survey_public_routes


def community_form(case: Any) -> dict[str, Any]:
    c = case.dongbei
    return {
        "name": c.name,
        "kind": c.kind,
        "construction": c.construction,
        "households": 2100,
        "population": c.population,
        "compounds": c.compounds,
        "service_area": "700",
        "full_time_workers": 7,
        "grid_count": c.grid_count,
        "work_funds_wan": "8",
        "party_fund_wan": "20",
        "contact_person": "",
        "contact_phone": "",
    }


OWN_COMMUNITY = lambda case: [case.dongbei.code]  # noqa: E731 - 环翠区: the staff personas' own district
STANDARD = lambda case: [case.standard.pk]  # noqa: E731
YEAR = lambda case: [2020]  # noqa: E731
OWN_COMMUNITY_IN_YEAR = lambda case: [2020, case.dongbei.code]  # noqa: E731
EXTEND = lambda case: [2020, "self_assessment"]  # noqa: E731
EXTENSION = lambda case: {"ends_on": "2099-12-31", "reason": "延期"}  # noqa: E731
PHASE = lambda case: [2020, "publication"]  # noqa: E731
DATES = lambda case: {"starts_on": "2099-01-01", "ends_on": "2099-01-31", "reason": "调整"}  # noqa: E731
CITY_AND_OTHER_DISTRICT = (
    "other_staff",
    "other_admin",
    "office",
    "reviewer",
    "leader",
    "sysadmin",
)

ROUTES = [
    Route("home", "get", everyone(), denied=200),
    Route("community_list", "get", everyone()),
    # The other district's staff and admin hold the role, but the community is not theirs: 404.
    Route(
        "community_detail",
        "get",
        everyone() | only(404, "other_staff", "other_admin"),
        args=OWN_COMMUNITY,
    ),
    Route(
        "community_edit",
        "get",
        only(200, "staff", "district_admin", "sysadmin", other_staff=404, other_admin=404),
        args=OWN_COMMUNITY,
    ),
    Route(
        "community_edit",
        "post",
        only(302, "staff", "district_admin", "sysadmin", other_staff=404, other_admin=404),
        args=OWN_COMMUNITY,
        data=community_form,
    ),
    Route(
        "register_export",
        "get",
        only(200, "staff", "district_admin", "other_staff", "other_admin", "office", "sysadmin"),
    ),
    Route("register_import", "get", only(200, "district_admin", "other_admin", "sysadmin")),
    Route(
        "register_import_confirm", "post", only(302, "district_admin", "other_admin", "sysadmin")
    ),
    Route("standard_list", "get", everyone()),
    Route("standard_detail", "get", everyone(), args=STANDARD),
    Route("standard_export", "get", everyone(), args=STANDARD),
    Route("standard_import", "get", only(200, "sysadmin")),
    Route("standard_import_confirm", "post", only(302, "sysadmin")),
    Route("standard_new_version", "post", only(302, "sysadmin"), args=STANDARD),
    Route("audit_log", "get", only(200, "district_admin", "other_admin", "office", "sysadmin")),
    Route("system_status", "get", only(200, "sysadmin")),
    Route("worker_probe", "post", only(302, "sysadmin")),
    # Self-assessment (tests/assessment/test_assessment.py owns the behaviour). The routes run in
    # this order: the save below starts 东北村社区's draft, which the later routes act on.
    Route("campaign_schedule", "get", everyone(), args=YEAR),
    # The office extends to 2099-12-31; the administrator's same date is then refused (not
    # later than the deadline): the page again with the message and what was typed.
    Route("phase_extend", "post", only(302, "office", sysadmin=400), args=EXTEND, data=EXTENSION),
    Route("phase_dates", "post", only(302, "office", "sysadmin"), args=PHASE, data=DATES),
    Route("assessment_list", "get", everyone(), args=YEAR),
    # City roles see a submission only once the district has sent it on: a draft is not there.
    Route(
        "assessment_detail",
        "get",
        only(200, "staff", "district_admin") | only(404, *CITY_AND_OTHER_DISTRICT),
        args=OWN_COMMUNITY_IN_YEAR,
    ),
    Route(
        "assessment_item_save",
        "post",
        only(302, "staff", "district_admin", other_staff=404, other_admin=404),
        args=lambda case: [2020, case.dongbei.code, "1.1"],
        data=lambda case: {"score": "3", "explanation": "落实到位。"},
    ),
    # Incomplete: the page comes back listing the missing items.
    Route(
        "assessment_submit",
        "post",
        only(400, "staff", "district_admin", other_staff=404, other_admin=404),
        args=OWN_COMMUNITY_IN_YEAR,
    ),
    Route("district_review", "get", only(200, "district_admin", "other_admin"), args=YEAR),
    # Refused (nothing typed): the page again with the message, what was typed kept.
    *(
        Route(
            name, "post", only(400, "district_admin", other_admin=404), args=OWN_COMMUNITY_IN_YEAR
        )
        for name in ("submission_return", "submission_recommend")
    ),
    Route(
        "submission_withdraw",
        "post",
        only(302, "district_admin", other_admin=404),
        args=OWN_COMMUNITY_IN_YEAR,
    ),
    # A draft's outcome: its own district reads it; the city sees nothing before it is sent.
    Route(
        "submission_outcome",
        "get",
        only(200, "staff", "district_admin")
        | only(404, "other_staff", "other_admin", "office", "reviewer", "leader", "sysadmin"),
        args=OWN_COMMUNITY_IN_YEAR,
    ),
    Route("district_forward", "post", only(302, "district_admin", "other_admin"), args=YEAR),
    # -- evidence routes (tests/assessment/test_evidence.py owns the behaviour) --
    # A draft of 东北村社区 with one PNG linked to 1.1. Changes need ASSESS (district roles, own
    # district); reading needs VIEW_SUBMISSIONS, and city roles see only forwarded ones: 404.
    Route(
        "evidence_upload",
        "post",
        only(302, "staff", "district_admin", other_staff=404, other_admin=404),
        args=lambda case: evidence_route_args(case, "evidence_upload"),
    ),
    Route(
        "evidence_unlink",
        "post",
        only(302, "staff", "district_admin", other_staff=404, other_admin=404),
        args=lambda case: evidence_route_args(case, "evidence_unlink"),
    ),
    Route(
        "evidence_file",
        "get",
        only(200, "staff", "district_admin") | only(404, *CITY_AND_OTHER_DISTRICT),
        args=lambda case: evidence_route_args(case, "evidence_file"),
    ),
    Route(
        "evidence_thumbnail",
        "get",
        only(200, "staff", "district_admin") | only(404, *CITY_AND_OTHER_DISTRICT),
        args=lambda case: evidence_route_args(case, "evidence_thumbnail"),
    ),
    # -- offline sheet routes (tests/assessment/test_sheet.py owns the behaviour) --
    # City roles see a submission only once forwarded; dongbei is not even started: 404.
    Route(
        "assessment_sheet",
        "get",
        only(200, "staff", "district_admin") | only(404, *CITY_AND_OTHER_DISTRICT),
        args=lambda case: [case.campaign.year, case.dongbei.code],
    ),
    Route(
        "assessment_sheet_upload",
        "get",
        only(200, "staff", "district_admin", other_staff=404, other_admin=404),
        args=lambda case: [case.campaign.year, case.dongbei.code],
    ),
    # Without a staged file the confirmation sends the user back to the upload form.
    Route(
        "assessment_sheet_confirm",
        "post",
        only(302, "staff", "district_admin", other_staff=404, other_admin=404),
        args=lambda case: [case.campaign.year, case.dongbei.code],
    ),
    # The review pipeline: each list lives beside the tests that own the behaviour.
    *audit_routes.ROUTES,
    *survey_routes.ROUTES,
    *survey_import_routes.ROUTES,
    *survey_public_routes.ROUTES,
    *joint_routes.ROUTES,
    *publication_routes.ROUTES,
    *scoring_routes.ROUTES,
    *export_routes.ROUTES,
    *dashboard_routes.ROUTES,
    Route("login", "get", everyone(302), denied=302),
    Route("logout", "post", everyone(302), denied=302),
]


class AccessMatrixTests(CampaignTestCase):
    def persona(self, name: str) -> Any:
        return {"nobody": self.nobody}.get(name) or getattr(self, name)

    def test_every_route_for_every_persona(self) -> None:
        for route in ROUTES:
            url = reverse(route.name, args=route.args(self))
            for persona in PERSONAS:
                expected = route.allowed.get(persona, route.denied)
                with self.subTest(route=route.name, method=route.method, persona=persona):
                    self.client.force_login(self.persona(persona))
                    response = getattr(self.client, route.method)(url, route.data(self))
                    # File downloads stream and have no .content.
                    body = b"" if response.streaming else response.content[:300]
                    self.assertEqual(response.status_code, expected, body)

    def test_anonymous_visitors_are_sent_to_login(self) -> None:
        for route in ROUTES:
            if route.name in ("login", "logout") or route.public:
                continue
            url = reverse(route.name, args=route.args(self))
            with self.subTest(route=route.name):
                response = getattr(self.client, route.method)(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assertEqual(self.client.get(reverse("login")).status_code, 200)

    def test_the_matrix_covers_every_route_of_the_project(self) -> None:
        def names(patterns: list[Any], skip: str = "admin") -> set[str]:
            found = set()
            for pattern in patterns:
                if isinstance(pattern, URLResolver):
                    if pattern.app_name != skip:
                        found |= names(pattern.url_patterns)
                elif isinstance(pattern, URLPattern) and pattern.name:
                    found.add(pattern.name)
            return found

        self.assertEqual(names(get_resolver().url_patterns), {route.name for route in ROUTES})

    def test_only_system_admins_reach_the_admin_site(self) -> None:
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                self.client.force_login(self.persona(persona))
                response = self.client.get("/admin/")
                self.assertEqual(response.status_code, 200 if persona == "sysadmin" else 302)


class ScopedContentTests(CampaignTestCase):
    """Lists show only the user's district; nothing of another district leaks into them."""

    def test_register_list(self) -> None:
        self.login(self.staff)
        content = self.client.get(reverse("community_list")).content.decode()
        self.assertIn("东北村社区", content)
        self.assertNotIn("龙山社区", content)
        self.login(self.office)
        content = self.client.get(reverse("community_list")).content.decode()
        self.assertIn("东北村社区", content)
        self.assertIn("龙山社区", content)

    def test_district_filter_cannot_widen_the_scope(self) -> None:
        self.login(self.staff)
        response = self.client.get(reverse("community_list"), {"district": self.wendeng.pk})
        self.assertNotIn("龙山社区", response.content.decode())

    def test_export_holds_only_the_own_district(self) -> None:
        from io import BytesIO

        from openpyxl import load_workbook

        self.login(self.other_staff)
        response = self.client.get(reverse("register_export"))
        sheet = load_workbook(BytesIO(response.content)).worksheets[0]
        codes = {row[0] for row in sheet.iter_rows(min_row=4, values_only=True)}
        self.assertEqual(codes, {self.longshan.code})

    def test_audit_log_of_a_district_admin_shows_only_their_district(self) -> None:
        AuditEvent.objects.create(
            action="community.update",
            actor_name="甲",
            district=self.huancui,
            object_repr="东北村社区",
        )
        AuditEvent.objects.create(
            action="community.update",
            actor_name="乙",
            district=self.wendeng,
            object_repr="龙山社区",
        )
        self.login(self.district_admin)
        content = self.client.get(reverse("audit_log")).content.decode()
        self.assertIn("东北村社区", content)
        self.assertNotIn("龙山社区", content)
        self.login(self.office)
        self.assertIn("龙山社区", self.client.get(reverse("audit_log")).content.decode())

    def test_home_page_shows_each_role_its_own_work(self) -> None:
        self.login(self.staff)
        content = self.client.get(reverse("home")).content.decode()
        self.assertIn("环翠区社区基础数据核对", content)
        self.assertIn("?indicator=fail", content)
        self.assertNotIn("文登区", content)
        self.login(self.reviewer)
        content = self.client.get(reverse("home")).content.decode()
        self.assertIn("本单位负责的小项", content)
        self.assertIn("居民公约", content)  # 2.1 is 市民政局's
        self.login(self.leader)
        content = self.client.get(reverse("home")).content.decode()
        self.assertIn("各区市社区基础数据", content)
        self.assertIn("文登区", content)
        self.login(self.nobody)
        self.assertIn("尚未分配角色", self.client.get(reverse("home")).content.decode())

    def test_superuser_without_profile_acts_as_system_admin(self) -> None:
        from django.contrib.auth import get_user_model

        root = get_user_model().objects.create_superuser("root", password="Root@Password1")
        self.login(root)
        self.assertEqual(self.client.get(reverse("system_status")).status_code, 200)
        self.assertIn(
            str(Role.SYSTEM_ADMIN.label), self.client.get(reverse("home")).content.decode()
        )
