"""The creation standard as data: the shipped 2020 default, versioning and the Excel round trip."""

import io
import re
import tempfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from campaign.kernel.models import AuditEvent
from communities.indicators import HardIndicator
from standards.actions import (
    StandardInvalid,
    do_copy_as_new_version,
    do_import_standard,
    preview_standard,
)
from standards.content import content_from_json, content_of, validate
from standards.models import Item, MemberUnit, Standard
from standards.workbook import read_standard, write_standard
from tests.base import CampaignTestCase, ReferenceDataMixin
from tests.spreadsheets import libreoffice_convert

SEEDS = Path(settings.BASE_DIR) / "standards" / "data" / "seeds"


def exported(standard: Standard) -> bytes:
    buffer = io.BytesIO()
    write_standard(content_of(standard), buffer)
    return buffer.getvalue()


def edited(data: bytes, sheet: str, cell: str, value: Any) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    workbook[sheet][cell] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class DefaultStandardTests(ReferenceDataMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.load_reference_data()

    def test_six_categories_thirty_three_items_one_hundred_points(self) -> None:
        self.assertEqual(self.standard.categories.count(), 6)
        self.assertEqual(self.standard.items.count(), 33)
        self.assertEqual(
            [c.name for c in self.standard.categories.all()],
            ["队伍精良", "治理精细", "服务精准", "环境精美", "文化精彩", "群众满意"],
        )
        self.assertEqual(sum(c.points for c in self.standard.categories.all()), Decimal(100))
        for category in self.standard.categories.all():
            self.assertEqual(
                sum(i.max_points for i in category.items.all()), category.points, category.name
            )
        self.assertEqual(validate(content_of(self.standard)), [])

    def test_satisfaction_is_weighted_and_has_a_pass_line(self) -> None:
        satisfaction = self.standard.categories.get(name="群众满意")
        self.assertEqual(satisfaction.points, Decimal(20))
        self.assertEqual(
            {i.check_method for i in satisfaction.items.all()}, {Item.CheckMethod.SURVEY}
        )
        self.assertEqual(self.standard.satisfaction_pass_rate, Decimal("0.85"))

    def test_hard_indicators_back_the_items_that_need_them(self) -> None:
        linked = dict(
            self.standard.items.exclude(hard_indicator="").values_list("hard_indicator", "code")
        )
        self.assertEqual(
            linked,
            {
                HardIndicator.PARTY_FUND: "1.1",
                HardIndicator.STAFFING: "1.2",
                HardIndicator.WORK_FUNDS: "1.3",
                HardIndicator.SERVICE_AREA: "3.2",
            },
        )

    def test_every_item_has_responsible_units_from_the_configured_list(self) -> None:
        self.assertEqual(MemberUnit.objects.count(), 19)
        for item in self.standard.items.prefetch_related("units"):
            self.assertTrue(item.units.exists(), item.code)
        self.assertEqual(MemberUnit.objects.filter(items__isnull=True).count(), 0)

    def test_every_item_is_traceable_to_the_seed_documents(self) -> None:
        seeds = {path.name: path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")}
        self.assertEqual(len(seeds), 3)
        for item in self.standard.items.all():
            quotes = re.findall(r"“([^”]+)”", item.source)
            self.assertTrue(quotes, f"{item.code} cites nothing")
            for quote in quotes:
                self.assertTrue(
                    any(quote in text for text in seeds.values()),
                    f"{item.code}: “{quote}” is not in the seeds",
                )


class RoundTripTests(ReferenceDataMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.load_reference_data()

    def test_export_then_read_is_lossless(self) -> None:
        content, issues = read_standard(exported(self.standard))
        self.assertEqual(issues, [])
        self.assertEqual(content, content_of(self.standard))
        self.assertEqual(content, content_from_json())

    def test_importing_the_unedited_export_changes_nothing(self) -> None:
        content, _ = read_standard(exported(self.standard))
        assert content is not None
        outcome = do_import_standard(content)
        self.assertEqual((outcome.kind, outcome.standard), ("unchanged", self.standard))
        self.assertEqual(Standard.objects.count(), 1)

    def test_a_workbook_saved_again_by_libreoffice_reads_the_same(self) -> None:
        content, issues = read_standard(libreoffice_convert(exported(self.standard), "xlsx"))
        self.assertEqual(issues, [])
        self.assertEqual(content, content_of(self.standard))

    def test_preview_says_what_an_import_would_do(self) -> None:
        unchanged = preview_standard(exported(self.standard))
        self.assertEqual((unchanged.ok, unchanged.plan, unchanged.changes), (True, "unchanged", ()))
        draft_change = preview_standard(
            edited(exported(self.standard), "小项", "C3", "党建引领（修订）")
        )
        self.assertEqual(draft_change.plan, "replaced")  # no campaign uses it yet: a draft
        self.assertEqual(draft_change.changes, ("修改小项 1.1：名称",))
        new_year = preview_standard(edited(exported(self.standard), "说明", "B5", 2021))
        self.assertEqual((new_year.plan, new_year.changes), ("created", ()))
        self.assertEqual(Standard.objects.count(), 1)

    def test_command_line_round_trip(self) -> None:
        path = Path(tempfile.mkdtemp()) / "standard.xlsx"
        call_command("export_standard", str(path), "--year", "2020", stdout=io.StringIO())
        out = io.StringIO()
        call_command("import_standard", str(path), stdout=out)
        self.assertIn("内容与文件一致，无需修改", out.getvalue())


class ValidationTests(ReferenceDataMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.load_reference_data()

    def messages(self, data: bytes) -> list[str]:
        content, issues = read_standard(data)
        if content is not None:
            issues = validate(content)
        return [str(issue) for issue in issues]

    def test_cell_errors_name_sheet_row_and_column(self) -> None:
        data = edited(exported(self.standard), "小项", "F3", "四分")  # title, header, then 1.1
        data = edited(data, "小项", "G4", "电话抽查")
        self.assertEqual(
            self.messages(data),
            [
                "“小项”表第3行“分值”：应为数字，当前为“四分”。",
                "“小项”表第4行“核查方式”：应为：材料审核、实地查看、问卷、自动核验；当前为“电话抽查”。",
            ],
        )

    def test_points_must_add_up(self) -> None:
        data = edited(exported(self.standard), "小项", "F3", 5)
        self.assertEqual(
            self.messages(data),
            ["大项 1 队伍精良：小项分值合计17分，与大项分值16分不一致。"],
        )

    def test_six_categories_and_unique_codes(self) -> None:
        content = content_of(self.standard)
        fewer = replace(content, categories=content.categories[:5], items=content.items[:31])
        self.assertIn("大项应为6个，当前为5个。", [i.message for i in validate(fewer)])
        twice = replace(content, items=(*content.items, content.items[0]))
        messages = [i.message for i in validate(twice)]
        self.assertIn("小项编号“1.1”重复。", messages)

    def test_units_must_be_member_units(self) -> None:
        data = edited(exported(self.standard), "小项", "I3", "市委组织部、市外事办")
        self.assertEqual(self.messages(data), ["小项 1.1：成员单位“市外事办”不在成员单位名单中。"])

    def test_a_missing_sheet(self) -> None:
        workbook = load_workbook(io.BytesIO(exported(self.standard)))
        del workbook["大项"]
        buffer = io.BytesIO()
        workbook.save(buffer)
        self.assertEqual(
            self.messages(buffer.getvalue()), ["缺少工作表：大项。请使用系统导出的标准模板。"]
        )

    def test_invalid_content_is_refused_by_the_action(self) -> None:
        content = content_of(self.standard)
        with self.assertRaises(StandardInvalid):
            do_import_standard(replace(content, categories=content.categories[:5]))

    def test_command_line_refuses_a_bad_file(self) -> None:
        path = Path(tempfile.mkdtemp()) / "bad.xlsx"
        path.write_bytes(edited(exported(self.standard), "小项", "F3", 5))
        err = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("import_standard", str(path), stderr=err)
        self.assertIn("小项分值合计17分", err.getvalue())


class VersioningTests(CampaignTestCase):
    """The fixture's campaign uses (and so froze) the 2020 standard."""

    def changed_title(self) -> bytes:
        return edited(exported(self.standard), "小项", "C3", "党建引领（修订）")

    def test_a_campaign_freezes_its_standard(self) -> None:
        self.assertTrue(self.standard.is_frozen)
        self.assertTrue(
            AuditEvent.objects.filter(
                action="standard.freeze", object_id=str(self.standard.pk)
            ).exists()
        )

    def test_changing_a_frozen_standard_makes_the_next_version(self) -> None:
        content, _ = read_standard(self.changed_title())
        assert content is not None
        outcome = do_import_standard(content, actor=self.sysadmin)
        self.assertEqual((outcome.kind, outcome.standard.version), ("new_version", 2))
        self.assertEqual(outcome.standard.items.get(code="1.1").title, "党建引领（修订）")
        self.assertEqual(outcome.standard.status, Standard.Status.DRAFT)
        self.assertEqual(self.standard.items.get(code="1.1").title, "党建引领")
        # Importing the same change again replaces the new draft, it does not add a third.
        again = do_import_standard(replace(content, meta=replace(content.meta, version=2)))
        self.assertEqual((again.kind, Standard.objects.count()), ("unchanged", 2))

    def test_copy_as_new_version(self) -> None:
        copy = do_copy_as_new_version(self.standard.pk, actor=self.sysadmin)
        self.assertEqual((copy.version, copy.status), (2, Standard.Status.DRAFT))
        self.assertTrue(replace(content_of(copy).meta, version=1) == content_of(self.standard).meta)
        self.assertEqual(content_of(copy).items, content_of(self.standard).items)

    def test_web_import_preview_and_confirm(self) -> None:
        self.login(self.sysadmin)
        upload = io.BytesIO(self.changed_title())
        upload.name = "标准.xlsx"
        response = self.client.post(reverse("standard_import"), {"file": upload})
        self.assertContains(response, "该版本已被创建活动使用并冻结，将另存为新版本。")
        self.assertContains(response, "修改小项 1.1：名称")
        response = self.client.post(
            reverse("standard_import_confirm"), {"token": response.context["token"]}, follow=True
        )
        self.assertContains(response, "已另存为威海市“精致幸福社区”示范创建标准（2020年 第2版）")
        self.assertEqual(Standard.objects.filter(year=2020).count(), 2)

    def test_web_import_lists_problems(self) -> None:
        self.login(self.sysadmin)
        upload = io.BytesIO(edited(exported(self.standard), "小项", "F3", 5))
        upload.name = "标准.xlsx"
        response = self.client.post(reverse("standard_import"), {"file": upload})
        self.assertContains(response, "发现1处问题，标准未导入")
        self.assertEqual(response.context["token"], "")

    def test_the_admin_shows_a_frozen_standard_read_only(self) -> None:
        self.login(self.sysadmin)
        item = self.standard.items.get(code="1.1")
        url = reverse("admin:standards_item_change", args=[item.pk])
        self.assertNotContains(self.client.get(url), 'name="_save"')
        response = self.client.post(url, {"title": "改"})
        self.assertEqual(response.status_code, 403)
        item.refresh_from_db()
        self.assertEqual(item.title, "党建引领")
