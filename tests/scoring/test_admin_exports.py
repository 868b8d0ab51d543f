"""The admin's export actions: a workbook with Chinese headers, native numbers and defused text,
which LibreOffice opens; only the system administrator reaches the admin site at all."""

import csv
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from campaign.pipeline.models import Status, Submission
from scoring.engine.models import Outcome, ScoreSnapshot, ScoringRules, Stage
from scoring.exports.models import ExportJob, ExportKind
from tests.base import CampaignTestCase, make_community
from tests.routes import PERSONAS
from tests.spreadsheets import libreoffice_convert, sheet_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AdminExportTests(CampaignTestCase):
    rules: ScoringRules
    snapshots: list[ScoreSnapshot]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.rules = ScoringRules.objects.create(
            campaign=cls.campaign, version=1, note='=HYPERLINK("http://x")'
        )
        hostile = make_community("371002001101", "=1+1社区")
        cls.snapshots = []
        for rank, (place, total) in enumerate([(cls.dongbei, "91.5"), (hostile, "88.0")], 1):
            sub = Submission.objects.create(
                campaign=cls.campaign,
                community=place,
                district_id=place.district_id,
                status=Status.AWAITING_DECISION,
            )
            cls.snapshots.append(
                ScoreSnapshot.objects.create(
                    campaign=cls.campaign,
                    submission=sub,
                    district_id=place.district_id,
                    stage=Stage.JOINT,
                    rules=cls.rules,
                    total=Decimal(total),
                    items_scored=33,
                    satisfied=45,
                    valid=50,
                    city_rank=rank,
                    district_rank=rank,
                    outcome=Outcome.SHORTLISTED if rank == 1 else Outcome.DISTRICT_QUOTA,
                    computed_at=timezone.now(),
                )
            )
        ExportJob.objects.create(
            campaign=cls.campaign,
            kind=ExportKind.SHORTLIST,
            requested_by=cls.office,
            file_name="-cmd|' /C calc'!A0.xlsx",
        )

    def export_selected(self, model: str, pks: list[int]) -> bytes:
        response = self.client.post(
            reverse(f"admin:scoring_{model}_changelist"),
            {"action": "export_admin_action", "_selected_action": pks},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], XLSX)
        self.assertTrue(response["Content-Disposition"].startswith("attachment"))
        return response.content

    def test_snapshots_export_with_chinese_headers_and_defused_text(self) -> None:
        self.login(self.sysadmin)
        rows = sheet_rows(self.export_selected("scoresnapshot", [s.pk for s in self.snapshots]))
        header, *body = rows
        self.assertEqual(header[:6], ("创建活动", "阶段", "区市", "社区代码", "社区名称", "总分"))
        self.assertIn("入围结果", header)
        by_code = {row[header.index("社区代码")]: row for row in body}
        hostile = by_code["371002001101"]
        self.assertEqual(hostile[header.index("社区名称")], "'=1+1社区")
        self.assertEqual(hostile[header.index("入围结果")], "超出本区市入围名额")
        self.assertEqual(hostile[header.index("阶段")], "联审后")
        # Numbers stay numbers, so the office can sort and sum them.
        self.assertEqual(by_code["371002001001"][header.index("总分")], 91.5)
        self.assertEqual(by_code["371002001001"][header.index("满意率（%）")], 90.0)
        # Never a rate without its sample and interval.
        self.assertIn("有效问卷", header)
        self.assertIn("规定样本量", header)
        self.assertEqual(by_code["371002001001"][header.index("95%区间（%）")], "78.6–95.7")
        self.assertEqual(by_code["371002001001"][header.index("全市排名")], 1)

    def test_the_export_button_downloads_the_filtered_list(self) -> None:
        self.login(self.sysadmin)
        response = self.client.get(
            reverse("admin:scoring_scoresnapshot_export") + "?outcome__exact=shortlisted"
        )
        self.assertEqual(response["Content-Type"], XLSX)
        header, *body = sheet_rows(response.content)
        self.assertEqual([row[header.index("社区名称")] for row in body], ["东北村社区"])

    def test_rules_and_jobs_export_defused(self) -> None:
        self.login(self.sysadmin)
        header, row = sheet_rows(self.export_selected("scoringrules", [self.rules.pk]))
        self.assertEqual(header[:2], ("创建活动", "版本"))
        self.assertEqual(row[header.index("说明")], '\'=HYPERLINK("http://x")')
        job = ExportJob.objects.get()
        header, row = sheet_rows(self.export_selected("exportjob", [job.pk]))
        self.assertEqual(row[header.index("导出内容")], "入围名单")
        self.assertEqual(row[header.index("文件名")], "'-cmd|' /C calc'!A0.xlsx")
        self.assertEqual(row[header.index("申请人")], "office")

    def test_the_workbook_opens_in_libreoffice(self) -> None:
        self.login(self.sysadmin)
        data = self.export_selected("scoresnapshot", [s.pk for s in self.snapshots])
        header, *body = csv.reader(io.StringIO(libreoffice_convert(data, "csv").decode("utf-8")))
        self.assertEqual(header[:6], ["创建活动", "阶段", "区市", "社区代码", "社区名称", "总分"])
        self.assertEqual([row[4] for row in body], ["东北村社区", "'=1+1社区"])
        self.assertEqual(body[0][5], "91.5")

    def test_the_lists_are_read_only(self) -> None:
        self.login(self.sysadmin)
        snapshot = self.snapshots[0]
        change = reverse("admin:scoring_scoresnapshot_change", args=[snapshot.pk])
        self.assertEqual(self.client.get(change).status_code, 200)  # a view, not a form
        self.client.post(change, {"total": "100"})
        snapshot.refresh_from_db()
        self.assertEqual(snapshot.total, Decimal("91.5"))
        self.assertEqual(
            self.client.get(reverse("admin:scoring_scoresnapshot_add")).status_code, 403
        )
        delete = reverse("admin:scoring_scoresnapshot_delete", args=[snapshot.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.assertTrue(ScoreSnapshot.objects.filter(pk=snapshot.pk).exists())

    def test_only_the_system_administrator_reaches_the_exports(self) -> None:
        urls = [
            reverse("admin:scoring_scoresnapshot_export"),
            reverse("admin:scoring_scoringrules_export"),
            reverse("admin:scoring_exportjob_export"),
        ]
        for persona in PERSONAS:
            if persona == "sysadmin":
                continue
            self.login(getattr(self, persona))
            for url in urls:
                with self.subTest(persona=persona, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 302)
                    self.assertIn(reverse("admin:login"), response["Location"])
            response = self.client.post(
                reverse("admin:scoring_scoresnapshot_changelist"),
                {"action": "export_admin_action", "_selected_action": [self.snapshots[0].pk]},
            )
            self.assertEqual(response.status_code, 302)
        self.client.logout()
        self.assertEqual(self.client.get(urls[0]).status_code, 302)
