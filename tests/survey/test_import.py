"""Importing a survey firm's questionnaires (tests/survey/routes_import.py covers who may reach
the pages): the template, row-by-row checks, quality flags, the command and the preview."""

import datetime
import io
import shutil
import tempfile
import threading
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock, skipUnless

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import resolve, reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaign.kernel.audit_log import COMMAND_LINE
from campaign.kernel.models import AuditEvent
from campaign.pipeline.actions import do_create_campaign
from campaign.pipeline.models import CampaignPhase, Phase, Status, Submission
from campaign.pipeline.workflow import ActionRefused
from campaign.survey import import_views
from campaign.survey.defaults import config_for
from campaign.survey.import_actions import do_import_survey
from campaign.survey.models import Quality, SurveyImport, SurveyResponse
from campaign.survey.sheet import parse_moment, read_sheet
from campaign.survey.sheet_template import question_header, template_workbook
from tests.base import CampaignTestCase, ReferenceDataMixin
from tests.builders import open_every_phase, submission_at
from tests.runner import on_real_stack
from tests.spreadsheets import libreoffice_convert, workbook_bytes

START = datetime.datetime(2020, 10, 12, 9, 30)
LABELS = {"1": "满意", "2": "基本满意", "3": "不满意", "4": "不了解"}
# The default questionnaire: seven satisfaction questions, then three awareness ones (是/否).
SATISFACTION_QUESTIONS = 7
YES_NO = {"1": "是", "2": "否"}
FIXED = ["社区代码", "社区名称", "问卷编号", "调查方式", "调查员", "开始时间", "结束时间"]


def line(
    community: Any,
    reference: Any,
    answers: str = "1111111121",
    *,
    collector: str = "张调查",
    channel: str = "电话",
    minutes: float = 3,
    start: Any = START,
    name: str | None = None,
) -> list[Any]:
    """One questionnaire row; ``answers`` as option positions, "-" for a blank cell."""
    finish = (
        start + datetime.timedelta(minutes=minutes)
        if isinstance(start, datetime.datetime)
        else start
    )
    return [
        community.code,
        community.name if name is None else name,
        reference,
        channel,
        collector,
        start,
        finish,
        *(
            (YES_NO if n > SATISFACTION_QUESTIONS else LABELS).get(a, a) if a != "-" else None
            for n, a in enumerate(answers, start=1)
        ),
    ]


def at_cell(values: list[Any], index: int, value: Any) -> list[Any]:
    values[index] = value
    return values


class SurveyImportCase(CampaignTestCase):
    dongbei_survey: Submission
    gumo_survey: Submission

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        open_every_phase(cls.campaign)
        config_for(cls.campaign)
        cls.dongbei_survey = submission_at(
            cls.campaign, cls.dongbei, Status.SURVEYING, actor=cls.office
        )
        cls.gumo_survey = submission_at(cls.campaign, cls.gumo, Status.SURVEYING, actor=cls.office)

    def setUp(self) -> None:
        super().setUp()
        staging_dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, staging_dir, ignore_errors=True)
        staged = override_settings(IMPORT_STAGING_DIR=Path(staging_dir))
        staged.enable()
        self.addCleanup(staged.disable)
        self.staging_dir = Path(staging_dir)

    def header(self) -> list[str]:
        return FIXED + [question_header(q) for q in self.campaign.survey_questions.all()]

    def filled_template(self, rows: list[list[Any]]) -> bytes:
        """The office's template, filled in the way a firm does it."""
        workbook = load_workbook(BytesIO(template_workbook(self.campaign)))
        for values in rows:
            workbook["问卷"].append(values)
        buffer = BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def plain(self, rows: list[list[Any]], header: list[Any] | None = None) -> bytes:
        return workbook_bytes([header or self.header(), *rows], title="问卷")

    def run_import(self, data: bytes, **options: Any) -> Any:
        return do_import_survey(
            self.campaign.pk,
            options.pop("name", "调查公司第一批.xlsx"),
            data,
            actor=options.pop("actor", self.office),
            **options,
        )

    def problems(self, data: bytes, **options: Any) -> list[str]:
        with self.assertRaises(ActionRefused) as refused:
            self.run_import(data, **options)
        return refused.exception.problems or [refused.exception.message]

    def counts(self) -> tuple[int, ...]:
        return (
            SurveyResponse.objects.count(),
            SurveyImport.objects.count(),
            AuditEvent.objects.filter(action="assessment.record_survey").count(),
        )


