"""The offline self-assessment sheet: download, fill in Excel/WPS (or LibreOffice), upload,
preview, confirm. Every row or nothing; every problem names its sheet row in Chinese."""

import datetime
import shutil
import tempfile
from collections.abc import Callable
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from campaign.assessment.actions import do_apply_assessment_sheet, do_save_item
from campaign.assessment.sheet_import import SheetRejected, read_sheet
from campaign.kernel.models import AuditEvent
from campaign.pipeline.items import MAX_EXPLANATION
from campaign.pipeline.models import CampaignPhase, ItemAssessment, Phase, Status, Submission
from campaign.pipeline.workflow import ActionRefused
from communities import staging
from standards.models import Item
from tests.base import CampaignTestCase
from tests.builders import submission_at
from tests.spreadsheets import libreoffice_convert, workbook_bytes

HEADER_ROW, FIRST_ITEM_ROW = 5, 6


def row_of(sheet: Worksheet, code: str) -> int:
    for row in range(FIRST_ITEM_ROW, sheet.max_row + 1):
        if sheet.cell(row, 1).value == code:
            return row
    raise AssertionError(f"no row for item {code}")


def edit(data: bytes, change: Callable[[Worksheet], Any]) -> bytes:
    """Open the sheet as Excel would, change it, save it."""
    workbook = load_workbook(BytesIO(data))
    change(workbook.worksheets[0])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fill(values: dict[str, tuple[Any, Any]]) -> Callable[[Worksheet], None]:
    """Type a score and an explanation into the rows of the given item codes."""

    def change(sheet: Worksheet) -> None:
        for code, (score, explanation) in values.items():
            row = row_of(sheet, code)
            sheet.cell(row, 5).value = score
            sheet.cell(row, 6).value = explanation

    return change


class SheetCase(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        staging_dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, staging_dir, ignore_errors=True)
        settings = override_settings(IMPORT_STAGING_DIR=Path(staging_dir))
        settings.enable()
        self.addCleanup(settings.disable)
        self.staging_dir = Path(staging_dir)

    def item(self, code: str) -> Item:
        return Item.objects.get(standard=self.standard, code=code)

    def save(self, code: str, score: Any, text: str = "", actor: Any = None) -> None:
        do_save_item(
            self.campaign.pk,
            self.dongbei.pk,
            self.item(code).pk,
            score=score,
            explanation=text,
            expected_version=None,
            actor=actor or self.staff,
        )

    def assessment(self, code: str) -> ItemAssessment:
        return ItemAssessment.objects.get(
            submission__community=self.dongbei, item__code=code, item__standard=self.standard
        )

    def url(self, name: str, community: Any = None) -> str:
        return reverse(name, args=[self.campaign.year, (community or self.dongbei).code])

    def download(self, user: Any = None, community: Any = None) -> bytes:
        self.login(user or self.staff)
        response = self.client.get(self.url("assessment_sheet", community))
        self.assertEqual(response.status_code, 200)
        return response.content

    def upload(
        self, data: bytes, filename: str = "东北村社区自评表.xlsx", community: Any = None
    ) -> Any:
        return self.client.post(
            self.url("assessment_sheet_upload", community),
            {"file": SimpleUploadedFile(filename, data)},
        )

    def issues(self, response: Any) -> list[str]:
        return [str(issue) for issue in response.context["report"].issues]

    def confirm(self, response: Any, **extra: str) -> Any:
        report = response.context["report"]
        return self.client.post(
            self.url("assessment_sheet_confirm"),
            {"token": response.context["token"], "basis": report.basis, **extra},
        )

    def imports(self) -> int:
        return AuditEvent.objects.filter(action="assessment.import").count()

    def staged_files(self) -> list[Path]:
        return list(self.staging_dir.glob("assessment-*"))


