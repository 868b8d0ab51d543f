"""The export page in a real Chromium: the progress bar follows the job while it runs, and the
page turns into a download link when the workbook is ready."""

from io import BytesIO
from pathlib import Path

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from campaign.pipeline.models import Campaign
from scoring.exports.actions import run_export
from scoring.exports.models import ExportJob
from tests.browser import BrowserTestCase
from tests.scoring.test_export_jobs import use_temporary_export_dir


class ExportProgressBrowserTests(BrowserTestCase):
    def test_the_progress_bar_follows_the_job_until_the_download_appears(self) -> None:
        use_temporary_export_dir(self)
        campaign = Campaign.objects.get(year=2020)
        # Made directly, not requested: no worker may pick it up while the test moves it on.
        job = ExportJob.objects.create(
            campaign=campaign,
            kind="audit_log",
            requested_by=self.office,
            state="running",
            attempts=1,
            progress=40,
            heartbeat_at=timezone.now(),
        )
        page = self.page
        self.log_in("office")
        page.goto(f"{self.live_server_url}/2020/exports/")
        page.get_by_role("link", name="查看").first.click()
        bar = page.get_by_role("progressbar", name="生成进度")
        expect(bar).to_have_attribute("value", "40")

        ExportJob.objects.filter(pk=job.pk).update(progress=70, heartbeat_at=timezone.now())
        expect(bar).to_have_attribute("value", "70")
        expect(page.locator("[data-export-percent]")).to_have_text("70%")

        # The worker finishes: the page reloads itself and offers the file.
        ExportJob.objects.filter(pk=job.pk).update(state="queued", attempts=0)
        run_export(job.pk)
        link = page.get_by_role("link", name="下载")
        expect(link).to_be_visible()
        expect(page.get_by_text("已完成")).to_be_visible()
        with page.expect_download() as download:
            link.click()
        saved = Path(download.value.path())
        self.assertTrue(download.value.suggested_filename.endswith(".xlsx"))
        workbook = load_workbook(BytesIO(saved.read_bytes()))
        self.assertEqual(workbook.sheetnames, ["操作日志"])
