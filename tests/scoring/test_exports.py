"""The four export workbooks of a hand-built campaign, cell by cell, and the same files from the
command line. Four communities after the joint review, every item self-assessed and audited at
four fifths of its points (in half points), except the three auto-verified items the system scores
in full from the register (1.2, 1.3, 3.2: 3 each) and the two survey items nobody self-scores or
audits, so by category 14 / 12 / 13.5 / 12.5 / 13 (古陌 has four full-time workers: its 1.2
scores 0); for 群众满意 only the survey's 48 of 50
(96.0 %, 16 points) counts (6.2 has no awareness result here):

    community        district  1.1 audit  survey   self   audit  joint  city  district  outcome
    东北村社区 …001001  环翠区     3          48/50    65     81     81     1     1         入围
    龙山社区   …001001  文登区     3          48/50    65     81     81     2     1         否决
    古陌社区   …002001  环翠区     1          48/50    62     76     76     3     2         入围
    =1+1      …001002  环翠区     3          (none)   65     65     65     4     3         缺调查

东北村 and 龙山 tie on total and rate; the lower code ranks first. 龙山 has a member unit's veto.
"""

import datetime
import tempfile
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from campaign.kernel.models import AuditEvent
from campaign.kernel.roles import Role
from campaign.pipeline.figures import recheck_figures
from campaign.pipeline.models import (
    ItemAudit,
    RegisterFigures,
    Status,
    Submission,
    UnitOpinion,
    UnitVeto,
)
from campaign.survey.models import (
    QuestionKind,
    SurveyItemPoints,
    SurveyQuestion,
    SurveyResponse,
    SurveyTally,
)
from communities.models import Community
from scoring.engine.models import ScoringRules
from scoring.engine.recompute import recompute_campaign
from scoring.engine.rules import current_rules
from scoring.exports.registry import EXPORTERS
from scoring.exports.workbook import no_progress
from standards.models import Item, MemberUnit
from tests.base import CampaignTestCase, make_community
from tests.builders import submission_at
from tests.spreadsheets import libreoffice_convert

CATEGORY_HEADERS = [
    "队伍精良\n（16分）",
    "治理精细\n（15分）",
    "服务精准\n（16分）",
    "环境精美\n（16分）",
    "文化精彩\n（17分）",
    "群众满意\n（20分）",
]
# The survey workbook's columns before the questions' counts (through 6.2's points).
FIXED = 17
FIGURE_HEADERS = [
    "户数",
    "专职工作者（人）",
    "社区工作经费（元）",
    "党组织服务群众专项经费（元）",
    "综合服务设施面积（㎡）",
    "硬指标",
]


class ExportCase(CampaignTestCase):
    formula: Community
    submissions: dict[str, Submission]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.formula = make_community("371002001002", "=1+1")
        cls.submissions = {
            c.code: submission_at(cls.campaign, c, Status.JOINT_REVIEW, actor=cls.office)
            for c in (cls.dongbei, cls.gumo, cls.longshan, cls.formula)
        }
        ItemAudit.objects.filter(
            submission=cls.submissions[cls.gumo.code], item__code="1.1"
        ).update(audited_score=1)
        UnitVeto.objects.create(
            submission=cls.submissions[cls.longshan.code],
            unit=MemberUnit.objects.get(code="mzj"),
            reason="服务中心面积不实。",
            vetoed_by=cls.reviewer,
        )
        no_survey = cls.submissions[cls.formula.code]
        SurveyTally.objects.filter(submission=no_survey).delete()
        SurveyResponse.objects.filter(submission=no_survey).delete()
        recompute_campaign(cls.campaign.pk)

    def workbook(self, kind: str, params: dict[str, Any] | None = None) -> bytes:
        buffer = BytesIO()
        EXPORTERS[kind].write(self.campaign, buffer, no_progress, params or {})
        return buffer.getvalue()

    def rows(self, data: bytes, sheet: str) -> list[tuple[Any, ...]]:
        worksheet = load_workbook(BytesIO(data))[sheet]
        return [tuple(row) for row in worksheet.iter_rows(values_only=True)]

    def assert_printable(self, data: bytes, header_rows: str, fit_to_width: bool = True) -> None:
        for sheet in load_workbook(BytesIO(data)).worksheets:
            with self.subTest(sheet=sheet.title):
                self.assertEqual(sheet.page_setup.orientation, "landscape")
                self.assertEqual(str(sheet.page_setup.paperSize), str(sheet.PAPERSIZE_A4))
                self.assertEqual(sheet.print_title_rows, header_rows)
                self.assertTrue(sheet.print_options.gridLines)
                self.assertIsNotNone(sheet.freeze_panes)
                if fit_to_width:
                    setup = sheet.sheet_properties.pageSetUpPr
                    self.assertTrue(setup is not None and setup.fitToPage)
                    self.assertEqual(sheet.page_setup.fitToWidth, 1)
                    self.assertEqual(sheet.page_setup.fitToHeight, 0)


