"""The office's scores journey in a real Chromium: set the shortlist rules, see the outcome the
worker recomputes, export the shortlist workbook with its progress bar and download it."""

import io
import time
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from campaign.pipeline.models import Campaign, Status
from scoring.engine.recompute import recompute_campaign
from tests.browser import BrowserTestCase
from tests.builders import open_every_phase, submission_at


class ScoresJourneyTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        campaign = Campaign.objects.get(year=2020)
        open_every_phase(campaign)
        for community in (self.dongbei, self.gumo, self.longshan):
            submission_at(campaign, community, Status.JOINT_REVIEW, actor=self.office)
        recompute_campaign(campaign.pk)

    def reload_until(self, selector: str, text: str, seconds: float = 30) -> None:
        """The recompute runs on the worker after the save: reload until it has landed."""
        deadline = time.monotonic() + seconds
        while text not in self.page.locator(selector).inner_text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared")
            time.sleep(0.5)
            self.page.reload()

    def test_rules_then_the_shortlist_workbook(self) -> None:
        page = self.page
        self.log_in("office")
        page.get_by_role("navigation", name="主菜单").get_by_role("link", name="入围名单").click()
        expect(page.locator("#row-371002001001")).to_contain_text("入围")
        page.get_by_text("修改入围规则").click()
        page.get_by_label("每区市入围名额（留空为不设）").fill("1")
        page.get_by_label("说明（如依据的会议或文件）").fill("主任会议确定")
        page.get_by_role("button", name="保存为新版本").click()
        expect(page.locator("main")).to_contain_text("入围规则已保存为第2版")
        # 东北村 and 古陌 share 环翠区 and every score: the code keeps 古陌 off.
        self.reload_until("#row-371002002001", "超出本区市入围名额")
        expect(page.locator("#row-371003001001")).to_contain_text("入围")

        page.goto(self.live_server_url + "/2020/exports/")
        page.get_by_role("row", name="入围名单").get_by_role("button", name="生成").click()
        download_link = page.get_by_role("link", name="下载")
        expect(download_link).to_be_visible(timeout=30_000)
        with page.expect_download() as event:
            download_link.click()
        download = event.value
        self.assertTrue(download.suggested_filename.endswith(".xlsx"))
        workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
        cells = {
            str(value)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        }
        self.assertIn("古陌社区", cells)
        self.assertIn("超出本区市入围名额", cells)