class TemplateTests(SurveyImportCase):
    def test_the_template_has_headers_dropdowns_notes_and_the_communities(self) -> None:
        workbook = load_workbook(BytesIO(template_workbook(self.campaign)))
        self.assertEqual(workbook.sheetnames, ["问卷", "说明", "社区名单"])
        sheet = workbook["问卷"]
        header = [cell.value for cell in sheet[1]]
        self.assertEqual(header, self.header())
        self.assertEqual(header[7], "1. 您对社区工作人员的服务态度是否满意？")
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertEqual(sheet.column_dimensions["A"].number_format, "@")
        self.assertGreater(sheet.column_dimensions["H"].width, 10)
        lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
        self.assertEqual(lists["D2:D20001"], '"网络,电话,纸质,入户面访"')
        self.assertEqual(lists["H2:N20001"], '"满意,基本满意,不满意,不了解"')
        # Item 6.2's awareness questions are answered 是/否.
        self.assertEqual(lists["O2:Q20001"], '"是,否"')
        self.assertEqual(header[14], "8. 您是否知道本社区正在开展精致幸福社区创建活动？")
        notes = " ".join(str(c.value) for row in workbook["说明"].iter_rows() for c in row)
        for column in FIXED:
            self.assertIn(column, notes)
        listed = [row[0] for row in workbook["社区名单"].iter_rows(min_row=2, values_only=True)]
        self.assertEqual(listed, [self.dongbei.code, self.gumo.code])

    def test_an_untouched_template_is_refused_as_empty(self) -> None:
        self.assertEqual(
            self.problems(template_workbook(self.campaign)),
            ["表中没有问卷行（第1行表头以下为空）。"],
        )


