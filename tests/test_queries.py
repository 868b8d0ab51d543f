"""List pages cost the same number of queries whatever the number of rows (pinned)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign import audit

from .base import CampaignTestCase, make_community


class QueryCountTests(CampaignTestCase):
    def queries(self, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def grow_register(self, count: int) -> None:
        for n in range(count):
            make_community(f"371002003{n + 100:03d}", f"增补社区{n}")

    # Every page: read the session, the user with profile; then save the session (savepoint,
    # update, release) because each request extends the idle timeout.
    PER_REQUEST = 5

    def test_pages_are_pinned(self) -> None:
        pins = {
            reverse("community_list"): 4,  # districts, streets for the filter, count, one page
            reverse("home"): 2,  # campaign, per-district counts (no remit for the office)
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
            audit.record(
                "community.update",
                actor=self.staff,
                target=self.dongbei,
                district_id=self.huancui.pk,
                comment=str(n),
            )
        self.assertEqual(self.queries(reverse("audit_log")), before)