class ShortlistWorkbookTests(ExportCase):
    def test_one_sheet_per_district_after_the_summary(self) -> None:
        data = self.workbook("shortlist")
        self.assertEqual(load_workbook(BytesIO(data)).sheetnames, ["汇总", "环翠区", "文登区"])
        self.assert_printable(data, "$3:$3")

    def test_a_district_sheet_in_city_rank_order(self) -> None:
        rows = self.rows(self.workbook("shortlist"), "环翠区")
        self.assertEqual(rows[0][0], "环翠区示范社区入围名单")
        self.assertIn("2020年创建活动", rows[1][0])
        self.assertIn(f"导出时间：{timezone.localdate():%Y-%m-%d}", rows[1][0])
        self.assertEqual(
            rows[2],
            (
                "全市排名",
                "区市内排名",
                "社区代码",
                "社区名称",
                "街道（镇）",
                *FIGURE_HEADERS,
                *CATEGORY_HEADERS,
                "满意率（%）",
                "满意率95%置信区间（%）",
                "有效问卷（份）",
                "规定样本量（份）",
                "满意度得分",
                "总分",
                "入围结果",
                "否决单位数",
            ),
        )
        # The rate never without its sample: 48 valid of the 30 required.
        survey = (96, "86.5～98.9", 50, 30, 16)
        categories = (14, 12, 13.5, 12.5, 13)
        # Then the register's figures as the submission froze them, and the indicators on them.
        place = ("371002001001", "东北村社区", "环翠楼街道")
        figures = (2000, 6, 80_000, 200_000, 650, "达标")
        dongbei = (1, 1, *place, *figures, *categories, 16, *survey)
        # 古陌 has four full-time workers: the system scores 1.2 at 0.
        gumo_figures = (2000, 4, *figures[2:5], "专职工作者配备未达标")
        gumo_place = (3, 2, "371002002001", "古陌社区", "鲸园街道")
        gumo = (*gumo_place, *gumo_figures, 9, *categories[1:], 16, *survey)
        formula = (4, 3, "371002001002", "'=1+1", "环翠楼街道", *figures, *categories, 0, None)
        self.assertEqual(
            rows[3:],
            [
                (*dongbei, 81, "入围", 0),
                (*gumo, 76, "入围", 0),
                (*formula, "无调查结果", None, None, None, 65, "缺少满意度调查结果", 0),
            ],
        )

    def test_the_vetoed_community_gives_its_reason(self) -> None:
        rows = self.rows(self.workbook("shortlist"), "文登区")
        self.assertEqual(rows[3][:4], (2, 1, "371003001001", "龙山社区"))
        outcome = rows[2].index("入围结果")
        self.assertEqual(rows[3][outcome - 1 : outcome + 2], (81, "成员单位一票否决", 1))
        self.assertEqual(len(rows), 4)

    def test_the_register_figures_are_those_the_submission_froze(self) -> None:
        """Figures edited in the register after submission are not what the community was
        judged on: the list shows the frozen ones until the office re-checks the edit."""
        Community.objects.filter(pk=self.dongbei.pk).update(
            households=9000, full_time_workers=2, work_funds=1000, service_area=Decimal(100)
        )
        # Submitted before figures were frozen: the register is all there is.
        RegisterFigures.objects.filter(submission=self.submissions[self.formula.code]).delete()
        Community.objects.filter(pk=self.formula.pk).update(households=1000, work_funds=30_000)
        rows = self.rows(self.workbook("shortlist"), "环翠区")
        figures = rows[2].index("户数")
        by_code = {row[2]: row[figures : figures + 6] for row in rows[3:]}
        self.assertIn("户数、经费、面积和硬指标为申报时冻结的数据", rows[1][0])
        self.assertEqual(by_code["371002001001"], (2000, 6, 80_000, 200_000, 650, "达标"))
        self.assertEqual(
            by_code["371002001002"], (1000, 6, 30_000, 200_000, 650, "社区工作经费未达标")
        )
        # Once the office takes the edit over, the list follows.
        frozen = RegisterFigures.objects.get(submission=self.submissions[self.dongbei.code])
        recheck_figures(frozen, self.office)
        rows = self.rows(self.workbook("shortlist"), "环翠区")
        unmet = "专职工作者配备未达标、社区工作经费未达标、综合服务设施面积未达标"
        self.assertEqual(rows[3][figures : figures + 6], (9000, 2, 1000, 200_000, 100, unmet))

    def test_the_summary_counts_outcomes_per_district_and_states_the_rules(self) -> None:
        rows = self.rows(self.workbook("shortlist"), "汇总")
        self.assertEqual(rows[0][0], "2020年创建活动示范社区入围情况汇总")
        self.assertIn("依据入围规则第1版", rows[1][0])
        self.assertEqual(
            rows[2],
            (
                "区市",
                "参评社区数",
                "入围",
                "公示异议成立，已取消",
                "领导小组研究未通过",
                "样本不足：有效问卷少于规定样本量",
                "总分低于最低分",
                "缺少满意度调查结果",
                "满意率低于最低要求",
                "成员单位一票否决",
                "超出本区市入围名额",
                "超出全市入围总数",
            ),
        )
        self.assertEqual(rows[3], ("环翠区", 3, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0))
        self.assertEqual(rows[4], ("文登区", 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0))
        self.assertEqual(rows[5], ("合计", 4, 2, 0, 0, 0, 0, 1, 0, 1, 0, 0))
        rules = {row[0]: row[1] for row in rows[9:16]}
        self.assertEqual(
            rules,
            {
                "规则版本": "第1版",
                "样本不足": "有效问卷少于规定样本量、市办未认可的不入围",
                "最低总分": "不限",
                "最低满意率": "85.0%",
                "一票否决": "成员单位否决即不入围",
                "每区市入围名额": "不限",
                "全市入围总数": "不限",
            },
        )
        self.assertEqual(rows[18][:2], ("结果", "社区数"))
        outcomes = {row[0]: row[1] for row in rows[19:]}
        self.assertEqual(outcomes["入围"], 2)
        self.assertEqual(outcomes["成员单位一票否决"], 1)
        self.assertEqual(outcomes["缺少满意度调查结果"], 1)


