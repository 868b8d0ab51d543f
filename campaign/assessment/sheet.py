"""A community's self-assessment as an Excel sheet to fill in offline (Excel or WPS).

The sheet holds one row per item of the campaign's standard, prefilled with what is saved.
Only the score and explanation cells can be edited (sheet protection, a validation on the
score); an identity line above the header names the community, so an upload can be matched to
it. Reading an uploaded sheet back is ``assessment_sheet_import``.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from campaign.pipeline.access import AssessmentTarget
from campaign.pipeline.items import MAX_EXPLANATION, auto_scores, judging_figures
from campaign.pipeline.models import ItemAssessment
from communities.models import Community
from communities.sheets import BinaryWriter, defuse
from communities.units import plain_decimal
from standards.models import Item

# The file format: what the upload matches on, so not translated.
CODE, CATEGORY, TITLE, POINTS = "编号", "大项", "小项", "分值"  # i18n-data
SCORE, EXPLANATION = "自评得分", "自评说明"  # i18n-data
SURVEY_MARKER, AUTO_MARKER = "由满意度调查计分", "系统自动核验"  # i18n-data
COLUMNS = (CODE, CATEGORY, TITLE, POINTS, SCORE, EXPLANATION)
REQUIRED = (CODE, SCORE, EXPLANATION)
COMMUNITY_LABEL, YEAR_LABEL, TIME_LABEL = "社区代码", "活动年度", "下载时间"  # i18n-data
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

IDENTITY_ROW, NOTE_ROW, HEADER_ROW = 3, 4, 5
WIDTHS = {"A": 8, "B": 12, "C": 30, "D": 8, "E": 10, "F": 64}
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_GREY = PatternFill("solid", fgColor="E7E6E6")
_HEADER = PatternFill("solid", fgColor="DCE6F1")
_INPUT = PatternFill("solid", fgColor="FFFFFF")
_UNLOCKED = Protection(locked=False)


def sheet_filename(community: Community) -> str:
    return _("%(name)s自评表.xlsx") % {"name": community.name}


def staging_kind(target: AssessmentTarget) -> str:
    """Staged uploads are kept per campaign and community, so a token only fits its own page."""
    return f"assessment-{target.campaign.year}-{target.community.code}"


# -- writing --------------------------------------------------------------------------------


def write_sheet(target: AssessmentTarget, output: "str | BinaryWriter") -> None:
    """The community's sheet, prefilled with what is saved. A normal (not write-only) workbook,
    because protection and validations need it; 33 rows are small."""
    campaign, community = target.campaign, target.community
    saved = saved_assessments(target)
    # What the system gives the auto-verified items, as the page shows it.
    auto = auto_scores(campaign, community, judging_figures(target.submission))
    items = Item.objects.filter(standard_id=campaign.standard_id).select_related("category")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("自评表")
    for letter, width in WIDTHS.items():
        sheet.column_dimensions[letter].width = width

    title = _("%(community)s“精致幸福社区”自评表") % {"community": community.name}
    _merged(sheet, 1, title, Font(bold=True, size=14))
    place = _("区市：%(district)s　街道：%(street)s　社区：%(name)s　活动：%(campaign)s") % {
        "district": community.district.name,
        "street": community.street.name,
        "name": community.name,
        "campaign": campaign.name,
    }
    _merged(sheet, 2, place, Font(color="444444"))
    identity: list[str | int] = [
        COMMUNITY_LABEL,
        community.code,
        YEAR_LABEL,
        campaign.year,
        TIME_LABEL,
        f"{timezone.localtime():{TIME_FORMAT}}",
    ]
    for column, value in enumerate(identity, start=1):
        cell = sheet.cell(IDENTITY_ROW, column, value)
        cell.fill, cell.border, cell.number_format = _GREY, _BORDER, "@"
        cell.font = Font(bold=column % 2 == 1, color="444444")
    _merged(sheet, NOTE_ROW, instructions(), Font(color="C00000"), wrap=True)
    sheet.row_dimensions[NOTE_ROW].height = 112
    for column, name in enumerate(COLUMNS, start=1):
        cell = sheet.cell(HEADER_ROW, column, name)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    row = HEADER_ROW
    for row, item in enumerate(items, start=HEADER_ROW + 1):
        _item_row(sheet, row, item, saved.get(item.pk), auto.get(item.pk))

    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_area = f"A1:F{row}"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    # Without a password: it guards against slips, not against people. Row heights and column
    # widths stay adjustable so long explanations can be read.
    sheet.protection.sheet = True
    sheet.protection.formatRows = False
    sheet.protection.formatColumns = False
    workbook.save(output)


def instructions() -> str:
    return _(
        "填写说明：1. 只填写白色的“自评得分”“自评说明”两列；灰色单元格请勿修改，不要增删行。"
        "2. 自评得分为0到本项分值之间的数字，最小单位0.5分；得分大于0分时必须填写自评说明"
        "（不超过%(max)d字）；标为“由满意度调查计分”“系统自动核验”的小项由满意度调查或系统"
        "根据社区基础数据计分，不需填写。3. 本表导入后即为系统中的内容：得分或说明留空的，"
        "导入后该项的得分或说明将被清空（上传后会先显示预览，确认后才保存）。"
        "4. 只能导入本社区（社区代码见第%(row)d行）的自评表：请在系统的“导入自评表”页面上传。"
    ) % {"max": MAX_EXPLANATION, "row": IDENTITY_ROW}


def _merged(sheet: Worksheet, row: int, text: str, font: Font, wrap: bool = False) -> None:
    cell = sheet.cell(row, 1, defuse(text))
    cell.font = font
    cell.alignment = Alignment(wrap_text=wrap, vertical="center")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))


def _item_row(
    sheet: Worksheet,
    row: int,
    item: Item,
    assessment: ItemAssessment | None,
    system: tuple[Decimal, str] | None,
) -> None:
    fixed = (item.code, item.category.name, item.title, _number(item.max_points))
    for column, value in enumerate(fixed, start=1):
        cell = sheet.cell(row, column, defuse(value))
        cell.fill, cell.border = _GREY, _BORDER
        cell.alignment = Alignment(vertical="top", wrap_text=column == 3)
        if column == 1:
            cell.number_format = "@"
    if item.is_system_scored:
        # Locked and grey: the survey or the system scores these, nobody types them.
        marker = system_marker(item)
        # An auto-verified item's row says what the system gives it and why.
        basis = system[1] if system is not None else ""
        for column, value in ((5, marker), (6, defuse(basis))):
            cell = sheet.cell(row, column, value or None)
            cell.fill, cell.border = _GREY, _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        return
    score = assessment.self_score if assessment else None
    score_cell = sheet.cell(row, 5, None if score is None else _number(score))
    score_cell.number_format = "0.0"
    explanation = assessment.explanation if assessment else ""
    text_cell = sheet.cell(row, 6, defuse(explanation) or None)
    text_cell.number_format = "@"
    text_cell.alignment = Alignment(vertical="top", wrap_text=True)
    for cell in (score_cell, text_cell):
        cell.protection, cell.fill, cell.border = _UNLOCKED, _INPUT, _BORDER
    sheet.add_data_validation(_score_validation(score_cell.coordinate, item.max_points))


def system_marker(item: Item) -> str:
    """What a system-scored item's score cell says instead of a score."""
    return SURVEY_MARKER if item.is_survey_scored else AUTO_MARKER


def _score_validation(ref: str, max_points: Decimal) -> DataValidation:
    top = format(plain_decimal(max_points), "f")
    validation = DataValidation(
        type="custom",
        formula1=f"AND(ISNUMBER({ref}),{ref}>=0,{ref}<={top},MOD({ref}*2,1)=0)",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=_("自评得分不符合要求"),
        error=_("本项分值%(max)s分，请填写0到%(max)s之间的数字，最小单位0.5分。") % {"max": top},
        showInputMessage=True,
        promptTitle=_("自评得分"),
        prompt=_("0～%(max)s分，最小单位0.5分") % {"max": top},
    )
    validation.add(ref)
    return validation


def _number(value: Decimal) -> int | float:
    plain = plain_decimal(value)
    return int(plain) if plain == plain.to_integral_value() else float(plain)


def saved_assessments(target: AssessmentTarget) -> dict[int, ItemAssessment]:
    if target.submission is None:
        return {}
    return {
        a.item_id: a
        for a in ItemAssessment.objects.filter(submission=target.submission).select_related(
            "updated_by"
        )
    }
