"""The audit page's autosave in a real headless Chromium: each item saves itself, says what
went wrong in the server's words (or 网络中断 only when the network failed) and retries."""

from decimal import Decimal
from typing import Any

from django.urls import reverse
from playwright.sync_api import Locator, Route, expect

from campaign.audit.actions import AuditRow, do_audit_items
from campaign.kernel.roles import Role
from campaign.pipeline.models import Campaign, ItemAudit, Status
from tests.base import make_user
from tests.browser import BrowserTestCase
from tests.builders import open_every_phase, submission_at


class AuditAutosaveTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        campaign = Campaign.objects.get(year=2020)
        open_every_phase(campaign)
        self.sub = submission_at(campaign, self.dongbei, Status.FORWARDED, actor=self.staff)
        self.log_in("office")
        url = reverse("review_audit", args=[2020, self.dongbei.code])
        self.page.goto(self.live_server_url + url)

    def item(self, code: str) -> Locator:
        return self.page.locator(f'[id="item-{code}"]')

    def state(self, code: str) -> Locator:
        return self.item(code).locator(".save-state")

    def saved(self, code: str) -> Any:
        return ItemAudit.objects.filter(submission=self.sub, item__code=code).first()

    def test_items_save_themselves_say_what_failed_and_retry(self) -> None:
        page = self.page
        # 同自评: the self-score, saved at once, no reason needed.
        self.item("2.1").get_by_role("button", name="同自评").click()
        expect(self.state("2.1")).to_contain_text("已自动保存")
        self.assertEqual(self.saved("2.1").audited_score, Decimal("1.5"))

        # The server fails once: the row says so (not the network) and saves on its own later.
        failed: list[str] = []

        def fail_once(route: Route) -> None:
            if failed:
                route.continue_()
                return
            failed.append(route.request.url)
            route.fulfill(status=500, content_type="text/html", body="<h1>Server Error</h1>")

        page.route("**/items/3.1/", fail_once)
        self.item("3.1").get_by_role("button", name="同自评").click()
        expect(self.state("3.1")).to_contain_text("服务器处理失败")
        expect(self.state("3.1")).to_contain_text("秒后自动重试")
        expect(self.state("3.1")).to_contain_text("已自动保存")
        self.assertEqual(self.saved("3.1").audited_score, 3)

        # Only a request that never got an answer is 网络中断.
        page.route("**/items/4.1/", lambda route: route.abort())
        self.item("4.1").get_by_role("button", name="同自评").click()
        expect(self.state("4.1")).to_contain_text("网络中断")
        page.unroute("**/items/4.1/")
        expect(self.state("4.1")).to_contain_text("已自动保存")

        # Typed, not yet saved.
        comment = self.item("4.2").locator("textarea[name^=comment-]")
        comment.press_sequentially("绿化")
        expect(self.state("4.2")).to_have_text("未保存")
        comment.blur()
        expect(self.state("4.2")).to_contain_text("已自动保存")

        # Another auditor saved 2.1 meanwhile: refused (409), who and what said, input kept.
        other = make_user("office2", Role.OFFICE_AUDITOR)
        other.first_name = "王科员"
        other.save()
        do_audit_items(
            self.sub.pk,
            {self.saved("2.1").item_id: AuditRow(score=Decimal(0), reason="无台账", version=1)},
            actor=other,
        )
        note = self.item("2.1").locator("textarea[name^=comment-]")
        note.fill("台账齐全")
        note.blur()
        expect(self.state("2.1")).to_contain_text("王科员已于")
        expect(self.state("2.1")).to_contain_text("将本项审核得分改为0")
        expect(note).to_have_value("台账齐全")
        self.assertEqual(self.saved("2.1").comment, "")
        # Having read it, the auditor's next change is saved over it deliberately.
        note.fill("台账齐全，已核对")
        note.blur()
        expect(self.state("2.1")).to_contain_text("已自动保存")
        audit = self.saved("2.1")
        self.assertEqual((audit.audited_score, audit.comment), (Decimal("1.5"), "台账齐全，已核对"))