class ShortlistRulesTests(ExportCase):
    def test_thresholds_and_the_reasons_they_give(self) -> None:
        ScoringRules.objects.create(
            campaign=self.campaign,
            version=2,
            satisfaction_item=current_rules(self.campaign).satisfaction_item,
            min_total=Decimal(70),
            min_satisfaction=Decimal("0.9"),
            district_quota=1,
            city_cap=5,
            created_by=self.office,
        )
        recompute_campaign(self.campaign.pk)
        data = self.workbook("shortlist")
        summary = self.rows(data, "汇总")
        self.assertIn("依据入围规则第2版", summary[1][0])
        self.assertEqual(
            {row[0]: row[1] for row in summary[9:16]},
            {
                "规则版本": "第2版",
                "样本不足": "有效问卷少于规定样本量、市办未认可的不入围",
                "最低总分": "70分",
                "最低满意率": "90.0%",
                "一票否决": "成员单位否决即不入围",
                "每区市入围名额": "1个",
                "全市入围总数": "5个",
            },
        )
        sheet = self.rows(data, "环翠区")
        outcome = sheet[2].index("入围结果")
        outcomes = [(row[3], row[outcome]) for row in sheet[3:]]
        self.assertEqual(
            outcomes,
            [
                ("东北村社区", "入围"),
                ("古陌社区", "超出本区市入围名额"),
                ("'=1+1", "总分低于最低分"),
            ],
        )


