"""The register's journeys in a real headless Chromium: a district corrects a community, and
imports the register from Excel."""

import io
from pathlib import Path

from django.conf import settings
from openpyxl import load_workbook
from playwright.sync_api import expect

from communities.models import Community
from communities.resources import CommunityResource
from tests.browser import BrowserTestCase
from tests.spreadsheets import workbook_bytes


class DistrictStaffJourneyTests(BrowserTestCase):
    def test_from_the_home_page_to_a_corrected_community(self) -> None:
        page = self.page
        self.log_in("hc_staff")
        expect(page.locator("h2", has_text="环翠区社区基础数据核对")).to_be_visible()
        page.get_by_role("link", name="1 个硬指标未达标").click()
        expect(page.get_by_text("共1个社区")).to_be_visible()
        page.get_by_role("link", name="古陌社区").click()

        row = page.locator("tr", has_text="专职工作者配备")
        expect(row).to_contain_text("≥ 5 人")
        expect(row).to_contain_text("4 人")
        expect(row).to_contain_text("未达标")
        expect(row.get_by_role("link", name="1.2 社区工作者配备与管理")).to_be_visible()

        page.get_by_role("link", name="修改基础数据").click()
        page.get_by_label("专职工作者人数").fill("6")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_text("已保存1项修改。")).to_be_visible()
        expect(page.locator("tr", has_text="专职工作者配备")).to_contain_text("达标")
        self.assertEqual(Community.objects.get(code=self.gumo.code).full_time_workers, 6)

        page.get_by_role("button", name="退出").click()
        expect(page.get_by_text("您已安全退出。")).to_be_visible()

    def test_another_district_is_out_of_reach(self) -> None:
        self.log_in("wd_staff")
        self.page.goto(f"{self.live_server_url}/communities/{self.dongbei.code}/")
        expect(self.page.get_by_text("不在您的管理范围内")).to_be_visible()
        self.page.goto(f"{self.live_server_url}/communities/")
        expect(self.page.get_by_role("link", name="龙山社区")).to_be_visible()
        expect(self.page.get_by_role("link", name="东北村社区")).to_have_count(0)


class RegisterImportJourneyTests(BrowserTestCase):
    def test_download_edit_upload_preview_confirm(self) -> None:
        page = self.page
        self.log_in("hc_admin")
        page.get_by_role("link", name="导入名录").click()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="导出当前名录").click()
        exported = Path(download_info.value.path()).read_bytes()

        workbook = load_workbook(io.BytesIO(exported))
        sheet = workbook.active
        assert sheet is not None
        for row in sheet.iter_rows(min_row=4):
            if row[0].value == self.dongbei.code:
                row[6].value = "２５００"  # households, typed with full-width digits
        sheet.append(
            [
                "371002002020",
                "海悦社区",
                "环翠区",
                "鲸园街道",
                "城市社区",
                "新建",
                1500,
                3900,
                2,
                1100,
                5,
                6,
                20,
                5,
            ]
        )
        edited = Path(settings.DATA_DIR) / "edited-register.xlsx"
        edited.parent.mkdir(parents=True, exist_ok=True)
        workbook.save(edited)

        page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(edited))
        page.get_by_role("button", name="上传并预览").click()
        expect(page.get_by_text("检查通过。共3行：新增1个，更新1个，无变化1个。")).to_be_visible()
        expect(page.locator("tr", has_text="东北村社区")).to_contain_text("户数（户）：2000 → 2500")
        self.assertFalse(Community.objects.filter(code="371002002020").exists())

        page.get_by_role("button", name="确认导入").click()
        expect(page.get_by_text("导入完成。")).to_be_visible()
        expect(page.get_by_role("link", name="海悦社区")).to_be_visible()
        self.assertEqual(Community.objects.get(code=self.dongbei.code).households, 2500)

    def test_a_wrong_file_is_explained_and_changes_nothing(self) -> None:
        page = self.page
        self.log_in("hc_admin")
        page.get_by_role("link", name="导入名录").click()
        bad = Path(settings.DATA_DIR) / "wendeng.xlsx"
        bad.parent.mkdir(parents=True, exist_ok=True)
        other_district = [
            "371003001002",
            "龙山新社区",
            "文登区",
            "龙山街道",
            "城市社区",
            "已建成",
            1800,
        ]
        bad.write_bytes(workbook_bytes([CommunityResource.column_names(), other_district]))
        page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(bad))
        page.get_by_role("button", name="上传并预览").click()
        expect(page.get_by_text("发现1处问题，文件未导入")).to_be_visible()
        expect(page.locator("tr", has_text="您只能导入本区市的社区。")).to_contain_text("区市")
        expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
        self.assertFalse(Community.objects.filter(code="371003001002").exists())
