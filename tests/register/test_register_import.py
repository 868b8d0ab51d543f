"""Importing the community register from the spreadsheets offices really send."""

import csv
import io
import os
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import skipUnless

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from campaign.kernel.models import AuditEvent
from campaign.kernel.roles import scope_of
from communities.importing import apply_import, preview_import
from communities.models import Community, Street
from communities.resources import CommunityResource
from tests.base import CampaignTestCase, ReferenceDataMixin
from tests.runner import on_real_stack
from tests.spreadsheets import libreoffice_convert, sheet_rows, workbook_bytes

HEADER = CommunityResource.column_names()


def messy_register() -> bytes:
    """What a district office sends: a title and a note above a header written slightly
    differently, full-width digits and spaces, numbers stored as text, codes as numbers,
    money with 万, a 合计 row and blank rows at the end."""
    header = [
        " 社区代码",
        "社区名称 ",
        "区　市",
        "街道（镇）",
        "社区类型",
        "建设情况",
        "户数(户)",
        "常住人口（人）",
        "住宅小区（个）",
        "综合服务设施面积（㎡）",
        "专职工作者（人）",
        "年度社区工作经费（万元）",
        "党组织服务群众专项经费（万元）",
        "网格（个）",
        "联系人",
        "联系电话",
        "备注",
    ]
    return workbook_bytes(
        [
            ["环翠区城市社区基本情况统计表"],
            ["填报单位：环翠区民政局", None, None, "填报日期：2020年7月"],
            header,
            # Row 4: 东北村 updated — full-width digits, a number typed as text, stray spaces.
            [
                371002001001,
                " 东北村社区\u3000",
                "环翠区",
                "环翠楼街道",
                "城市",
                "已建成",
                "２１００",
                "5,200",
                4,
                "650",
                6,
                "8万",
                20,
                7,
                "王书记",
                6315201234.0,
                "已核实",
            ],
            # Row 5: a new community on a street already in the register.
            [
                "371002002009",
                "海港社区",
                "环翠区 ",
                "鲸园街道",
                "城市社区",
                "新建",
                1800,
                4600,
                3,
                1100.5,
                5,
                "7.2",
                "20",
                6,
                "李主任",
                "0631-5201235",
                None,
            ],
            # Row 6: unchanged except for how it is written.
            [
                "３７１００２００２００１",
                "古陌社区",
                "环翠",
                "鲸园街道",
                "城市社区",
                "已建成",
                "2000",
                5000,
                4,
                650,
                4,
                8,
                20,
                7,
                None,
                None,
                None,
            ],
            [None] * 17,
            ["合计", None, None, None, None, None, 5900],
            [None, "", "  "],
        ]
    )


def rows(*data_rows: list[object]) -> bytes:
    return workbook_bytes(
        [HEADER, *[list(row) + [None] * (len(HEADER) - len(row)) for row in data_rows]]
    )


def valid_row(
    code: str = "371002002010",
    name: str = "新村社区",
    street: str = "鲸园街道",
    district: str = "环翠区",
) -> list[object]:
    return [code, name, district, street, "城市社区", "已建成", 2000, 5000, 4, 650, 6, 8, 20, 7]