class DownloadTests(SheetCase):
    def test_the_sheet_lists_every_item_prefilled_and_names_the_community(self) -> None:
        self.save("1.1", "3.5", "党建引领，成立社区大党委。\n每月召开联席会议。")
        self.save("2.1", "0")
        self.save("4.7", None, "=开展垃圾分类宣传")
        self.login(self.staff)
        response = self.client.get(self.url("assessment_sheet"))
        self.assertEqual(response.status_code, 200)
        self.assertIn(quote("东北村社区自评表.xlsx"), response["Content-Disposition"])
        sheet = load_workbook(BytesIO(response.content)).worksheets[0]

        self.assertIn("东北村社区", sheet["A1"].value)
        self.assertIn("环翠区", sheet["A2"].value)
        self.assertIn("2020年创建活动", sheet["A2"].value)
        self.assertEqual(
            [sheet.cell(3, c).value for c in range(1, 5)],
            ["社区代码", "371002001001", "活动年度", 2020],
        )
        self.assertIn("留空", sheet["A4"].value)
        self.assertIn("0.5分", sheet["A4"].value)
        header = [sheet.cell(HEADER_ROW, c).value for c in range(1, 7)]
        self.assertEqual(header, ["编号", "大项", "小项", "分值", "自评得分", "自评说明"])
        codes = [sheet.cell(r, 1).value for r in range(FIRST_ITEM_ROW, sheet.max_row + 1)]
        expected = list(
            Item.objects.filter(standard=self.standard)
            .order_by("display_order")
            .values_list("code", flat=True)
        )
        self.assertEqual(len(codes), 33)
        self.assertEqual(codes, expected)

        row = row_of(sheet, "1.1")
        self.assertEqual(sheet.cell(row, 2).value, "队伍精良")
        self.assertEqual(sheet.cell(row, 4).value, float(self.item("1.1").max_points))
        self.assertEqual(sheet.cell(row, 5).value, 3.5)
        self.assertEqual(sheet.cell(row, 6).value, "党建引领，成立社区大党委。\n每月召开联席会议。")
        self.assertEqual(sheet.cell(row_of(sheet, "2.1"), 5).value, 0)
        # Text a spreadsheet would run as a formula is defused.
        self.assertEqual(sheet.cell(row_of(sheet, "4.7"), 6).value, "'=开展垃圾分类宣传")
        self.assertIsNone(sheet.cell(row_of(sheet, "3.1"), 5).value)

    def test_only_score_and_explanation_cells_can_be_edited(self) -> None:
        sheet = load_workbook(BytesIO(self.download())).worksheets[0]
        self.assertTrue(sheet.protection.sheet)
        for row in (3, HEADER_ROW, FIRST_ITEM_ROW, sheet.max_row):
            for column in (1, 2, 3, 4):
                self.assertTrue(sheet.cell(row, column).protection.locked, (row, column))
        for row in range(FIRST_ITEM_ROW, sheet.max_row + 1):
            item = self.item(str(sheet.cell(row, 1).value))
            # The survey's and the system's items are locked, and say who scores them.
            locked = item.is_system_scored
            self.assertEqual(sheet.cell(row, 5).protection.locked, locked, item.code)
            self.assertEqual(sheet.cell(row, 6).protection.locked, locked, item.code)
            self.assertTrue(sheet.cell(row, 6).alignment.wrap_text)
            if locked:
                self.assertIn(sheet.cell(row, 5).value, ("由满意度调查计分", "系统自动核验"))
        self.assertTrue(sheet.cell(HEADER_ROW, 1).protection.locked)

    def test_scores_are_validated_against_each_rows_points(self) -> None:
        sheet = load_workbook(BytesIO(self.download())).worksheets[0]
        validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
        for row in range(FIRST_ITEM_ROW, sheet.max_row + 1):
            if self.item(str(sheet.cell(row, 1).value)).is_system_scored:
                self.assertNotIn(f"E{row}", validations)
                continue
            validation = validations[f"E{row}"]
            points = Item.objects.get(
                standard=self.standard, code=sheet.cell(row, 1).value
            ).max_points
            self.assertEqual(validation.type, "custom")
            self.assertIn(f"E{row}<={points.normalize():f}", validation.formula1)
            self.assertIn(f"MOD(E{row}*2,1)=0", validation.formula1)
            self.assertTrue(validation.showErrorMessage)
            self.assertIn("最小单位0.5分", validation.error)
            self.assertTrue(validation.allow_blank)

    def test_print_setup(self) -> None:
        sheet = load_workbook(BytesIO(self.download())).worksheets[0]
        self.assertEqual(str(sheet.page_setup.paperSize), Worksheet.PAPERSIZE_A4)
        self.assertEqual(sheet.print_title_rows, "$5:$5")
        self.assertEqual(sheet.page_setup.fitToWidth, 1)
        fit = sheet.sheet_properties.pageSetUpPr
        self.assertTrue(fit is not None and fit.fitToPage)
        self.assertEqual(sheet.page_setup.orientation, "landscape")
        self.assertEqual(sheet.freeze_panes, "A6")
        self.assertGreaterEqual(sheet.column_dimensions["F"].width, 40)

    def test_the_office_downloads_a_forwarded_submission_only(self) -> None:
        self.login(self.office)
        self.assertEqual(self.client.get(self.url("assessment_sheet")).status_code, 404)
        Submission.objects.create(
            campaign=self.campaign,
            community=self.dongbei,
            district=self.huancui,
            status=Status.FORWARDED,
        )
        self.assertEqual(self.client.get(self.url("assessment_sheet")).status_code, 200)

    def test_another_districts_staff_cannot_reach_the_sheet(self) -> None:
        self.login(self.other_staff)
        for name in ("assessment_sheet", "assessment_sheet_upload"):
            self.assertEqual(self.client.get(self.url(name)).status_code, 404, name)
        self.assertEqual(self.client.post(self.url("assessment_sheet_confirm")).status_code, 404)
        response = self.client.post(
            self.url("assessment_sheet_upload"),
            {"file": SimpleUploadedFile("x.xlsx", workbook_bytes([["编号"]]))},
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Submission.objects.filter(community=self.dongbei).exists())


