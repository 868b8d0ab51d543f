"""A member unit finds the items in its remit, in a real headless Chromium."""

from playwright.sync_api import expect

from tests.browser import BrowserTestCase


class ReviewerJourneyTests(BrowserTestCase):
    def test_a_member_unit_finds_the_items_in_its_remit(self) -> None:
        page = self.page
        self.log_in("unit_mzj")
        expect(page.locator("h2", has_text="本单位负责的小项")).to_be_visible()
        page.get_by_role("link", name="查看这些小项的创建要求和评分细则").click()
        expect(page.locator("#item-2\\.1")).to_contain_text("居民公约")
        expect(page.locator("#item-1\\.5")).to_have_count(0)  # 网格化管理队伍 is 市委政法委's
        expect(page.locator(".mine").first).to_have_text("市民政局")