class ImportTests(SurveyImportCase):
    def test_a_good_file_creates_questionnaires_answers_and_one_audit_row_per_community(
        self,
    ) -> None:
        data = self.filled_template(
            [
                line(self.dongbei, "DB-001", "1121311121", minutes=2.5),
                line(self.dongbei, 1002, "2222224212", channel="纸质", collector="李四"),
                line(self.gumo, "DB-001", "3333333222", channel="网络", collector="", name=""),
            ]
        )
        report = self.run_import(data, ip="10.0.0.8")
        self.assertEqual(
            [
                (c.name, c.district, c.imported, c.too_fast, c.in_cluster)
                for c in report.communities
            ],
            [("东北村社区", "环翠区", 2, 0, 0), ("古陌社区", "环翠区", 1, 0, 0)],
        )
        first = SurveyResponse.objects.get(submission=self.dongbei_survey, reference="DB-001")
        self.assertEqual(first.pattern, "1121311121")
        self.assertEqual(first.duration_seconds, 150)
        self.assertEqual((first.channel, first.collector), ("phone", "张调查"))
        self.assertEqual(timezone.localtime(first.started_at).replace(tzinfo=None), START)
        self.assertEqual(first.quality, Quality.CLEAN)
        assert first.source is not None
        self.assertEqual(first.source.file_name, "调查公司第一批.xlsx")
        self.assertIsNone(first.code)
        # The pattern is the options' positions: 满意 1, 基本满意 2, 不满意 3, 不了解 4.
        numbered = SurveyResponse.objects.get(reference="1002")
        self.assertEqual((numbered.channel, numbered.pattern), ("paper", "2222224212"))
        self.assertEqual(SurveyResponse.objects.get(submission=self.gumo_survey).channel, "online")
        self.assertEqual(SurveyResponse.objects.count(), 3)
        survey_import = SurveyImport.objects.get()
        self.assertEqual((survey_import.rows, survey_import.imported_by), (3, self.office))

        events = AuditEvent.objects.filter(action="assessment.record_survey").order_by("object_id")
        self.assertEqual(
            [(e.object_id, e.comment, e.ip, e.details["imported"]) for e in events],
            [
                (str(self.dongbei_survey.pk), "调查公司第一批.xlsx", "10.0.0.8", 2),
                (str(self.gumo_survey.pk), "调查公司第一批.xlsx", "10.0.0.8", 1),
            ],
        )
        self.assertEqual(events[0].actor, self.office)
        self.assertEqual((events[0].from_state, events[0].to_state), ("surveying", "surveying"))

    def test_too_fast_questionnaires_are_flagged_for_the_office(self) -> None:
        config = config_for(self.campaign)  # 30 seconds
        report = self.run_import(
            self.plain(
                [
                    line(self.dongbei, "A1", minutes=29 / 60),
                    line(self.dongbei, "A2", minutes=0.5),
                    line(self.dongbei, "A3", "1212121121", minutes=0),
                ]
            )
        )
        self.assertEqual(config.min_duration_seconds, 30)
        flags = dict(SurveyResponse.objects.values_list("reference", "too_fast"))
        self.assertEqual(flags, {"A1": True, "A2": False, "A3": True})
        self.assertEqual(
            set(SurveyResponse.objects.filter(too_fast=True).values_list("quality", flat=True)),
            {Quality.FLAGGED},
        )
        self.assertEqual((report.too_fast, report.flagged), (2, 2))
        event = AuditEvent.objects.get(action="assessment.record_survey")
        self.assertEqual(event.details["too_fast"], 2)

    def test_identical_answers_from_one_collector_form_a_cluster(self) -> None:
        same = "1111111121"
        rows = [line(self.dongbei, f"A{n}", same, collector="王五") for n in range(5)]
        # The same answers split between two collectors, and in another community: no cluster.
        rows += [line(self.gumo, f"B{n}", same, collector="王五") for n in range(3)]
        rows += [line(self.gumo, f"C{n}", same, collector="赵六") for n in range(2)]
        rows += [line(self.dongbei, "D1", "1111112121", collector="王五")]
        report = self.run_import(self.plain(rows))
        clustered = set(
            SurveyResponse.objects.filter(in_cluster=True).values_list("reference", flat=True)
        )
        self.assertEqual(clustered, {f"A{n}" for n in range(5)})
        self.assertEqual(
            set(SurveyResponse.objects.filter(in_cluster=True).values_list("quality", flat=True)),
            {Quality.FLAGGED},
        )
        self.assertEqual(
            [(c.name, c.imported, c.in_cluster) for c in report.communities],
            [("东北村社区", 6, 5), ("古陌社区", 5, 0)],
        )

    def test_a_later_file_completing_a_cluster_flags_the_earlier_questionnaires_too(self) -> None:
        self.run_import(self.plain([line(self.dongbei, f"A{n}") for n in range(3)]))
        report = self.run_import(
            self.plain([line(self.dongbei, f"B{n}") for n in range(2)]), name="第二批.xlsx"
        )
        self.assertEqual(SurveyResponse.objects.filter(in_cluster=True).count(), 5)
        self.assertEqual(
            [(c.in_cluster, c.earlier_in_cluster) for c in report.communities], [(2, 3)]
        )

    def test_a_dry_run_reports_the_flags_and_writes_nothing(self) -> None:
        before = self.counts()
        rows = [line(self.dongbei, f"A{n}", minutes=0.2) for n in range(5)]
        report = self.run_import(self.plain(rows), dry_run=True)
        self.assertTrue(report.dry_run)
        self.assertEqual(
            [(c.imported, c.too_fast, c.in_cluster, c.flagged) for c in report.communities],
            [(5, 5, 5, 5)],
        )
        self.assertEqual(self.counts(), before)
        # Nothing recorded: the same file still imports for real afterwards.
        self.assertEqual(self.run_import(self.plain(rows)).imported, 5)

    def test_the_same_file_twice_is_refused(self) -> None:
        data = self.plain([line(self.dongbei, "A1")])
        self.run_import(data)
        before = self.counts()
        [problem] = self.problems(data, name="改了名字.xlsx")
        self.assertIn("这个文件已于", problem)
        self.assertIn("（文件名“调查公司第一批.xlsx”，1份问卷），不能重复导入。", problem)
        self.assertEqual(self.counts(), before)

    def test_a_questionnaire_number_from_an_earlier_file_is_refused(self) -> None:
        self.run_import(self.plain([line(self.dongbei, "A1"), line(self.dongbei, "A2")]))
        before = self.counts()
        self.assertEqual(
            self.problems(
                self.plain(
                    [line(self.gumo, "A1"), line(self.dongbei, "A3"), line(self.dongbei, "A2")]
                ),
                name="第二批.xlsx",
            ),
            [
                "第4行“问卷编号”：东北村社区的问卷编号“A2”已在此前导入的“调查公司第一批.xlsx”中，"
                "不能重复导入。"
            ],
        )
        self.assertEqual(self.counts(), before)

    def test_a_community_that_left_the_survey_is_refused(self) -> None:
        Submission.objects.filter(pk=self.gumo_survey.pk).update(status=Status.JOINT_REVIEW)
        before = self.counts()
        self.assertEqual(
            self.problems(self.plain([line(self.dongbei, "A1"), line(self.gumo, "B1")])),
            [
                "第3行“社区代码”：古陌社区当前状态为“成员单位联审中”，不在满意度调查中，不能导入问卷。"
            ],
        )
        self.assertEqual(self.counts(), before)

    def test_a_closed_survey_phase_is_refused_naming_the_community(self) -> None:
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        CampaignPhase.objects.filter(campaign=self.campaign, phase=Phase.SURVEY).update(
            ends_on=yesterday
        )
        [problem] = self.problems(self.plain([line(self.dongbei, "A1")]))
        self.assertTrue(problem.startswith("“满意度调查”阶段已于"), problem)
        self.assertEqual(self.counts(), (0, 0, 0))

    def test_only_the_office_imports(self) -> None:
        for user in (self.staff, self.leader, self.reviewer, self.sysadmin):
            with self.subTest(user=user.username):
                self.assertEqual(
                    self.problems(self.plain([line(self.dongbei, "A1")]), actor=user),
                    ["您的角色不能导入调查问卷。"],
                )
        self.assertEqual(self.counts(), (0, 0, 0))