class RoundTripTests(SheetCase):
    def test_preview_saves_nothing_and_confirm_applies_everything(self) -> None:
        self.save("1.1", "2", "原有说明")
        before = self.assessment("1.1")
        sheet = edit(
            self.download(),
            fill(
                {
                    "1.1": (3.5, "成立社区大党委，每月召开联席会议。"),
                    "2.1": ("１.５", "制定居民公约"),  # full-width digits typed as text
                    "5.7": (0, None),
                }
            ),
        )

        response = self.upload(sheet)
        self.assertEqual(response.status_code, 200)
        report = response.context["report"]
        self.assertEqual(report.issues, [])
        changes = {c.item.code: c for c in report.changes}
        self.assertEqual(set(changes), {"1.1", "2.1", "5.7"})
        self.assertEqual((changes["1.1"].old_score, changes["1.1"].new_score), (2, Decimal("3.5")))
        self.assertEqual(changes["2.1"].old_score, None)
        self.assertEqual(report.unchanged, 25)
        self.assertContains(response, "确认导入")
        self.assertContains(response, "原有说明")
        # The preview saved nothing.
        self.assertEqual(self.assessment("1.1").version, before.version)
        self.assertEqual(ItemAssessment.objects.count(), 1)
        self.assertEqual(self.imports(), 0)
        self.assertEqual(len(self.staged_files()), 2)

        done = self.confirm(response)
        self.assertRedirects(
            done,
            reverse("assessment_detail", args=[2020, "371002001001"]),
            fetch_redirect_response=False,
        )
        saved = self.assessment("1.1")
        self.assertEqual(saved.self_score, Decimal("3.5"))
        self.assertEqual(saved.explanation, "成立社区大党委，每月召开联席会议。")
        self.assertEqual(saved.version, before.version + 1)
        self.assertEqual(saved.updated_by, self.staff)
        self.assertEqual(self.assessment("2.1").self_score, Decimal("1.5"))
        self.assertEqual(self.assessment("2.1").version, 1)
        self.assertEqual(self.assessment("5.7").self_score, Decimal(0))
        self.assertEqual(ItemAssessment.objects.count(), 3)
        self.assertEqual(self.staged_files(), [])

        event = AuditEvent.objects.get(action="assessment.import")
        self.assertEqual(event.district_id, self.huancui.pk)
        self.assertEqual(event.actor, self.staff)
        self.assertEqual(event.details["filename"], "东北村社区自评表.xlsx")
        self.assertEqual(len(event.details["sha256"]), 64)
        self.assertEqual(event.details["changed"], ["1.1", "2.1", "5.7"])
        self.assertEqual(event.details["scores"]["1.1"], ["2", "3.5"])
        # Only the one import row: the items were not audited one by one.
        self.assertEqual(AuditEvent.objects.filter(action="assessment.save").count(), 1)

    def test_an_unedited_sheet_changes_nothing(self) -> None:
        self.save("1.1", "3", "已落实")
        self.save("5.3", "1.5", "多行\n说明")
        response = self.upload(self.download())
        report = response.context["report"]
        self.assertEqual((report.issues, report.changes, report.unchanged), ([], [], 28))
        self.assertEqual(response.context["token"], "")
        self.assertContains(response, "无需导入")
        self.assertEqual(self.staged_files(), [])

    def test_a_blank_cell_clears_what_was_saved_and_the_preview_says_so(self) -> None:
        self.save("1.1", "3", "已落实")
        self.save("3.4", "2", "已落实")
        sheet = edit(self.download(), fill({"1.1": (None, "已落实"), "3.4": (2, None)}))
        response = self.upload(sheet)
        report = response.context["report"]
        self.assertEqual(report.cleared, 1)
        self.assertContains(response, "将被清空")
        self.assertContains(response, "（清空）")
        self.assertIn("3.4 ", "".join(report.incomplete))  # score 2 without an explanation
        self.confirm(response)
        self.assertIsNone(self.assessment("1.1").self_score)
        self.assertEqual(self.assessment("1.1").explanation, "已落实")
        self.assertEqual(self.assessment("3.4").explanation, "")
        self.assertEqual(self.assessment("3.4").self_score, Decimal(2))

    def test_messy_but_valid_cells_are_understood(self) -> None:
        def change(sheet: Worksheet) -> None:
            row = row_of(sheet, "3.4")
            sheet.cell(row, 1).value = 3.4  # the code retyped as a number
            sheet.cell(row, 5).value = " 3分 "
            sheet.cell(row, 6).value = "  落实到位\r\n见台账  "
            sheet.cell(HEADER_ROW, 5).value = "自评 得分"
            sheet.cell(row_of(sheet, "2.6"), 5).value = "２"
            sheet.cell(row_of(sheet, "2.6"), 6).value = "'-"  # a defused dash

        response = self.upload(edit(self.download(), change))
        report = response.context["report"]
        self.assertEqual(report.issues, [])
        changes = {c.item.code: c for c in report.changes}
        self.assertEqual(changes["3.4"].new_score, Decimal(3))
        self.assertEqual(changes["3.4"].new_explanation, "落实到位\n见台账")
        self.assertEqual(changes["2.6"].new_score, Decimal(2))
        self.assertEqual(changes["2.6"].new_explanation, "-")

    def test_a_sheet_saved_again_by_libreoffice_round_trips(self) -> None:
        self.save("1.1", "3", "第一行\n第二行")
        self.save("2.2", "2", "=1+1 不是公式")
        self.save("3.1", "1", "+86 热线")
        sheet = edit(
            self.download(),
            fill({"4.1": (2.5, "@全体居民 开展环境整治"), "4.2": ("1.5", "绿色理念宣传\n三次")}),
        )
        resaved = libreoffice_convert(sheet, "xlsx")
        self.assertNotEqual(resaved, sheet)

        reopened = load_workbook(BytesIO(resaved)).worksheets[0]
        self.assertTrue(reopened.protection.sheet)
        self.assertFalse(reopened.cell(row_of(reopened, "4.1"), 5).protection.locked)
        self.assertTrue(reopened.cell(row_of(reopened, "4.1"), 4).protection.locked)

        response = self.upload(resaved, filename="自评表（LibreOffice）.xlsx")
        report = response.context["report"]
        self.assertEqual(report.issues, [])
        self.assertEqual([c.item.code for c in report.changes], ["4.1", "4.2"])
        self.assertEqual(report.unchanged, 26)
        self.confirm(response)
        self.assertEqual(self.assessment("4.1").self_score, Decimal("2.5"))
        self.assertEqual(self.assessment("4.1").explanation, "@全体居民 开展环境整治")
        self.assertEqual(self.assessment("4.2").explanation, "绿色理念宣传\n三次")
        self.assertEqual(self.assessment("1.1").explanation, "第一行\n第二行")
        self.assertEqual(self.assessment("2.2").explanation, "=1+1 不是公式")
        self.assertEqual(self.assessment("2.2").version, 1)
        self.assertEqual(self.imports(), 1)

    def test_cancel_discards_the_staged_file(self) -> None:
        response = self.upload(edit(self.download(), fill({"1.1": (1, "说明")})))
        token = response.context["token"]
        self.assertEqual(len(self.staged_files()), 2)
        cancelled = self.client.post(
            self.url("assessment_sheet_confirm"), {"token": token, "cancel": "1"}
        )
        self.assertRedirects(
            cancelled, self.url("assessment_sheet_upload"), fetch_redirect_response=False
        )
        self.assertEqual(self.staged_files(), [])
        self.assertIsNone(staging.load("assessment-2020-371002001001", self.staff, token))
        self.assertFalse(ItemAssessment.objects.exists())
        # The token is gone: confirming now changes nothing either.
        again = self.client.post(self.url("assessment_sheet_confirm"), {"token": token})
        self.assertRedirects(
            again, self.url("assessment_sheet_upload"), fetch_redirect_response=False
        )
        self.assertFalse(ItemAssessment.objects.exists())
        self.assertEqual(self.imports(), 0)

    def test_a_token_staged_for_one_community_does_not_fit_another(self) -> None:
        second = Submission.objects.create(
            campaign=self.campaign, community=self.gumo, district=self.huancui
        )
        response = self.upload(edit(self.download(), fill({"1.1": (1, "说明")})))
        other_confirm = reverse("assessment_sheet_confirm", args=[2020, self.gumo.code])
        result = self.client.post(
            other_confirm, {"token": response.context["token"], "basis": ""}, follow=True
        )
        self.assertContains(result, "已失效")
        self.assertFalse(second.assessments.exists())
        self.assertFalse(ItemAssessment.objects.exists())

    def test_an_item_saved_in_the_browser_after_the_preview_stops_the_import(self) -> None:
        response = self.upload(edit(self.download(), fill({"1.1": (1, "表格中的说明")})))
        self.save("1.1", "4", "网页上刚保存的说明", actor=self.district_admin)
        result = self.confirm(response)
        self.assertRedirects(
            result, self.url("assessment_sheet_upload"), fetch_redirect_response=False
        )
        self.assertEqual(self.assessment("1.1").explanation, "网页上刚保存的说明")
        self.assertEqual(self.imports(), 0)
        self.assertIn(
            "预览之后", self.client.get(self.url("assessment_sheet_upload")).content.decode()
        )

    def test_the_preview_warns_about_items_changed_after_the_download(self) -> None:
        self.save("1.1", "1", "旧说明")
        sheet = self.download()
        self.save("1.1", "2", "同事在网页上的修改", actor=self.district_admin)
        ItemAssessment.objects.filter(pk=self.assessment("1.1").pk).update(
            updated_at=timezone.now() + datetime.timedelta(minutes=5)
        )
        response = self.upload(edit(sheet, fill({"3.4": (1, "新填")})))
        changes = {c.item.code: c for c in response.context["report"].changes}
        self.assertIn("hc_admin", changes["1.1"].warning)
        self.assertEqual(changes["3.4"].warning, "")
        self.assertContains(response, "导入将覆盖该修改")


