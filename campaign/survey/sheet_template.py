"""The survey firm's template: the questionnaire sheet the office hands out, with dropdowns,
column notes and the list of communities in the survey. ``sheet`` reads a filled one back."""

import itertools
from collections.abc import Sequence
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from campaign.pipeline.models import Campaign, Status, Submission
from campaign.survey.defaults import config_for
from campaign.survey.models import AWARENESS_OPTIONS, QuestionKind, SurveyQuestion
from campaign.survey.sheet import (
    CHANNEL,
    CODE,
    COLLECTOR,
    FINISHED,
    FIXED,
    IMPORTED_CHANNELS,
    LIST_TITLE,
    MAX_ROWS,
    NAME,
    NEEDS_COLLECTOR,
    NOTES_TITLE,
    REFERENCE,
    SHEET_TITLE,
    STARTED,
)

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def question_header(question: SurveyQuestion) -> str:
    return f"{question.position}. {question.text}"


def template_filename(campaign: Campaign) -> str:
    return _("%(year)d年满意度调查问卷导入模板.xlsx") % {"year": campaign.year}


def surveyed_submissions(campaign: Campaign) -> list[Submission]:
    return list(
        Submission.objects.filter(campaign=campaign, status=Status.SURVEYING)
        .select_related("community__street", "district")
        .order_by("district__display_order", "community__code")
    )


# -- the template ---------------------------------------------------------------------------


def template_workbook(campaign: Campaign) -> bytes:
    """The empty questionnaire sheet with dropdowns, the column notes and the communities in
    the survey."""
    config_for(campaign)
    questions = list(campaign.survey_questions.order_by("position"))
    labels = [option.label for option in campaign.survey_options.order_by("position")]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    headers = [*FIXED, *(question_header(q) for q in questions)]
    _header_row(sheet, headers)
    sheet.row_dimensions[1].height = 48
    sheet.freeze_panes = "A2"
    widths = {CODE: 16, NAME: 14, REFERENCE: 12, CHANNEL: 11, COLLECTOR: 10}
    last = MAX_ROWS + 1
    for index, header in enumerate(headers, start=1):
        letter = get_column_letter(index)
        column = sheet.column_dimensions[letter]
        column.width = widths.get(header, 20 if header in (STARTED, FINISHED) else 16)
        if header in (CODE, NAME, REFERENCE, COLLECTOR):
            # Text, so a 12-digit code does not become 3.71002E+11 and 007 keeps its zeros.
            column.number_format = "@"
        elif header in (STARTED, FINISHED):
            column.number_format = "yyyy-mm-dd hh:mm:ss"
    channel_letter = get_column_letter(FIXED.index(CHANNEL) + 1)
    _dropdown(
        sheet,
        [str(c.label) for c in IMPORTED_CHANNELS],
        f"{channel_letter}2:{channel_letter}{last}",
    )
    yes_no = [str(label) for label in AWARENESS_OPTIONS]
    # One dropdown per run of neighbouring questions of one kind: 满意… or 是/否.
    columns = enumerate(questions, start=len(FIXED) + 1)
    for awareness, run in itertools.groupby(columns, lambda c: c[1].kind == QuestionKind.AWARENESS):
        indexes = [index for index, _question in run]
        first, final = get_column_letter(indexes[0]), get_column_letter(indexes[-1])
        _dropdown(sheet, yes_no if awareness else labels, f"{first}2:{final}{last}")
    _notes_sheet(
        workbook.create_sheet(NOTES_TITLE),
        labels,
        [q.position for q in questions if q.kind == QuestionKind.AWARENESS],
    )
    _list_sheet(workbook.create_sheet(LIST_TITLE), surveyed_submissions(campaign))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_row(sheet: Worksheet, headers: Sequence[str], row: int = 1) -> None:
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row, column, text)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _dropdown(sheet: Worksheet, labels: Sequence[str], cells: str) -> None:
    choices = ",".join(labels)
    # An inline list cannot hold commas or quotes and stops at 255 characters.
    if not labels or len(choices) > 250 or any("," in x or '"' in x for x in labels):
        return
    validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
    validation.error = _("请从下拉列表中选择：%(choices)s") % {"choices": "、".join(labels)}
    validation.errorTitle = _("输入有误")
    validation.showErrorMessage = True
    sheet.add_data_validation(validation)
    validation.add(cells)


def _notes_sheet(sheet: Worksheet, labels: Sequence[str], awareness: Sequence[int]) -> None:
    channels = "、".join(str(c.label) for c in IMPORTED_CHANNELS)
    needs = "、".join(str(c.label) for c in IMPORTED_CHANNELS if c in NEEDS_COLLECTOR)
    lines = [
        (
            CODE,
            _("必填。被调查社区的12位统计用区划代码，见“%(sheet)s”表。") % {"sheet": LIST_TITLE},
        ),
        (NAME, _("选填，便于核对；填写时须与社区代码对应的社区名称一致。")),
        (REFERENCE, _("必填。调查公司的问卷编号，同一社区内不得重复，也不得与已导入的问卷重复。")),
        (
            CHANNEL,
            _("必填。%(channels)s之一。扫码自填的问卷由居民在手机上提交，不通过本表导入。")
            % {"channels": channels},
        ),
        (
            COLLECTOR,
            _("%(channels)s调查必填：调查员姓名或工号。不要填写受访居民的任何信息。")
            % {"channels": needs},
        ),
        (
            STARTED,
            _("必填。格式如 2020-10-12 09:30 或 2020/10/12 9:30:05，也可以是 Excel 日期时间。"),
        ),
        (FINISHED, _("必填。不得早于开始时间；答题时间过短的问卷会被标记，由领导小组办公室核定。")),
        (
            _("各题"),
            _("每题一列，填写选项：%(labels)s。不要增删、调换或改写题目列。")
            % {"labels": "、".join(labels)},
        ),
    ]
    if awareness:
        lines.append(
            (
                _("知晓与参与题"),
                _("第%(numbers)s题为知晓与参与题，只填写“是”或“否”。")
                % {"numbers": "、".join(str(n) for n in awareness)},
            )
        )
    _header_row(sheet, [_("列"), _("填写说明")])
    for row, (column, text) in enumerate(lines, start=2):
        sheet.cell(row, 1, column).font = Font(bold=True)
        sheet.cell(row, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
    closing = len(lines) + 3
    sheet.cell(closing, 1, _("注意")).font = Font(bold=True)
    sheet.cell(
        closing,
        2,
        _(
            "一行一份问卷，第1行为表头。同一文件只能导入一次；表中任何一行有误，整个文件都不导入，"
            "请按系统列出的行号和列名更正后重新上传。调查不记名，表中不得出现受访居民的姓名、电话、住址。"
        ),
    ).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 90


def _list_sheet(sheet: Worksheet, submissions: Sequence[Submission]) -> None:
    _header_row(sheet, [CODE, NAME, _("区市"), _("街道")])
    for row, submission in enumerate(submissions, start=2):
        community = submission.community
        values = [community.code, community.name, submission.district.name, community.street.name]
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value).number_format = "@"
    for letter, width in zip("ABCD", (16, 20, 12, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


# -- reading --------------------------------------------------------------------------------
