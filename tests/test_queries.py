"""List pages cost the same number of queries whatever the number of rows (pinned)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.kernel import audit_log
from tests.base import CampaignTestCase, make_community


class QueryCountTests(CampaignTestCase):
    def queries(self, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def grow_register(self, count: int) -> None:
        for n in range(count):
            make_community(f"371002003{n + 100:03d}", f"增补社区{n}")

    # Every page: read the session, the user with profile, the current campaign's year for the
    # menu; then save the session (savepoint, update, release): each request extends the idle
    # timeout.
    PER_REQUEST = 6

    def test_pages_are_pinned(self) -> None:
        pins = {
            reverse("community_list"): 4,  # districts, streets for the filter, count, one page
            # campaign, phase dates and submissions per state for the to-do list, open
            # objections, per-district register counts, submission counts, quotas, forwarded
            reverse("home"): 8,
            reverse(
                "standard_detail", args=[self.standard.pk]
            ): 4,  # standard, categories, items, units
            reverse("standard_list"): 1,  # standards with counts
            reverse("audit_log"): 2,  # count, one page
        }
        self.login(self.office)
        for url, expected in pins.items():
            with self.subTest(url=url), self.assertNumQueries(self.PER_REQUEST + expected):
                self.client.get(url)

    def test_register_list_does_not_grow_with_rows(self) -> None:
        self.login(self.office)
        url = reverse("community_list")
        before = self.queries(url)
        self.grow_register(40)
        self.assertEqual(self.queries(url), before)
        self.assertEqual(self.queries(url + "?indicator=fail&page=1"), before)

    def test_audit_log_does_not_grow_with_rows(self) -> None:
        self.login(self.office)
        before = self.queries(reverse("audit_log"))
        for n in range(60):
            audit_log.record(
                "community.update",
                actor=self.staff,
                target=self.dongbei,
                district_id=self.huancui.pk,
                comment=str(n),
            )
        self.assertEqual(self.queries(reverse("audit_log")), before)

    def fill_district(self, count: int) -> None:
        """``count`` more 环翠区 communities, each with a submitted self-assessment."""
        from campaign.assessment.actions import do_save_item, do_submit
        from campaign.pipeline.models import Submission
        from standards.models import Item, scored_by_people

        items = list(Item.objects.filter(scored_by_people(), standard=self.standard))
        for _n in range(count):
            number = len(self.filled) + 100
            self.filled.append(number)
            community = make_community(f"371002004{number:03d}", f"自评社区{number}")
            for item in items:
                do_save_item(
                    self.campaign.pk,
                    community.pk,
                    item.pk,
                    score="0",
                    explanation="",
                    expected_version=None,
                    actor=self.staff,
                )
            do_submit(Submission.objects.get(community=community).pk, actor=self.staff)

    def test_assessment_pages_are_pinned_and_do_not_grow(self) -> None:
        self.filled: list[int] = []
        pages = {
            # campaign, count, one page of communities, their submissions with progress, items
            (self.staff, reverse("assessment_list", args=[2020])): 5,
            # campaign, count, page with progress, quota, recommended, forwarded, items, phases
            (self.district_admin, reverse("district_review", args=[2020])): 8,
            # campaign, community, submission, phases, assessments, their evidence, items,
            # category progress (2), the evidence library, the frozen figures, their indicator
            # results, the auto-verified items, the register's figures now (提交后已修改) and
            # the survey's result
            (self.staff, reverse("assessment_detail", args=[2020, "371002004100"])): 15,
        }
        self.fill_district(1)
        for (user, url), expected in pages.items():
            self.login(user)
            with self.subTest(url=url), self.assertNumQueries(self.PER_REQUEST + expected):
                self.client.get(url)
        self.fill_district(3)
        for (user, url), expected in pages.items():
            self.login(user)
            with (
                self.subTest(url=url, grown=True),
                self.assertNumQueries(self.PER_REQUEST + expected),
            ):
                self.client.get(url)