class MatrixWorkbookTests(ExportCase):
    def test_every_item_at_every_stage_with_the_stage_totals(self) -> None:
        data = self.workbook("matrix")
        rows = self.rows(data, "得分明细")
        first_item = Item.objects.get(standard=self.standard, code="1.1")
        self.assertEqual(
            rows[2][:7],
            (
                "社区",
                None,
                None,
                f"1.1 {first_item.title}",
                None,
                None,
                f"1.2 {Item.objects.get(standard=self.standard, code='1.2').title}",
            ),
        )
        self.assertEqual(rows[2][-3], "总分")
        self.assertEqual(rows[3][:6], ("社区代码", "社区名称", "区市", "自评", "审核", "联审后"))
        self.assertEqual(rows[3][-3:], ("自评总分", "审核总分", "联审后总分"))
        self.assertEqual(len(rows[3]), 3 + 33 * 3 + 3)
        by_code = {row[0]: row for row in rows[4:]}
        self.assertEqual(
            list(by_code), ["371002001001", "371002001002", "371002002001", "371003001001"]
        )
        dongbei = by_code["371002001001"]
        self.assertEqual(dongbei[:6], ("371002001001", "东北村社区", "环翠区", 3, 3, 3))
        self.assertEqual(dongbei[-3:], (65, 81, 81))
        six_one = 3 + 31 * 3
        self.assertEqual(dongbei[six_one : six_one + 3], ("由满意度调查计分", 16, 16))
        self.assertEqual(by_code["371002002001"][3:6], (3, 1, 1))
        formula = by_code["371002001002"]
        self.assertEqual(formula[1], "'=1+1")
        self.assertEqual(formula[six_one : six_one + 3], ("由满意度调查计分", None, None))
        self.assertEqual(formula[-3:], (65, 65, 65))
        self.assert_printable(data, "$3:$4", fit_to_width=False)
        sheet = load_workbook(BytesIO(data)).worksheets[0]
        self.assertEqual(sheet.print_title_cols, "$A:$C")
        self.assertEqual(sheet.freeze_panes, "D5")

    def test_survey_items_show_the_survey_s_figure_whatever_else_was_typed(self) -> None:
        """The office's guess at 6.2 and a unit's cut of 6.1 counted (or were silently
        dropped) beside the survey; 6.2 is the awareness questions' to score."""
        dongbei = self.submissions[self.dongbei.code]
        six_one, six_two = (
            Item.objects.get(standard=self.standard, code=c) for c in ("6.1", "6.2")
        )
        ItemAudit.objects.create(
            submission=dongbei, item=six_two, round=1, audited_score=4, updated_by=self.office
        )
        UnitOpinion.objects.create(
            submission=dongbei,
            item=six_one,
            unit=MemberUnit.objects.get(code="mzj"),
            agrees=False,
            reason="核减",
            adjustment=-4,
            updated_by=self.reviewer,
        )
        SurveyItemPoints.objects.create(submission=dongbei, item=six_two, points=Decimal("2.5"))
        recompute_campaign(self.campaign.pk)
        rows = self.rows(self.workbook("matrix"), "得分明细")
        row = next(r for r in rows[4:] if r[0] == self.dongbei.code)
        six_one_at = 3 + 31 * 3
        self.assertEqual(
            row[six_one_at : six_one_at + 6],
            ("由满意度调查计分", 16, 16, "由满意度调查计分", 2.5, 2.5),
        )
        self.assertEqual(row[-3:], (65, 83.5, 83.5))


