"""The city's review pipeline, from a forwarded community to the named list, walked in a real
headless Chromium: office audit with one revision round, survey, joint review, the leading
group's decision, the public notice with objections, and naming."""

import datetime
import re
import shutil
import tempfile
from pathlib import Path

from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import FilePayload, expect

from campaign.demo.samples import pdf_bytes
from campaign.kernel.models import AuditEvent
from campaign.pipeline.models import Campaign, Status, Submission, UnitOpinion
from campaign.publication.models import PublicNotice
from standards.models import Item
from tests.assessment.test_evidence import use_temporary_evidence_dir
from tests.browser import BrowserTestCase
from tests.builders import open_every_phase, submission_at
from tests.spreadsheets import survey_row, survey_workbook

YEAR = 2020
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReviewPipelineJourneyTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        use_temporary_evidence_dir(self)
        cache.clear()  # the public objection form counts attempts per address
        self.files = Path(tempfile.mkdtemp(prefix="review-journey-"))
        self.addCleanup(shutil.rmtree, self.files, True)
        self.campaign = Campaign.objects.get(year=YEAR)
        open_every_phase(self.campaign)
        self.dongbei_sub = submission_at(
            self.campaign, self.dongbei, Status.FORWARDED, actor=self.staff
        )
        # 古陌社区 joins at the decision: its audit, survey and joint review are the same steps.
        self.gumo_sub = submission_at(
            self.campaign, self.gumo, Status.AWAITING_DECISION, actor=self.staff
        )

    def switch_to(self, username: str) -> None:
        self.page.get_by_role("button", name="退出").click()
        self.log_in(username)

    def nav(self, name: str) -> None:
        self.page.get_by_role("navigation").get_by_role("link", name=name).click()

    def see(self, text: str) -> None:
        expect(self.page.get_by_text(text).first).to_be_visible()

    def by_id(self, element_id: str) -> str:
        return f'[id="{element_id}"]'  # item codes hold dots

    def audit_every_item(self, carried: dict[str, str] | None = None) -> None:
        """Score every item as the district did: the office accepts the self-assessment."""
        page = self.page
        self.nav("市办审核")
        page.locator(f"#row-{self.dongbei.code}").get_by_role("link", name="东北村社区").click()
        expect(page.get_by_role("heading", name=re.compile("东北村社区市办审核"))).to_be_visible()
        # Round 2 offers last round's score for items the district left alone, not for those
        # it changed.
        for code, value in (carried or {}).items():
            expect(page.locator(self.by_id(f"score-{code}"))).to_have_value(value)
        items = page.locator("article.audit-item").all()
        self.assertEqual(len(items), 33)
        # 28 to score: the system scores 1.2, 1.3 and 3.2, the survey 6.1 and 6.2.
        scored = [item for item in items if item.locator("input[name^=score-]").count()]
        self.assertEqual(len(scored), 28)
        for item in scored:
            item.get_by_role("button", name="同自评").click()
        expect(page.locator(".save-state.ok")).to_have_count(28)

    def lodge_objection(self, community: str) -> str:
        """An anonymous visitor objects through the public form; returns the reference."""
        visitor = self.browser.new_context(locale="zh-CN").new_page()
        visitor.goto(f"{self.live_server_url}/public/{YEAR}/notice/")
        expect(visitor.get_by_role("cell", name=community)).to_be_visible()
        expect(visitor.get_by_role("cell", name="环翠区").first).to_be_visible()
        visitor.get_by_role("link", name="在线提出异议").click()
        visitor.get_by_label("被异议社区").select_option(label=f"{community}（环翠区）")
        visitor.get_by_label("异议人姓名或单位").fill("张三")
        visitor.get_by_label("联系电话或地址").fill("13800000000")
        visitor.get_by_label("异议内容及理由").fill(f"{community}的党群服务中心长期不开放。")
        visitor.get_by_role("button", name="提交异议").click()
        expect(visitor.get_by_text("您的受理编号：")).to_be_visible()
        reference = visitor.locator("b.code").inner_text()
        visitor.context.close()
        return reference

    def handle_objection(self, reference: str, verdict: str, text_id: str, outcome: str) -> None:
        """Accept, investigate, then conclude with `verdict`; the objection ends as `outcome`."""
        page = self.page
        self.nav("公示与命名")
        page.get_by_role("link", name=reference).click()
        state = page.locator(".card .badge").first
        expect(state).to_have_text("待受理")
        page.get_by_role("button", name="受理").click()
        expect(state).to_have_text("已受理，调查中")
        page.locator("#text-investigate").fill("经实地核查，党群服务中心开放时间如实公示。")
        page.get_by_role("button", name="录入调查情况").click()
        expect(state).to_have_text("已调查，待结论")
        page.locator(f"#{text_id}").fill("已电话答复异议人。")
        page.get_by_role("button", name=verdict).click()
        expect(state).to_have_text(outcome)
        self.see(f"异议{reference}已办理。")

    def test_from_forwarded_to_named_with_a_revision_round_and_two_objections(self) -> None:
        page = self.page
        code = self.dongbei.code

        # 1. The office audits round 1 and asks for one item to be revised.
        self.log_in("office")
        self.audit_every_item()
        # Typed and saved item by item, without a 保存 click.
        page.locator(self.by_id("request-1.4")).fill("请补充社区社会组织名册和活动记录。")
        page.locator(self.by_id("comment-3.4")).fill("错时上下班制度落实较好。")
        page.locator(self.by_id("comment-3.4")).blur()
        for item_code in ("1.4", "3.4"):
            state = page.locator(f"{self.by_id('item-' + item_code)} .save-state")
            expect(state).to_contain_text("已自动保存")
        page.locator("#revise-comment").fill("1.4项材料不全，请补充后重新报送。")
        # An irreversible step asks first.
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="退回修改").click()
        self.see("已将东北村社区退回区市修改。")
        expect(page.locator(".lead .badge")).to_have_text("市办退回修改")

        # 2. The district sees the request, fixes the item and submits again.
        self.switch_to("hc_staff")
        self.nav("社区自评")
        page.get_by_role("link", name="东北村社区").click()
        requests = page.locator("#revision-requests")
        expect(requests).to_contain_text("1.4项材料不全，请补充后重新报送。")
        expect(requests).to_contain_text("1.4 社区社会组织培育：请补充社区社会组织名册和活动记录。")
        item = page.locator(self.by_id("item-1.4"))
        item.locator("textarea[name=explanation]").fill("已补充社会组织名册，共培育社会组织12个。")
        item.locator("input[name=score]").fill("3")
        item.locator("input[name=score]").blur()
        expect(item.locator(".save-state")).to_contain_text("已自动保存")
        page.get_by_role("button", name="提交自评").click()
        self.see("东北村社区的修改已重新报送市办审核。")

        # 3. Round 2 passes; the survey is typed in and the community goes to joint review.
        self.switch_to("office")
        self.audit_every_item(carried={"1.1": "3", "1.4": ""})
        self.see("第2轮审核")
        expect(page.locator(self.by_id("score-1.4"))).to_have_value("3")
        # Every row saved itself; the whole-form save finds nothing left to save.
        page.get_by_role("button", name="保存审核打分").click()
        self.see("审核打分没有变化。")
        page.get_by_role("button", name="审核通过，转入满意度调查").click()
        self.see("东北村社区审核通过，转入满意度调查。")
        # The survey firm's workbook comes in: previewed, then imported; the result is locked.
        self.nav("满意度调查")
        page.get_by_role("link", name="导入调查公司问卷").click()
        answers = ["满意"] * 40 + ["基本满意"] * 8 + ["不满意"] * 2
        rows = [
            survey_row(code, f"W{n:03d}", answer, 调查员=f"调查员{n % 10}")
            for n, answer in enumerate(answers, start=1)
        ]
        workbook: FilePayload = {
            "name": "调查公司问卷.xlsx",
            "mimeType": XLSX,
            "buffer": survey_workbook(self.campaign, rows),
        }
        page.set_input_files("input[type=file]", files=[workbook])
        page.get_by_role("button", name="上传并预览").click()
        expect(page.locator("main")).to_contain_text("东北村社区")
        page.get_by_role("button", name="确认导入").click()
        self.nav("满意度调查")
        row = page.locator(f"#survey-{code}")
        expect(row).to_contain_text("96.0%")
        expect(row).to_contain_text("有效问卷50份；95%区间 86.5%–98.9%")
        row.get_by_role("link", name="东北村社区").click()
        page.get_by_role("button", name="结束调查、锁定结果并转入联审").click()
        self.see("东北村社区的满意度调查已结束（有效问卷50份），转入成员单位联审。")

        # 4. 民政局 disagrees on 3.4 and takes half a point off; agrees on the rest.
        self.switch_to("unit_mzj")
        self.nav("成员单位联审")
        page.locator(f"#row-{code}").get_by_role("link", name="填写联审意见").click()
        expect(page.get_by_role("heading", name=re.compile("东北村社区联审"))).to_be_visible()
        for article in page.locator("#opinions article").all():
            if article.get_attribute("id") == "item-3.4":
                article.locator("input[value=no]").check()
                article.locator("textarea").fill("错时上下班仅在工作日执行，周末未落实。")
                article.locator("input[name^=adjustment-]").fill("-0.5")
            else:
                article.locator("input[value=yes]").check()
        page.get_by_role("button", name="保存联审意见").click()
        self.see("14个小项的联审意见。")
        # The other member units have no accounts here: their agreement is written directly.
        mzj = self.reviewer.profile.member_unit
        UnitOpinion.objects.bulk_create(
            UnitOpinion(
                submission=self.dongbei_sub,
                item=item,
                unit=unit,
                agrees=True,
                updated_by=self.office,
            )
            for item in Item.objects.filter(standard=self.standard).prefetch_related("units")
            for unit in item.units.all()
            if unit != mzj
        )

        # 5. The office sees the disagreement in the matrix and closes the joint review.
        self.switch_to("office")
        self.nav("联审进度")
        expect(page.locator("#unit-mzj")).to_contain_text("异1")
        page.get_by_role("button", name="结束联审").click()
        self.see("东北村社区联审结束，已提交领导小组研究。")

        # 6. The leading group records its meeting and approves both candidates.
        self.switch_to("leader")
        self.nav("领导小组研究")
        minutes = self.files / "会议纪要.pdf"
        minutes.write_bytes(pdf_bytes("Minutes"))
        page.get_by_label("会议日期").fill(timezone.localdate().isoformat())
        page.get_by_label("会议名称").fill("2020年第一次领导小组会议")
        page.get_by_label("会议纪要").set_input_files(str(minutes))
        page.get_by_role("button", name="保存会议").click()
        self.see("及会议纪要。")
        for community in (self.dongbei, self.gumo):
            row = page.locator(f"#row-{community.code}")
            row.get_by_text("录入研究结论").click()
            row.get_by_role("button", name="研究通过").click()
            self.see(f"{community.name}研究通过。")

        # 7. The office publishes the notice.
        self.switch_to("office")
        self.nav("公示与命名")
        page.get_by_role("button", name="发布公示").click()
        self.see("公示已发布")
        notice = PublicNotice.objects.get()
        if notice.starts_on > timezone.localdate():
            # Published on a weekend or holiday the notice starts on the next working day;
            # start it today so the public can object within this test.
            PublicNotice.objects.filter(pk=notice.pk).update(starts_on=timezone.localdate())

        # 8. Anonymous visitors object to both communities.
        dongbei_ref = self.lodge_objection("东北村社区")
        gumo_ref = self.lodge_objection("古陌社区")

        # 9. One objection is dismissed, the other upheld; the notice ends and naming follows.
        self.handle_objection(dongbei_ref, "异议不成立", "text-dismiss", "异议不成立")
        self.handle_objection(gumo_ref, "异议成立，取消该社区", "text-uphold", "异议成立")
        self.see("公示异议成立，已取消")
        # The notice runs for working days; the test cannot wait, so its period is moved back.
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        PublicNotice.objects.update(
            starts_on=yesterday - datetime.timedelta(days=9), ends_on=yesterday
        )
        self.nav("公示与命名")
        page.get_by_role("button", name="命名").click()
        self.see("已命名1个示范社区：东北村社区。")
        expect(page.locator(f"#row-{code} .badge")).to_have_text("已命名")
        page.goto(f"{self.live_server_url}/public/{YEAR}/named/")
        expect(page.get_by_role("cell", name="东北村社区")).to_be_visible()
        expect(page.get_by_role("cell", name="古陌社区")).to_have_count(0)

        dongbei = Submission.objects.get(pk=self.dongbei_sub.pk)
        self.assertEqual((dongbei.status, dongbei.audit_round), (Status.NAMED, 2))
        self.assertEqual(Submission.objects.get(pk=self.gumo_sub.pk).status, Status.REMOVED)
        # Autosave writes a row per item saved, by the district and by the office (28 items
        # to score in each of the two rounds, and the request and comment of round 1); the
        # steps are what matters here.
        events = AuditEvent.objects.filter(object_type="submission", object_id=str(dongbei.pk))
        self.assertGreaterEqual(events.filter(action="assessment.audit_item").count(), 2 * 28)
        trail = events.exclude(action__in=["assessment.save", "assessment.audit_item"]).order_by(
            "at", "id"
        )
        self.assertEqual(
            list(trail.values_list("action", flat=True)),
            [
                "assessment.request_revision",
                "assessment.submit",
                "assessment.pass_audit",
                "assessment.record_survey",
                "assessment.finish_survey",
                "assessment.opine",
                "assessment.close_review",
                "assessment.approve",
                "assessment.publish",
                "assessment.name",
            ],
        )

        # Another district's staff reach none of it.
        self.switch_to("wd_staff")
        response = page.goto(f"{self.live_server_url}/{YEAR}/review/{code}/")
        assert response is not None
        self.assertEqual(response.status, 404)
        # Joint review is a member unit's role: any district is refused by role, not by scope.
        response = page.goto(f"{self.live_server_url}/{YEAR}/joint-review/{code}/")
        assert response is not None
        self.assertEqual(response.status, 403)