class RowProblemTests(SurveyImportCase):
    def test_every_bad_row_is_named_by_row_and_column_and_nothing_is_saved(self) -> None:
        d, g = self.dongbei, self.gumo
        unknown = SimpleNamespace(code="371002009999", name="")
        short = SimpleNamespace(code="12345", name="")
        future = datetime.datetime(2099, 1, 1, 9, 0)
        rows = [
            line(d, "G1"),  # 2: good
            line(unknown, "X1"),  # 3
            line(short, "X2"),  # 4
            line(self.longshan, "X3"),  # 5
            line(self.longshan, "X4"),  # 6
            line(d, "X5", channel="短信"),  # 7
            line(d, "X6", channel="扫码自填"),  # 8
            line(d, "X7", collector=""),  # 9
            line(d, "G2", channel="网络", collector=""),  # 10: good, online needs no collector
            at_cell(line(d, "X8"), 5, "昨天上午"),  # 11
            at_cell(line(d, "X9"), 6, None),  # 12
            line(d, "X10", minutes=-5),  # 13
            at_cell(line(d, "X11"), 9, "很满意"),  # 14
            line(d, "X12", "111111111-"),  # 15
            line(d, "G1"),  # 16
            line(g, "G1"),  # 17: good, another community
            line(d, "X13", name="古陌社区"),  # 18
            line(d, None),  # 19
            at_cell(line(d, "X14"), 5, "2020-10-12"),  # 20
            at_cell(line(d, "X15"), 6, future),  # 21
            ["  ", None, "", None],  # 22: blank, skipped
            line(d, "G3", channel=" 入户面访 "),  # 23: good
        ]
        before = self.counts()
        self.assertEqual(
            self.problems(self.filled_template(rows)),
            [
                "第3行“社区代码”：没有社区代码为371002009999的社区。",
                "第4行“社区代码”：“12345”不是12位社区代码。",
                "第5行“社区代码”：龙山社区没有参加本年度创建活动。"
                "（表中共2行为该社区代码，此处不再逐行列出）",
                "第7行“调查方式”：“短信”不是可选的调查方式，应为网络、电话、纸质、入户面访之一。",
                "第8行“调查方式”：扫码自填的问卷由居民在手机上提交，不能通过表格导入。",
                "第9行“调查员”：电话调查须填写调查员。",
                "第11行“开始时间”：“昨天上午”不是有效的日期时间，应如 2020-10-12 09:30。",
                "第12行“结束时间”：未填写。",
                "第13行“结束时间”：早于开始时间。",
                "第14行“第3题”：“很满意”不是可选答案，应为满意、基本满意、不满意、不了解之一。",
                "第15行“第10题”：未填写答案。",
                "第16行“问卷编号”：“G1”与第2行重复，同一社区的问卷编号不能重复。",
                "第18行“社区名称”：“古陌社区”与社区代码371002001001对应的“东北村社区”不一致，"
                "请核对社区代码。",
                "第19行“问卷编号”：未填写。",
                "第20行“开始时间”：只有日期没有时间，应如 2020-10-12 09:30。",
                "第21行“结束时间”：晚于当前时间，请核对日期。",
            ],
        )
        self.assertEqual(self.counts(), before)

    def test_the_header_must_match_the_campaigns_questions(self) -> None:
        header = self.header()
        header[9] = "3. 您对社区卫生是否满意？"
        del header[11]  # question 5
        header += ["11. 您对社区停车是否满意？", "备注", "4. 您对社区治安和安全状况是否满意？"]
        del header[6]  # 结束时间
        self.assertEqual(
            self.problems(self.plain([], header=header)),
            [
                "第1行“3. 您对社区卫生是否满意？”：与本次调查的第3题"
                "“您对社区环境卫生和绿化是否满意？”不一致。请使用系统下载的模板，不要改写题目。",
                "第1行“11. 您对社区停车是否满意？”：本次调查没有第11题（共10题）。",
                "第1行“4. 您对社区治安和安全状况是否满意？”：第4题的列出现了两次。",
                "第1行：表头缺少以下列：结束时间。",
                "第1行：表头缺少第5题的列。请使用系统下载的模板。",
            ],
        )

    def test_a_title_row_reordered_questions_and_extra_columns_are_understood(self) -> None:
        questions = list(self.campaign.survey_questions.all())
        header = FIXED + ["受访人电话"] + [q.text for q in reversed(questions)]
        row = line(self.dongbei, "A1", "1234123112")
        answers = row[7:]
        values = [*row[:7], "13800000000", *reversed(answers)]
        data = workbook_bytes([["某调查公司问卷汇总"], [], header, values], title="Sheet1")
        report = self.run_import(data)
        self.assertEqual(report.ignored_columns, ["受访人电话"])
        self.assertEqual(SurveyResponse.objects.get().pattern, "1234123112")

    def test_files_that_are_not_a_questionnaire_sheet_get_one_clear_message(self) -> None:
        good = self.plain([line(self.dongbei, "A1")])
        not_xlsx = "文件不是有效的 Excel（.xlsx）文件，可能已损坏，或并非表格文件。"
        cases = {
            b"community code,reference\n": not_xlsx,
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100: "这是旧版 Excel（.xls）文件",
            good[: len(good) // 2]: "文件不是有效的 Excel（.xlsx）文件",
            workbook_bytes([["统计表"], [1, 2, 3]]): "工作表“Sheet1”前20行中没有找到表头",
            b"": "文件不是有效的 Excel（.xlsx）文件",
        }
        for data, message in cases.items():
            with self.subTest(message=message):
                [problem] = self.problems(data)
                self.assertTrue(problem.startswith(message), problem)
        self.assertEqual(self.counts(), (0, 0, 0))

    def test_size_and_row_limits(self) -> None:
        data = self.plain([line(self.dongbei, f"A{n}") for n in range(4)])
        with mock.patch("campaign.survey.sheet.MAX_ROWS", 3):
            self.assertEqual(self.problems(data), ["表中问卷超过3份，请分成多个文件导入。"])
        with override_settings(IMPORT_MAX_BYTES=1000):
            [problem] = self.problems(data)
            self.assertTrue(problem.startswith("文件过大"), problem)

    def test_times_are_read_however_the_firm_wrote_them(self) -> None:
        expected = timezone.make_aware(datetime.datetime(2020, 10, 12, 9, 30, 5))
        for value in (
            datetime.datetime(2020, 10, 12, 9, 30, 5),
            datetime.datetime(2020, 10, 12, 9, 30, 4, 999600),
            "2020-10-12 09:30:05",
            "2020/10/12 9:30:05",
            "2020.10.12 9:30:05",
            "2020-10-12T09:30:05",
            "２０２０年１０月１２日　9时30分5秒",
            44116.39589120371,
        ):
            with self.subTest(value=value):
                self.assertEqual(parse_moment(value), (expected, ""))
        self.assertEqual(parse_moment("2020/10/12 9:30")[0], expected.replace(second=0))
        wrong: list[tuple[Any, str]] = [
            ("2020-10-12", "只有日期没有时间"),
            (datetime.date(2020, 10, 12), "只有日期没有时间"),
            (44116, "只有日期没有时间"),
            (datetime.time(9, 30), "只有时间没有日期"),
            ("2020-13-40 25:00", "“2020-13-40 25:00”不是有效的日期时间"),
        ]
        for value, problem in wrong:
            with self.subTest(value=value):
                moment, message = parse_moment(value)
                self.assertIsNone(moment)
                self.assertTrue(message.startswith(problem), message)


class CommandTests(SurveyImportCase):
    def write(self, data: bytes, name: str = "调查公司问卷.xlsx") -> str:
        path = self.staging_dir / name
        path.write_bytes(data)
        return str(path)

    def good_file(self) -> str:
        return self.write(
            self.plain(
                [
                    line(self.dongbei, "A1"),
                    line(self.dongbei, "A2", minutes=0.2),
                    line(self.gumo, "B1"),
                ]
            )
        )

    def test_the_command_imports_and_prints_the_report(self) -> None:
        out = io.StringIO()
        call_command("import_survey", self.good_file(), stdout=out)
        self.assertIn("环翠区 东北村社区（371002001001）：2份问卷，答题过快1份", out.getvalue())
        self.assertIn("环翠区 古陌社区（371002002001）：1份问卷", out.getvalue())
        self.assertIn("导入完成。共2个社区、3份问卷，其中1份被标记", out.getvalue())
        self.assertEqual(SurveyResponse.objects.count(), 3)
        self.assertIsNone(SurveyImport.objects.get().imported_by)
        events = AuditEvent.objects.filter(action="assessment.record_survey")
        self.assertEqual(events.count(), 2)
        self.assertEqual({(e.actor, e.actor_name) for e in events}, {(None, str(COMMAND_LINE))})

    def test_dry_run_saves_nothing_and_says_so(self) -> None:
        out = io.StringIO()
        call_command(
            "import_survey", self.good_file(), "--dry-run", "--campaign", "2020", stdout=out
        )
        self.assertIn("东北村社区（371002001001）：2份问卷，答题过快1份", out.getvalue())
        self.assertIn("检查通过（试运行）：以上为导入后的结果，没有保存任何数据。", out.getvalue())
        self.assertEqual(self.counts(), (0, 0, 0))

    def test_an_office_account_may_be_recorded_as_the_actor(self) -> None:
        call_command("import_survey", self.good_file(), "--user", "office", stdout=io.StringIO())
        self.assertEqual(SurveyImport.objects.get().imported_by, self.office)
        self.assertEqual(
            set(
                AuditEvent.objects.filter(action="assessment.record_survey").values_list(
                    "actor", flat=True
                )
            ),
            {self.office.pk},
        )
        with self.assertRaisesMessage(CommandError, "不是领导小组办公室的账号"):
            call_command("import_survey", self.good_file(), "--user", "hc_staff")

    def test_problems_go_to_stderr_and_fail(self) -> None:
        err = io.StringIO()
        path = self.write(
            self.plain([line(self.dongbei, "A1"), line(self.gumo, "B1", channel="短信")])
        )
        with self.assertRaisesMessage(CommandError, "文件中有1处问题，没有导入任何问卷。"):
            call_command("import_survey", path, stdout=io.StringIO(), stderr=err)
        self.assertIn("第3行“调查方式”：“短信”不是可选的调查方式", err.getvalue())
        self.assertEqual(self.counts(), (0, 0, 0))
        with self.assertRaisesMessage(CommandError, "没有2019年度的创建活动。"):
            call_command("import_survey", path, "--campaign", "2019")
        with self.assertRaisesMessage(CommandError, "无法读取文件"):
            call_command("import_survey", str(self.staging_dir / "missing.xlsx"))


class PageTests(SurveyImportCase):
    def url(self, name: str) -> str:
        return reverse(name, args=[self.campaign.year])

    def upload(self, data: bytes, name: str = "第一批问卷.xlsx") -> Any:
        return self.client.post(self.url("survey_import"), {"file": SimpleUploadedFile(name, data)})

    def confirm(self, response: Any, **extra: str) -> Any:
        fields = {"token": response.context["token"], "sha256": response.context["report"].sha256}
        return self.client.post(self.url("survey_import_confirm"), {**fields, **extra})

    def good(self) -> bytes:
        return self.plain([line(self.dongbei, f"A{n}", minutes=0.1) for n in range(5)])

    def test_the_urls_are_not_taken_for_a_community(self) -> None:
        self.assertEqual(resolve(self.url("survey_import")).func, import_views.survey_import)

    def test_preview_saves_nothing_and_confirm_imports_the_previewed_file(self) -> None:
        self.login(self.office)
        page = self.client.get(self.url("survey_import"))
        self.assertContains(page, self.url("survey_import_template"))
        preview = self.upload(self.good())
        self.assertEqual(preview.status_code, 200)
        self.assertContains(preview, "检查通过：将为1个社区导入5份问卷。")
        self.assertContains(preview, "其中5份将被标记")
        self.assertEqual(self.counts(), (0, 0, 0))
        self.assertEqual(len(list(self.staging_dir.iterdir())), 2)

        done = self.confirm(preview)
        self.assertRedirects(done, self.url("survey_import"), fetch_redirect_response=False)
        self.assertEqual(self.counts(), (5, 1, 1))
        self.assertEqual(list(self.staging_dir.iterdir()), [])
        page = self.client.get(self.url("survey_import"))
        self.assertContains(page, "已导入“第一批问卷.xlsx”：1个社区、5份问卷；其中答题过快5份")
        self.assertContains(page, '第一批问卷.xlsx</td><td class="num">5</td>')

        # The token is spent, and the same file again is refused at the preview.
        again = self.confirm(preview)
        self.assertRedirects(again, self.url("survey_import"), fetch_redirect_response=False)
        self.assertEqual(self.counts(), (5, 1, 1))
        refused = self.upload(self.good(), name="重复.xlsx")
        self.assertContains(refused, "不能重复导入")
        self.assertNotContains(refused, "确认导入")

    def test_a_bad_file_lists_its_problems(self) -> None:
        self.login(self.office)
        response = self.upload(self.plain([line(self.dongbei, "A1", channel="短信")]))
        self.assertContains(response, "文件中有1处问题，没有导入任何问卷。")
        self.assertContains(response, "第2行“调查方式”：“短信”不是可选的调查方式")
        self.assertEqual(response.context["token"], "")
        self.assertEqual(list(self.staging_dir.iterdir()), [])

    def test_cancel_and_a_changed_file_import_nothing(self) -> None:
        self.login(self.office)
        cancelled = self.confirm(self.upload(self.good()), cancel="1")
        self.assertRedirects(cancelled, self.url("survey_import"), fetch_redirect_response=False)
        preview = self.upload(self.good())
        self.confirm(preview, sha256="0" * 64)
        self.assertEqual(self.counts(), (0, 0, 0))
        self.assertEqual(list(self.staging_dir.iterdir()), [])

    def test_the_template_downloads_as_xlsx(self) -> None:
        self.login(self.office)
        response = self.client.get(self.url("survey_import_template"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("filename*=UTF-8''2020", response["Content-Disposition"])
        self.assertEqual(load_workbook(BytesIO(response.content)).sheetnames[0], "问卷")

    def test_other_roles_are_refused(self) -> None:
        for user in (self.staff, self.district_admin, self.reviewer, self.leader, self.sysadmin):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(self.url("survey_import")).status_code, 403)
                self.assertEqual(self.upload(self.good()).status_code, 403)
        self.assertEqual(self.counts(), (0, 0, 0))


class LibreOfficeTests(SurveyImportCase):
    def test_a_file_saved_again_by_libreoffice_imports_the_same(self) -> None:
        rows = [
            line(self.dongbei, "A1", "1121311121", minutes=2.5),
            line(self.dongbei, 1002, "2222224212", channel="纸质", collector="李四"),
            line(self.gumo, "B1", "4444444222", channel="入户面访", minutes=0.25),
        ]
        rows[1][5:7] = ["2020/10/12 9:30:05", "2020-10-12 09:34"]
        original = self.filled_template(rows)
        resaved = libreoffice_convert(original, "xlsx")
        self.assertNotEqual(resaved, original)

        def summary(data: bytes) -> list[tuple[Any, ...]]:
            parsed = read_sheet(self.campaign, data)
            self.assertEqual([str(p) for p in parsed.problems], [])
            return [
                (
                    q.row,
                    q.submission_id,
                    q.reference,
                    q.channel,
                    q.collector,
                    q.started_at,
                    q.duration_seconds,
                    q.pattern,
                )
                for q in parsed.rows
            ]

        self.assertEqual(summary(resaved), summary(original))
        report = self.run_import(resaved, name="LibreOffice另存.xlsx")
        self.assertEqual(
            [(c.name, c.imported, c.too_fast) for c in report.communities],
            [("东北村社区", 2, 0), ("古陌社区", 1, 1)],
        )
        self.assertEqual(SurveyResponse.objects.get(reference="1002").duration_seconds, 235)
        reopened = load_workbook(BytesIO(resaved))
        self.assertEqual(reopened.sheetnames, ["问卷", "说明", "社区名单"])
        self.assertTrue(reopened["问卷"].data_validations.dataValidation)


@skipUnless(on_real_stack(), "concurrent transactions need PostgreSQL's row locks")
class ConcurrentImportTests(ReferenceDataMixin, TransactionTestCase):
    def test_the_same_file_confirmed_twice_at_once_imports_once(self) -> None:
        self.load_reference_data()
        self.create_personas()
        self.create_register()
        campaign = do_create_campaign(
            2020, "2020年创建活动", self.standard.pk, starts_on=timezone.localdate()
        )
        open_every_phase(campaign)
        config_for(campaign)
        submission_at(campaign, self.dongbei, Status.SURVEYING, actor=self.office)
        data = workbook_bytes(
            [
                FIXED + [question_header(q) for q in campaign.survey_questions.all()],
                *(line(self.dongbei, f"A{n}") for n in range(30)),
            ]
        )
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def confirm(name: str) -> None:
            try:
                start.wait()
                report = do_import_survey(campaign.pk, name, data, actor=self.office)
                outcomes.append(f"imported {report.imported}")
            except ActionRefused as exc:
                outcomes.append(exc.message)
            finally:
                connection.close()

        threads = [threading.Thread(target=confirm, args=(f"{n}.xlsx",)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(outcomes), 2)
        self.assertIn("imported 30", outcomes)
        [refusal] = [o for o in outcomes if o != "imported 30"]
        self.assertIn("不能重复导入", refusal)
        self.assertEqual(SurveyImport.objects.count(), 1)
        self.assertEqual(SurveyResponse.objects.count(), 30)
        self.assertEqual(AuditEvent.objects.filter(action="assessment.record_survey").count(), 1)