class SurveyWorkbookTests(ExportCase):
    six_two: Item

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.six_two = Item.objects.get(standard=cls.standard, code="6.2")

    def test_per_community_figures_and_counts(self) -> None:
        data = self.workbook("survey")
        self.assertEqual(load_workbook(BytesIO(data)).sheetnames, ["各区市", "各社区"])
        rows = self.rows(data, "各社区")
        self.assertIn("满意率＝总体评价题", rows[1][0])
        self.assertIn("合格线85.0%", rows[1][0])
        self.assertEqual(rows[2][0], "社区")
        self.assertTrue(rows[2][FIXED].startswith("1. "))
        self.assertEqual(
            rows[3][10:FIXED],
            (
                "满意率（%）",
                "95%置信区间（%）",
                "满意度得分",
                "是否达到合格线",
                "规定样本量",
                "样本不足",
                f"6.2 {self.six_two.title}得分",
            ),
        )
        self.assertEqual(rows[3][FIXED : FIXED + 4], ("满意", "基本满意", "不满意", "不了解"))
        by_code = {row[1]: row for row in rows[4:]}
        dongbei = by_code["371002001001"]
        self.assertEqual(
            dongbei[:FIXED],
            (
                *("环翠区", "371002001001", "东北村社区", 50, 0, 0, 0, 0, 50, 48, 96),
                *("86.5～98.9", 16, "达标", 30, None, None),
            ),
        )
        # Satisfaction questions by option; awareness questions (answered 是/否) by 是 and 否.
        asked = SurveyQuestion.objects.filter(campaign=self.campaign)
        rated = asked.exclude(kind=QuestionKind.AWARENESS).count()
        aware = asked.filter(kind=QuestionKind.AWARENESS).count()
        self.assertEqual(dongbei[FIXED:], (40, 8, 2, 0) * rated + (40, 8) * aware)
        self.assertEqual(rows[3][FIXED + 4 * rated :], ("是", "否") * aware)
        formula = by_code["371002001002"]
        self.assertEqual(formula[2], "'=1+1")
        self.assertEqual(
            formula[3:FIXED], (0, 0, 0, 0, 0, 0, 0, None, None, 0, "—", 30, "样本不足", None)
        )

    def test_an_ended_survey_shows_the_result_the_scores_read(self) -> None:
        """A survey ended at 50 of 60 questionnaires showed its tiers' 16 points here while
        the scores gave it none; 6.2's points were nowhere in the workbook."""
        SurveyTally.objects.filter(submission=self.submissions[self.dongbei.code]).update(
            sample_size=60, short_sample=True, finish_reason="调查期结束"
        )
        SurveyTally.objects.filter(submission=self.submissions[self.longshan.code]).update(
            sample_size=60,
            short_sample=True,
            short_sample_scored=True,
            finish_reason="该社区户数少，已全部入户",
        )
        SurveyItemPoints.objects.create(
            submission=self.submissions[self.gumo.code], item=self.six_two, points=Decimal("3.5")
        )
        data = self.workbook("survey")
        rows = self.rows(data, "各社区")
        points = rows[3].index("满意度得分")
        by_code = {row[1]: row[points:FIXED] for row in rows[4:]}
        self.assertEqual(by_code["371002001001"], (0, "达标", 60, "样本不足", None))
        self.assertEqual(
            by_code["371003001001"], (16, "达标", 60, "样本不足（市办认可计分）", None)
        )
        self.assertEqual(by_code["371002002001"], (16, "达标", 30, None, 3.5))
        districts = {row[0]: row[11] for row in self.rows(data, "各区市")[4:]}
        self.assertEqual(districts, {"环翠区": 2, "文登区": 1, "合计": 3})

    def test_per_district_totals(self) -> None:
        rows = self.rows(self.workbook("survey"), "各区市")
        self.assertEqual(rows[4][:12], ("环翠区", 3, 100, 0, 0, 0, 100, 96, 96, "90.2～98.4", 2, 1))
        self.assertEqual(rows[5][:12], ("文登区", 1, 50, 0, 0, 0, 50, 48, 96, "86.5～98.9", 1, 0))
        self.assertEqual(rows[6][:12], ("合计", 4, 150, 0, 0, 0, 150, 144, 96, "91.5～98.2", 3, 1))
        self.assertEqual(rows[6][12:16], (120, 24, 6, 0))


