"""District self-assessment and recommendation, walked in a real headless Chromium."""

import io
import re
from pathlib import Path

from django.conf import settings
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Page, expect

from campaign.kernel.models import AuditEvent
from campaign.pipeline.models import EvidenceFile, Status, Submission
from tests.assessment.test_evidence import use_temporary_evidence_dir
from tests.browser import BrowserTestCase

YEAR = 2020


class SelfAssessmentJourneyTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        use_temporary_evidence_dir(self)

    def open_assessment(self, name: str) -> None:
        page = self.page
        page.get_by_role("link", name="社区自评").click()
        page.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", name=re.compile(f"{name}自评"))).to_be_visible()

    def fill_item(self, code: str, score: str, explanation: str) -> None:
        item = self.page.locator("#item-" + code.replace(".", "\\."))
        item.locator("textarea[name=explanation]").fill(explanation)
        item.locator("input[name=score]").fill(score)
        item.locator("input[name=score]").blur()
        expect(item.locator(".save-state")).to_contain_text("已自动保存")

    def test_fill_come_back_submit_return_fix_recommend_forward(self) -> None:
        page = self.page
        self.log_in("hc_staff")
        self.open_assessment("东北村社区")
        expect(page.get_by_text("完成 0 / 28 项")).to_be_visible()

        self.fill_item("1.1", "4", "社区党委统筹辖区单位开展共驻共建。")
        self.fill_item("2.1", "2", "居民公约经居民会议通过并上墙公示。")
        # A score without an explanation is saved, and the item says what is still missing.
        score = page.locator("#item-1\\.4 input[name=score]")
        score.fill("2")
        score.blur()
        expect(page.locator("#item-1\\.4 .save-state")).to_contain_text("必须填写自评说明")
        expect(page.locator("[data-progress-done]")).to_have_text("2")
        expect(page.locator('[data-category="1"]')).to_have_text("1/3")

        # One photo backs two items: uploaded for 1.1, picked from the library for 2.1.
        photo = Path(settings.DATA_DIR) / "党群服务中心.png"
        Image.new("RGB", (640, 480), (200, 30, 30)).save(photo)
        upload = page.locator("#item-1\\.1 form.evidence-upload")
        upload.locator("input[type=file]").set_input_files(str(photo))
        upload.get_by_role("button", name="上传并关联到本小项").click()
        expect(page.locator("#evidence-1\\.1 img.evidence-thumb")).to_be_visible()
        library = page.locator("#item-2\\.1 details.evidence-library")
        library.locator("summary").click()
        library.get_by_label("党群服务中心.png").check()
        page.locator("#item-2\\.1").get_by_role("button", name="上传并关联到本小项").click()
        expect(page.locator("#evidence-2\\.1")).to_contain_text("党群服务中心.png")
        self.assertEqual(EvidenceFile.objects.count(), 1)
        evidence_url = page.locator("#evidence-1\\.1 a.evidence-open").get_attribute("href")

        # A second tab opened now, then the first tab saves again: the second is stale.
        stale = self.context.new_page()
        stale.goto(page.url)
        self.fill_item("2.1", "1.5", "居民公约已修订。")
        stale_item = stale.locator("#item-2\\.1")
        stale_item.locator("textarea[name=explanation]").fill("旧窗口里写的一段话。")
        stale_item.locator("input[name=score]").fill("1")
        stale_item.locator("input[name=score]").blur()
        expect(stale_item.locator(".save-state")).to_contain_text("其他窗口修改")
        expect(stale_item.locator("textarea[name=explanation]")).to_have_value(
            "旧窗口里写的一段话。"
        )
        stale.close()

        # Come back later: log out, log in, everything is still there.
        page.get_by_role("button", name="退出").click()
        self.log_in("hc_staff")
        self.open_assessment("东北村社区")
        expect(page.locator("#item-2\\.1 textarea[name=explanation]")).to_have_value(
            "居民公约已修订。"
        )
        expect(page.get_by_text("完成 2 / 28 项")).to_be_visible()
        expect(page.locator("#evidence-2\\.1 img.evidence-thumb")).to_be_visible()

        # Submitting early lists what is missing, item by item.
        page.get_by_role("button", name="提交自评").click()
        expect(page.locator("#problems")).to_contain_text(
            "1.4 社区社会组织培育：自评得分大于0分时必须填写自评说明"
        )
        expect(page.locator("#problems li")).to_have_count(26)

        self.finish_offline(page)
        page.get_by_role("button", name="提交自评").click()
        expect(page.get_by_text("东北村社区的自评已提交区市审核。")).to_be_visible()

        # The district admin returns it with a comment.
        page.get_by_role("button", name="退出").click()
        self.log_in("hc_admin")
        page.get_by_role("link", name="区市推荐").click()
        row = page.locator("#row-371002001001")
        row.get_by_text("退回修改").click()
        row.get_by_label("退回意见").fill("1.4项请补充社会组织名册。")
        row.get_by_role("button", name="确认退回").click()
        expect(page.get_by_text("已将东北村社区退回修改。")).to_be_visible()

        # Staff see the comment, fix the item and submit again.
        page.get_by_role("button", name="退出").click()
        self.log_in("hc_staff")
        expect(page.get_by_role("link", name=re.compile("个被退回待修改"))).to_contain_text("1")
        self.open_assessment("东北村社区")
        expect(page.locator("#return-comment")).to_contain_text("1.4项请补充社会组织名册。")
        self.fill_item("1.4", "3", "已补充社会组织名册，共培育社会组织12个。")
        page.get_by_role("button", name="提交自评").click()
        expect(page.get_by_text("东北村社区的自评已提交区市审核。")).to_be_visible()

        # The admin recommends it within the quota and sends the district's list.
        page.get_by_role("button", name="退出").click()
        self.log_in("hc_admin")
        page.get_by_role("link", name="区市推荐").click()
        row = page.locator("#row-371002001001")
        row.get_by_text("列入推荐").click()
        row.get_by_label("推荐理由").fill("党建引领突出，居民满意度高。")
        row.get_by_role("button", name="确认推荐").click()
        expect(page.get_by_text("已将东北村社区列入推荐。")).to_be_visible()
        page.get_by_role("button", name=re.compile("报送本区市推荐")).click()
        expect(page.get_by_text("环翠区的推荐已报送领导小组办公室。")).to_be_visible()
        expect(page.get_by_text("推荐名单已锁定")).to_be_visible()

        submission = Submission.objects.get(community=self.dongbei)
        self.assertEqual((submission.status, submission.rank), (Status.FORWARDED, 1))
        trail = AuditEvent.objects.filter(
            object_type="submission", object_id=str(submission.pk)
        ).exclude(action__in=["assessment.save", "assessment.import"])
        self.assertEqual(
            list(trail.order_by("at", "id").values_list("action", flat=True)),
            [
                "evidence.upload",
                "evidence.link",
                "assessment.submit",
                "assessment.return",
                "assessment.submit",
                "assessment.recommend",
                "assessment.forward",
            ],
        )

        # Another district's staff reach none of it.
        page.get_by_role("button", name="退出").click()
        self.log_in("wd_staff")
        page.get_by_role("link", name="社区自评").click()
        expect(page.get_by_role("link", name="东北村社区")).to_have_count(0)
        response = page.goto(f"{self.live_server_url}/{YEAR}/assessments/{self.dongbei.code}/")
        assert response is not None
        self.assertEqual(response.status, 404)
        response = page.goto(f"{self.live_server_url}{evidence_url}")
        assert response is not None
        self.assertEqual(response.status, 404)

    def finish_offline(self, page: Page) -> None:
        """Finish the other items the way many districts prefer: in the community's sheet."""
        with page.expect_download() as download:
            page.get_by_role("link", name="下载自评表").click()
        workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
        sheet = workbook.active
        assert sheet is not None
        for row in sheet.iter_rows(min_row=6):
            code, points, score = row[0].value, row[3].value, row[4].value
            if code and score is None:
                assert isinstance(points, int | float)
                row[4].value = points - 1
                row[5].value = "已落实，台账和照片见佐证材料。"
            elif code == "1.4":
                row[5].value = "培育社区社会组织12个。"
        filled = Path(settings.DATA_DIR) / "filled-assessment.xlsx"
        workbook.save(filled)

        page.get_by_role("link", name="导入填好的自评表").click()
        page.get_by_label("自评表（.xlsx）").set_input_files(str(filled))
        page.get_by_role("button", name="上传并预览").click()
        expect(page.get_by_role("heading", name="将要修改的小项")).to_be_visible()
        page.get_by_role("button", name="确认导入").click()
        expect(page.get_by_text("自评表已导入：26个小项已更新")).to_be_visible()
        expect(page.get_by_text("完成 28 / 28 项")).to_be_visible()