class MessyFileTests(CampaignTestCase):
    def test_preview_shows_every_change_and_saves_nothing(self) -> None:
        report = preview_import(
            messy_register(), scope_of(self.district_admin), filename="环翠区.xlsx"
        )
        self.assertEqual(report.issues, [])
        self.assertEqual((report.sheet, report.header_row), ("Sheet1", 3))
        self.assertEqual(report.ignored_columns, ["备注"])
        self.assertEqual(report.skipped_total_rows, [8])
        changes = {change.row: change for change in report.changes}
        self.assertEqual(
            {row: c.kind for row, c in changes.items()}, {4: "update", 5: "new", 6: "unchanged"}
        )
        self.assertEqual(
            changes[4].fields,
            [
                ("户数（户）", "2000", "2100"),
                ("常住人口（人）", "5000", "5200"),
                ("联系人", "", "王书记"),
                ("联系电话", "", "6315201234"),
            ],
        )
        self.assertEqual(report.counts, {"new": 1, "update": 1, "unchanged": 1})
        self.dongbei.refresh_from_db()
        self.assertEqual(self.dongbei.households, 2000)
        self.assertFalse(Community.objects.filter(code="371002002009").exists())

    def test_apply_writes_the_cleaned_values_and_one_audit_row(self) -> None:
        report = apply_import(
            messy_register(),
            scope_of(self.district_admin),
            actor=self.district_admin,
            filename="f.xlsx",
        )
        self.assertTrue(report.applied)
        dongbei = Community.objects.get(code="371002001001")
        self.assertEqual(
            (dongbei.name, dongbei.households, dongbei.population), ("东北村社区", 2100, 5200)
        )
        self.assertEqual((dongbei.work_funds, dongbei.party_fund), (80_000, 200_000))
        haigang = Community.objects.get(code="371002002009")
        self.assertEqual(haigang.street.name, "鲸园街道")
        self.assertEqual(haigang.construction, Community.Construction.NEW)
        self.assertEqual((haigang.service_area, haigang.work_funds), (Decimal("1100.5"), 72_000))
        event = AuditEvent.objects.get(action="community.import")
        self.assertEqual(event.actor, self.district_admin)
        self.assertEqual(event.district, self.huancui)
        self.assertEqual(event.details["new"], ["371002002009"])
        self.assertEqual(event.details["updated"], ["371002001001"])

    def test_a_new_street_code_adds_the_street(self) -> None:
        report = apply_import(
            rows(valid_row("371002006001", "嵩山新社区", street="新设街道")),
            scope_of(self.sysadmin),
        )
        self.assertTrue(report.applied, report.issues)
        self.assertEqual(report.new_streets, ["新设街道（371002006）"])
        self.assertEqual(Street.objects.get(code="371002006").district, self.huancui)


