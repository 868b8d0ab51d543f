"""The base of every browser test: a live server, and a real headless Chromium (Debian's
package, driven by Playwright) with one fresh context per test."""

import datetime
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from campaign.pipeline.actions import do_create_campaign
from tests.base import PASSWORD, ReferenceDataMixin

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


SCREENSHOTS = Path(settings.DATA_DIR) / "screenshots"


class BrowserTestCase(ReferenceDataMixin, StaticLiveServerTestCase):
    playwright: Any
    browser: Any

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self) -> None:
        self.load_reference_data()
        self.create_personas()
        self.create_register()
        do_create_campaign(
            2020,
            "2020年创建活动",
            self.standard.pk,
            starts_on=timezone.localdate() - datetime.timedelta(days=30),
        )
        self.context = self.browser.new_context(locale="zh-CN", accept_downloads=True)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)

    def tearDown(self) -> None:
        outcome = self._outcome.result  # type: ignore[attr-defined]
        if outcome is not None and (outcome.failures or outcome.errors):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(
                path=str(SCREENSHOTS / f"{self._testMethodName}.png"), full_page=True
            )
        self.context.close()

    def log_in(self, username: str) -> None:
        self.page.goto(self.live_server_url + "/")
        expect(self.page.get_by_role("heading", name="用户登录")).to_be_visible()
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page.get_by_role("link", name="首页")).to_be_visible()