class RejectedSheetTests(SheetCase):
    def assert_nothing_saved(self) -> None:
        self.assertEqual(self.assessment("1.1").self_score, Decimal(2))
        self.assertEqual(self.assessment("1.1").version, 1)
        self.assertEqual(ItemAssessment.objects.count(), 1)
        self.assertEqual(self.imports(), 0)

    def setUp(self) -> None:
        super().setUp()
        self.save("1.1", "2", "已保存的说明")

    def test_every_bad_row_is_named_and_nothing_is_saved(self) -> None:
        points = {code: self.item(code).max_points for code in ("3.4", "2.6")}

        def change(sheet: Worksheet) -> None:
            fill(
                {
                    "1.1": (1, "这一行本身没有问题"),
                    "3.4": (float(points["3.4"]) + 1, "超过分值"),
                    "2.6": (-1, "负数"),
                    "1.4": ("三分", "不是数字"),
                    "1.5": (1.3, "不是0.5的倍数"),
                    "2.1": (1, "长" * (MAX_EXPLANATION + 1)),
                }
            )(sheet)
            sheet.cell(row_of(sheet, "2.2"), 1).value = "9.9"  # unknown code
            sheet.cell(row_of(sheet, "2.3"), 1).value = "2.4"  # 2.4 twice, 2.3 missing
            sheet.delete_rows(row_of(sheet, "6.2"))  # a deleted row

        response = self.upload(edit(self.download(), change))
        issues = self.issues(response)
        rows = {
            code: FIRST_ITEM_ROW + i
            for i, code in enumerate(
                Item.objects.filter(standard=self.standard)
                .order_by("display_order")
                .values_list("code", flat=True)
            )
        }
        expected = [
            (rows["3.4"], "自评得分", "超过本项分值"),
            (rows["2.6"], "自评得分", "不能为负数"),
            (rows["1.4"], "自评得分", "“三分”不是数字"),
            (rows["1.5"], "自评得分", "最小单位为0.5分"),
            (rows["2.1"], "自评说明", f"不能超过{MAX_EXPLANATION}字"),
            (rows["2.2"], "编号", "没有编号为“9.9”的小项"),
            (rows["2.4"], "编号", f"与第{rows['2.3']}行的编号重复"),
        ]
        for row, column, text in expected:
            with self.subTest(row=row, text=text):
                self.assertTrue(
                    any(f"第{row}行“{column}”" in i and text in i for i in issues), issues
                )
        self.assertTrue(any("缺少以下小项的行：2.2、2.3、6.2" in i for i in issues), issues)
        self.assertEqual(len(issues), len(expected) + 1)
        self.assertEqual(response.context["token"], "")
        self.assertNotContains(response, "确认导入")
        self.assertContains(response, "自评表未导入")
        self.assertEqual(self.staged_files(), [])
        self.assert_nothing_saved()

    def test_a_score_typed_for_the_survey_or_the_system_names_the_row(self) -> None:
        sheet = edit(self.download(), fill({"1.2": (2.5, "已招聘"), "6.1": (14, None)}))
        response = self.upload(sheet)
        issues = self.issues(response)
        book = load_workbook(BytesIO(sheet)).worksheets[0]
        self.assertIn(
            f"第{row_of(book, '1.2')}行“自评得分”：小项1.2：由系统根据社区基础数据自动核验计分，"
            "请勿填写得分。",
            issues,
        )
        self.assertIn(
            f"第{row_of(book, '6.1')}行“自评得分”：小项6.1：由满意度调查计分，社区不自评，"
            "请勿填写得分。",
            issues,
        )
        self.assert_nothing_saved()

    def test_a_submitted_sheet_says_what_the_system_gave_the_auto_items(self) -> None:
        submission = submission_at(self.campaign, self.gumo, Status.SUBMITTED, actor=self.staff)
        self.assertIsNotNone(submission.submitted_at)
        sheet = load_workbook(BytesIO(self.download(community=self.gumo))).worksheets[0]
        row = row_of(sheet, "1.2")  # 古陌社区 has 4 full-time workers: staffing fails
        self.assertEqual(sheet.cell(row, 5).value, "系统自动核验")
        self.assertIn("得0分", str(sheet.cell(row, 6).value))
        self.assertTrue(sheet.cell(row, 6).protection.locked)
        self.assertEqual(sheet.cell(row_of(sheet, "6.1"), 5).value, "由满意度调查计分")
        self.assertIsNone(sheet.cell(row_of(sheet, "6.1"), 6).value)

    def test_a_draft_sheet_says_what_the_register_gives_the_auto_items(self) -> None:
        sheet = load_workbook(BytesIO(self.download(community=self.gumo))).worksheets[0]
        row = row_of(sheet, "1.2")  # 4 full-time workers: staffing fails, 0 points
        self.assertEqual(sheet.cell(row, 5).value, "系统自动核验")
        self.assertIn("专职工作者配备未达标，得0分", str(sheet.cell(row, 6).value))
        self.assertIn("威发〔2018〕39号", str(sheet.cell(row, 6).value))

    def test_the_action_refuses_a_bad_file_whole(self) -> None:
        sheet = edit(self.download(), fill({"1.1": (3, "本行有效"), "3.4": (99, "超过分值")}))
        with self.assertRaises(SheetRejected) as caught:
            do_apply_assessment_sheet(
                self.campaign.pk, self.dongbei.pk, sheet, filename="x.xlsx", actor=self.staff
            )
        self.assertEqual(len(caught.exception.issues), 1)
        self.assertIn("没有导入任何内容", caught.exception.message)
        row = row_of(load_workbook(BytesIO(sheet)).worksheets[0], "3.4")
        self.assertIn(f"第{row}行", caught.exception.problems[0])
        self.assert_nothing_saved()

    def test_a_sheet_for_another_community_is_refused(self) -> None:
        longshan_sheet = self.download(self.other_staff, self.longshan)
        self.login(self.staff)
        response = self.upload(edit(longshan_sheet, fill({"1.1": (3, "说明")})))
        issues = self.issues(response)
        self.assertEqual(len(issues), 1)
        self.assertIn("371003001001", issues[0])
        self.assertIn("不是东北村社区", issues[0])
        with self.assertRaises(SheetRejected):
            do_apply_assessment_sheet(
                self.campaign.pk, self.dongbei.pk, longshan_sheet, filename="", actor=self.staff
            )
        self.assert_nothing_saved()

    def test_a_sheet_without_the_community_line_is_refused(self) -> None:
        def remove_code(sheet: Worksheet) -> None:
            sheet["B3"].value = None

        response = self.upload(edit(self.download(), remove_code))
        self.assertIn("没有找到“社区代码”", self.issues(response)[0])
        # A table typed from scratch has no identity line either.
        response = self.upload(
            workbook_bytes([["编号", "自评得分", "自评说明"], ["1.1", 3, "说明"]])
        )
        self.assertIn("没有找到“社区代码”", self.issues(response)[0])
        self.assert_nothing_saved()

    def test_a_sheet_of_another_year_is_refused(self) -> None:
        def other_year(sheet: Worksheet) -> None:
            sheet["D3"].value = 2019

        response = self.upload(edit(self.download(), other_year))
        self.assertIn("2019年度", self.issues(response)[0])

    def test_files_that_are_not_xlsx_are_refused_with_a_clear_message(self) -> None:
        self.login(self.staff)
        cases = [
            (b"MZ\x90\x00" + b"\x00" * 200, "不是有效的 Excel"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "旧版 Excel"),
            (self.download()[:2000], "不是有效的 Excel"),  # truncated
            (workbook_bytes([["随便", "什么"]]), "没有找到表头"),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                response = self.upload(data, filename="自评表.xlsx")
                self.assertEqual(response.status_code, 200)
                issues = self.issues(response)
                self.assertEqual(len(issues), 1)
                self.assertIn(message, issues[0])
                self.assertNotContains(response, "确认导入")
        response = self.client.post(self.url("assessment_sheet_upload"), {})
        self.assertContains(response, "请选择要上传的自评表")
        self.assert_nothing_saved()


class StateAndDeadlineTests(SheetCase):
    def filled(self) -> bytes:
        return edit(self.download(), fill({"1.1": (3, "说明")}))

    def test_a_submitted_submission_takes_no_sheet(self) -> None:
        sheet = self.filled()
        preview = self.upload(sheet)
        Submission.objects.create(
            campaign=self.campaign,
            community=self.dongbei,
            district=self.huancui,
            status=Status.SUBMITTED,
        )
        # The confirmation checks the state again: the preview was made before submitting.
        result = self.confirm(preview)
        self.assertRedirects(
            result, self.url("assessment_sheet_upload"), fetch_redirect_response=False
        )
        page = self.client.get(self.url("assessment_sheet_upload"))
        self.assertContains(page, "已提交，待区市审核")
        self.assertNotContains(page, 'type="file"')
        response = self.upload(sheet)
        self.assertIn("不能保存自评", self.issues(response)[0])
        with self.assertRaises(ActionRefused):
            do_apply_assessment_sheet(
                self.campaign.pk, self.dongbei.pk, sheet, filename="", actor=self.staff
            )
        self.assertFalse(ItemAssessment.objects.exists())
        self.assertEqual(self.imports(), 0)
        # Reading is still allowed: the sheet can be downloaded and printed.
        self.assertEqual(self.client.get(self.url("assessment_sheet")).status_code, 200)

    def test_a_closed_self_assessment_phase_takes_no_sheet(self) -> None:
        sheet = self.filled()
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        CampaignPhase.objects.filter(campaign=self.campaign, phase=Phase.SELF_ASSESSMENT).update(
            starts_on=yesterday - datetime.timedelta(days=30), ends_on=yesterday
        )
        response = self.upload(sheet)
        self.assertIn("截止", self.issues(response)[0])
        self.assertNotContains(response, "确认导入")
        self.assertContains(self.client.get(self.url("assessment_sheet_upload")), "截止")
        with self.assertRaises(ActionRefused) as caught:
            do_apply_assessment_sheet(
                self.campaign.pk, self.dongbei.pk, sheet, filename="", actor=self.staff
            )
        self.assertIn("已于", caught.exception.message)
        self.assertFalse(ItemAssessment.objects.exists())
        self.assertFalse(Submission.objects.filter(community=self.dongbei).exists())

    def test_a_returned_submission_takes_a_sheet(self) -> None:
        Submission.objects.create(
            campaign=self.campaign,
            community=self.dongbei,
            district=self.huancui,
            status=Status.RETURNED,
        )
        response = self.upload(self.filled())
        self.assertEqual(response.context["report"].issues, [])
        self.confirm(response)
        self.assertEqual(self.assessment("1.1").self_score, Decimal(3))

    def test_another_districts_staff_cannot_apply_through_the_action(self) -> None:
        with self.assertRaises(ActionRefused):
            do_apply_assessment_sheet(
                self.campaign.pk,
                self.dongbei.pk,
                self.filled(),
                filename="",
                actor=self.other_staff,
            )
        self.assertFalse(ItemAssessment.objects.exists())

    def test_reading_needs_no_saved_submission(self) -> None:
        parsed = read_sheet(self.filled(), self.campaign, self.dongbei)
        self.assertEqual(parsed.issues, [])
        self.assertEqual(len(parsed.lines), 28)
        self.assertEqual(parsed.header_row, HEADER_ROW)