class BadFileTests(CampaignTestCase):
    def assert_nothing_saved(self) -> None:
        self.assertEqual(Community.objects.count(), 3)
        self.assertFalse(Street.objects.filter(code="371002006").exists())
        self.assertFalse(AuditEvent.objects.filter(action="community.import").exists())
        self.dongbei.refresh_from_db()
        self.assertEqual(self.dongbei.households, 2000)

    def test_every_problem_is_named_by_row_and_column_and_nothing_is_saved(self) -> None:
        data = rows(
            valid_row("371002006001", "会新增街道的社区", street="新设街道"),  # row 2: valid
            [
                "371002001001",
                "东北村社区",
                "环翠区",
                "环翠楼街道",
                "城市社区",
                "已建成",
                "abc",
            ],  # 3
            ["37100200100", "短代码社区", "环翠区", "环翠楼街道"],  # 4
            [
                "371002002011",
                "负数社区",
                "环翠区",
                "鲸园街道",
                "城市社区",
                "已建成",
                -5,
                None,
                None,
                None,
                5.5,
            ],  # 5
            ["371002002012", "未知区市", "威海新区", "鲸园街道"],  # 6
            ["371002002013", "街道不符", "环翠区", "竹岛街道"],  # 7
            ["371002002014", "", "环翠区", "鲸园街道", "郊区"],  # 8
            [
                "371002002015",
                "资金社区",
                "环翠区",
                "鲸园街道",
                "城市社区",
                "已建成",
                10,
                10,
                1,
                600.123,
                5,
                "3.12345",
            ],  # 9
        )
        report = apply_import(data, scope_of(self.sysadmin), actor=self.sysadmin)
        self.assertFalse(report.applied)
        found = {(i.row, i.column): i.message for i in report.issues}
        self.assertIn("应为数字", found[(3, "户数（户）")])
        self.assertIn("应为12位数字", found[(4, "社区代码")])
        self.assertEqual(found[(5, "户数（户）")], "不能为负数。")
        self.assertIn("应为整数", found[(5, "专职工作者（人）")])
        self.assertIn("未知的区市“威海新区”", found[(6, "区市")])
        self.assertIn("对应“鲸园街道”，与本行填写的“竹岛街道”不一致", found[(7, "街道（镇）")])
        self.assertEqual(
            len([i for i in report.issues if (i.row, i.column) == (7, "街道（镇）")]), 1
        )
        self.assertEqual(found[(8, "社区名称")], "不能为空。")
        self.assertIn("城市社区、农村社区", found[(8, "社区类型")])
        self.assertEqual(found[(9, "综合服务设施面积（㎡）")], "最多保留2位小数。")
        self.assertEqual(found[(9, "年度社区工作经费（万元）")], "最多保留4位小数。")
        self.assertEqual(str(report.issues[0]), "第3行“户数（户）”：" + found[(3, "户数（户）")])
        self.assert_nothing_saved()

    def test_duplicate_codes_in_one_file(self) -> None:
        report = preview_import(
            rows(valid_row(), valid_row(name="又一次")), scope_of(self.sysadmin)
        )
        self.assertEqual(
            [str(i) for i in report.issues], ["第3行“社区代码”：与第2行的社区代码重复。"]
        )

    def test_a_district_admin_cannot_touch_another_district(self) -> None:
        data = rows(
            valid_row("371003001002", "文登新社区", street="龙山街道", district="文登区"),
            ["371003001001", "龙山社区", "环翠区", "龙山街道"],
        )
        report = apply_import(data, scope_of(self.district_admin), actor=self.district_admin)
        found = {(i.row, i.column): i.message for i in report.issues}
        self.assertEqual(found[(2, "区市")], "您只能导入本区市的社区。")
        self.assertEqual(found[(3, "社区代码")], "该社区属于其他区市，您无权修改。")
        street_messages = [
            i.message for i in report.issues if (i.row, i.column) == (3, "街道（镇）")
        ]
        self.assertEqual(len(street_messages), 1, street_messages)
        self.assertFalse(Community.objects.filter(code="371003001002").exists())

    def test_files_that_are_not_registers(self) -> None:
        cases = {
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512: "旧版 Excel（.xls）",
            b"MZ\x90\x00 this is an executable renamed to .xlsx": "不是有效的 Excel",
            _zip_without_workbook(): "不是 Excel 工作簿",
            workbook_bytes([["姓名", "电话"], ["张三", "123"]]): "没有找到表头",
            workbook_bytes([HEADER]): "没有数据行",
        }
        for data, message in cases.items():
            with self.subTest(message=message):
                report = preview_import(data, scope_of(self.sysadmin))
                self.assertEqual(len(report.issues), 1)
                self.assertIn(message, report.issues[0].message)


def _zip_without_workbook() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


class CommandLineTests(CampaignTestCase):
    def write(self, data: bytes) -> Path:
        path = Path(tempfile.mkdtemp()) / "register.xlsx"
        path.write_bytes(data)
        return path

    def test_dry_run_reports_without_saving(self) -> None:
        out = io.StringIO()
        call_command(
            "import_communities", str(self.write(messy_register())), "--dry-run", stdout=out
        )
        self.assertIn("第4行 371002001001 东北村社区 更新：户数（户）：2000 → 2100", out.getvalue())
        self.assertIn("检查通过（未保存）。共3行：新增1个，更新1个，无变化1个。", out.getvalue())
        self.assertFalse(Community.objects.filter(code="371002002009").exists())

    def test_import_applies(self) -> None:
        call_command("import_communities", str(self.write(messy_register())), stdout=io.StringIO())
        self.assertTrue(Community.objects.filter(code="371002002009").exists())

    def test_errors_exit_non_zero_naming_row_and_column(self) -> None:
        path = self.write(
            rows(
                ["371002001001", "东北村社区", "环翠区", "环翠楼街道", "城市社区", "已建成", "很多"]
            )
        )
        err = io.StringIO()
        with self.assertRaises(CommandError) as raised:
            call_command("import_communities", str(path), stderr=err)
        self.assertIn("第2行“户数（户）”：应为数字，当前为“很多”。", err.getvalue())
        self.assertIn("未导入任何数据", str(raised.exception))

    def test_export_imports_back_unchanged(self) -> None:
        path = Path(tempfile.mkdtemp()) / "out.xlsx"
        call_command("export_communities", str(path), stdout=io.StringIO())
        report = preview_import(path.read_bytes(), None)
        self.assertEqual(report.issues, [])
        self.assertEqual(report.counts, {"new": 0, "update": 0, "unchanged": 3})