class AuditLogWorkbookTests(ExportCase):
    def test_the_campaign_period_city_wide_with_labels_and_defused_text(self) -> None:
        now = timezone.now()
        AuditEvent.objects.create(
            at=now - datetime.timedelta(days=400), action="auth.login", actor_name="旧事"
        )
        AuditEvent.objects.create(
            action="assessment.forward",
            actor=self.district_admin,
            actor_name="hc_admin",
            role=Role.DISTRICT_ADMIN,
            object_type="submission",
            object_repr="-2+3",
            district=self.huancui,
            from_state=Status.RECOMMENDED,
            to_state=Status.FORWARDED,
            comment="@SUM(A1)",
            ip="10.0.0.8",
        )
        AuditEvent.objects.create(
            action="community.update", actor_name="wd_staff", district=self.wendeng
        )
        until = timezone.now()
        AuditEvent.objects.create(action="auth.logout", actor_name="后来的事")
        data = self.workbook("audit_log", {"until": until.isoformat()})
        rows = self.rows(data, "操作日志")
        self.assertEqual(rows[0][0], "2020年创建活动操作日志")
        self.assertEqual(
            rows[2],
            (
                "时间",
                "操作人",
                "角色",
                "操作",
                "对象",
                "区市",
                "原状态",
                "新状态",
                "说明",
                "IP地址",
            ),
        )
        by_actor = {row[1]: row for row in rows[3:]}
        self.assertNotIn("旧事", by_actor)
        self.assertNotIn("后来的事", by_actor)
        self.assertEqual([row[1] for row in rows[-2:]], ["hc_admin", "wd_staff"])
        forwarded, updated = by_actor["hc_admin"], by_actor["wd_staff"]
        self.assertEqual(
            forwarded[1:],
            (
                "hc_admin",
                "区市管理员",
                "报送市办",
                "'-2+3",
                "环翠区",
                "区市拟推荐",
                "已报送，待市办审核",
                "'@SUM(A1)",
                "10.0.0.8",
            ),
        )
        self.assertEqual(forwarded[0].date(), timezone.localdate())
        self.assertEqual(updated[1:6], ("wd_staff", None, "修改社区基础数据", None, "文登区"))
        self.assert_printable(data, "$3:$3")


class LibreOfficeTests(ExportCase):
    """Each workbook opens in a real LibreOffice and keeps its content (first sheet to CSV, the
    whole workbook back to .xlsx)."""

    def test_every_kind_opens_in_libreoffice(self) -> None:
        AuditEvent.objects.create(
            action="community.update", actor_name="x", comment='=HYPERLINK("http://x")'
        )
        expected_in_first_sheet = {
            "shortlist": ['"环翠区",3,2,0,0,0,0,1,0,0,0,0', '"合计",4,2,0,0,0,0,1,0,1,0,0'],
            "matrix": ['"371002001001","东北村社区","环翠区",3,3,3', "'=1+1"],
            "survey": ['"环翠区",3,100,0,0,0,100,96,96,"90.2～98.4",2,1,80,16,4,0'],
            "audit_log": ['\'=HYPERLINK(""http://x"")'],
        }
        for kind, expected in expected_in_first_sheet.items():
            with self.subTest(kind=kind):
                data = self.workbook(kind)
                csv = libreoffice_convert(data, "csv").decode("utf-8")
                for text in expected:
                    self.assertIn(text, csv)
                again = load_workbook(BytesIO(libreoffice_convert(data, "xlsx")))
                self.assertEqual(again.sheetnames, load_workbook(BytesIO(data)).sheetnames)
        again = load_workbook(BytesIO(libreoffice_convert(self.workbook("shortlist"), "xlsx")))
        names = [row[3] for row in again["环翠区"].iter_rows(min_row=4, values_only=True)]
        self.assertEqual(names, ["东北村社区", "古陌社区", "'=1+1"])


class CommandLineTests(ExportCase):
    def test_each_command_writes_the_same_workbook_and_audits_it(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            for kind in ("shortlist", "matrix", "survey", "audit_log"):
                with self.subTest(kind=kind):
                    out = Path(tmp) / f"{kind}.xlsx"
                    printed = StringIO()
                    call_command(f"export_{kind}", campaign=2020, out=str(out), stdout=printed)
                    self.assertIn("已完成100%", printed.getvalue())
                    self.assertTrue(out.is_file())
                    first = load_workbook(out).worksheets[0].title
                    # The audit log written now also holds the command's own audit row.
                    now = self.rows(self.workbook(kind), first)[2:]
                    self.assertEqual(
                        self.rows(out.read_bytes(), first)[2:],
                        now[:-1] if kind == "audit_log" else now,
                    )
            self.assertFalse(list(Path(tmp).glob("*.part")))
        events = AuditEvent.objects.filter(action="export.command")
        self.assertEqual(
            sorted(e.details["kind"] for e in events),
            ["audit_log", "matrix", "shortlist", "survey"],
        )

    def test_an_unknown_year_or_a_wrong_name_is_refused(self) -> None:
        with self.assertRaisesMessage(CommandError, "没有1999年度的创建活动"):
            call_command("export_matrix", campaign=1999, out="/tmp/x.xlsx")
        with self.assertRaisesMessage(CommandError, ".xlsx"):
            call_command("export_matrix", campaign=2020, out="/tmp/x.csv")