@skipUnless(on_real_stack(), "a second process cannot see SQLite's in-memory test database")
class ShellExitStatusTests(ReferenceDataMixin, TransactionTestCase):
    """What a script calling manage.py sees: a non-zero exit status and the message on stderr."""

    def test_a_bad_file_exits_non_zero(self) -> None:
        self.load_reference_data()
        path = Path(tempfile.mkdtemp()) / "bad.xlsx"
        path.write_bytes(
            rows(
                ["371002001001", "东北村社区", "环翠区", "环翠楼街道", "城市社区", "已建成", "很多"]
            )
        )
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        }
        command = [sys.executable, "manage.py", "import_communities", str(path)]
        done = subprocess.run(
            command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
        )
        self.assertEqual(done.returncode, 1)
        self.assertIn("第2行“户数（户）”：应为数字，当前为“很多”。", done.stderr)
        self.assertFalse(Community.objects.exists())


class RoundTripTests(CampaignTestCase):
    """Users open our files in Excel or WPS, save them, and send them back."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        Community.objects.filter(pk=cls.dongbei.pk).update(
            contact_person='=HYPERLINK("http://evil")',
            contact_phone="+86 631 5201234",
            service_area=Decimal("612.35"),
        )

    def export(self) -> bytes:
        self.login(self.sysadmin)
        response = self.client.get(reverse("register_export"))
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        return response.content

    def test_formula_like_text_is_defused_and_restored(self) -> None:
        data = self.export()
        cells = [value for row in sheet_rows(data) for value in row]
        self.assertIn('\'=HYPERLINK("http://evil")', cells)
        self.assertIn("'+86 631 5201234", cells)
        self.assertEqual(preview_import(data, None).counts["unchanged"], 3)

    def test_a_file_saved_again_by_libreoffice_imports_unchanged(self) -> None:
        resaved = libreoffice_convert(self.export(), "xlsx")
        report = preview_import(resaved, None)
        self.assertEqual(report.issues, [])
        self.assertEqual(report.counts, {"new": 0, "update": 0, "unchanged": 3})

    def test_the_export_opens_in_libreoffice_with_the_same_cells(self) -> None:
        text = libreoffice_convert(self.export(), "csv").decode("utf-8")
        table = list(csv.reader(io.StringIO(text)))
        self.assertTrue(table[0][0].startswith("威海市社区名录"))
        self.assertEqual(table[2][:4], ["社区代码", "社区名称", "区市", "街道（镇）"])
        by_code = {row[0]: row for row in table[3:]}
        self.assertEqual(set(by_code), {"371002001001", "371002002001", "371003001001"})
        self.assertEqual(by_code["371002001001"][1:4], ["东北村社区", "环翠区", "环翠楼街道"])
        self.assertEqual(by_code["371002001001"][9], "612.35")


class WebImportTests(CampaignTestCase):
    def upload(self, data: bytes, name: str = "名录.xlsx") -> Any:
        self.login(self.district_admin)
        return self.client.post(
            reverse("register_import"), {"file": io.BytesIO(data) and _named(data, name)}
        )

    def test_upload_preview_confirm(self) -> None:
        response = self.upload(messy_register())
        self.assertContains(response, "检查通过。共3行：新增1个，更新1个，无变化1个。")
        self.assertContains(response, "户数（户）：2000 → 2100")
        token = response.context["token"]
        self.assertFalse(Community.objects.filter(code="371002002009").exists())
        response = self.client.post(
            reverse("register_import_confirm"), {"token": token}, follow=True
        )
        self.assertContains(response, "导入完成。")
        self.assertTrue(Community.objects.filter(code="371002002009").exists())
        # The staged file is gone: confirming twice does nothing.
        response = self.client.post(
            reverse("register_import_confirm"), {"token": token}, follow=True
        )
        self.assertContains(response, "待导入的文件已失效")

    def test_errors_are_listed_and_nothing_can_be_confirmed(self) -> None:
        response = self.upload(
            rows(["371002001001", "东北村社区", "环翠区", "环翠楼街道", "城市社区", "已建成", "x"])
        )
        self.assertContains(response, "发现1处问题，文件未导入")
        self.assertContains(response, "应为数字，当前为“x”。")
        self.assertEqual(response.context["token"], "")

    def test_cancel(self) -> None:
        token = self.upload(messy_register()).context["token"]
        response = self.client.post(
            reverse("register_import_confirm"), {"token": token, "cancel": "1"}, follow=True
        )
        self.assertContains(response, "已取消导入")
        self.assertFalse(Community.objects.filter(code="371002002009").exists())

    def test_another_user_cannot_confirm_my_upload(self) -> None:
        token = self.upload(messy_register()).context["token"]
        self.login(self.sysadmin)
        response = self.client.post(
            reverse("register_import_confirm"), {"token": token}, follow=True
        )
        self.assertContains(response, "待导入的文件已失效")
        self.assertFalse(Community.objects.filter(code="371002002009").exists())

    @override_settings(IMPORT_MAX_BYTES=1024)
    def test_oversized_upload_is_refused(self) -> None:
        response = self.upload(messy_register())
        self.assertContains(response, "文件过大")
        self.assertContains(response, "上限为 0 MB")

    def test_renamed_executable(self) -> None:
        response = self.upload(b"MZ\x90\x00" + b"\0" * 100, name="名录.xlsx")
        self.assertContains(response, "文件不是有效的 Excel（.xlsx）文件")


def _named(data: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


class AdminImportTests(CampaignTestCase):
    """The admin's django-import-export screens read office files the same way."""

    def test_preview_then_confirm(self) -> None:
        self.login(self.sysadmin)
        upload = io.BytesIO(messy_register())
        upload.name = "名录.xlsx"
        url = reverse("admin:communities_community_import")
        response = self.client.post(url, {"import_file": upload, "format": "0", "resource": "0"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context.get("errors"))
        result = response.context["result"]
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        self.assertEqual(
            (result.totals["new"], result.totals["update"], result.totals["skip"]), (1, 1, 1)
        )
        self.assertFalse(Community.objects.filter(code="371002002009").exists())
        confirm = response.context["confirm_form"].initial
        response = self.client.post(reverse("admin:communities_community_process_import"), confirm)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Community.objects.filter(code="371002002009").exists())
        self.assertEqual(Community.objects.get(code="371002001001").households, 2100)

    def test_errors_are_shown_per_row_and_nothing_is_saved(self) -> None:
        self.login(self.sysadmin)
        upload = io.BytesIO(
            rows(["371002001001", "东北村社区", "环翠区", "环翠楼街道", "城市社区", "已建成", "x"])
        )
        upload.name = "名录.xlsx"
        response = self.client.post(
            reverse("admin:communities_community_import"),
            {"import_file": upload, "format": "0", "resource": "0"},
        )
        self.assertContains(response, "应为数字，当前为“x”。")
        self.assertNotIn("confirm_form", response.context)
        self.assertEqual(Community.objects.get(code="371002001001").households, 2000)
