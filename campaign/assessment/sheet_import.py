"""Reading a filled-in self-assessment sheet back: check every row, compare with what is saved.

The sheet is the whole truth for the items it lists: a blank score or explanation clears what
was saved (the instructions row says so, and the preview shows it). Nothing is saved here; the
action ``campaign.actions.do_apply_assessment_sheet`` applies the comparison in one
transaction, after checking the file again.
"""

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.assessment.sheet import (
    CODE,
    COLUMNS,
    COMMUNITY_LABEL,
    EXPLANATION,
    REQUIRED,
    SCORE,
    TIME_FORMAT,
    TIME_LABEL,
    YEAR_LABEL,
    saved_assessments,
    system_marker,
)
from campaign.kernel.roles import scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.access import AssessmentTarget
from campaign.pipeline.items import MAX_EXPLANATION, ScoreError, item_problem, parse_score
from campaign.pipeline.models import Campaign, ItemAssessment, Status
from campaign.pipeline.workflow import Action, ActionRefused, refusal
from communities.models import Community
from communities.sheets import (
    Issue,
    SheetError,
    clean_cell,
    header_key,
    normalize_number_text,
    open_workbook,
    read_table,
)
from standards.models import Item


@dataclass(frozen=True)
class SheetLine:
    row: int
    item: Item
    score: Decimal | None
    explanation: str


@dataclass
class ParsedSheet:
    sheet: str = ""
    header_row: int = 0
    lines: list[SheetLine] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    downloaded_at: datetime.datetime | None = None


def read_sheet(data: bytes, campaign: Campaign, community: Community) -> ParsedSheet:
    """Read and check an uploaded sheet against the campaign's standard and the community."""
    parsed = ParsedSheet()
    try:
        worksheet = open_workbook(data).worksheets[0]
        table = read_table(worksheet, COLUMNS, REQUIRED)
    except SheetError as exc:
        parsed.issues.append(Issue(None, None, str(exc)))
        return parsed
    parsed.sheet, parsed.header_row = table.sheet_title, table.header_row
    identity = _identity(worksheet, table.header_row)
    parsed.issues.extend(_identity_issues(identity, campaign, community))
    if parsed.issues:
        return parsed  # another community's rows: checking them would only add noise
    parsed.downloaded_at = _downloaded_at(identity.get(TIME_LABEL))
    if not table.rows:
        parsed.issues.append(Issue(None, None, _("表格中没有小项行。")))
        return parsed

    items = {
        item.code: item
        for item in Item.objects.filter(standard_id=campaign.standard_id).order_by("display_order")
    }
    first_seen: dict[str, int] = {}
    for sheet_row in table.rows:
        values, number = sheet_row.values, sheet_row.number
        code = _code(values.get(CODE))
        if not code:
            parsed.issues.append(Issue(number, CODE, _("编号不能为空。")))
            continue
        item = items.get(code)
        if item is None:
            parsed.issues.append(
                Issue(
                    number,
                    CODE,
                    _("本活动的创建标准中没有编号为“%(code)s”的小项。") % {"code": code},
                )
            )
            continue
        if code in first_seen:
            parsed.issues.append(
                Issue(number, CODE, _("与第%(row)d行的编号重复。") % {"row": first_seen[code]})
            )
            continue
        first_seen[code] = number
        line = _line(parsed, number, item, values)
        if line is not None:
            parsed.lines.append(line)
    missing = [code for code in items if code not in first_seen]
    if missing:
        parsed.issues.append(
            Issue(
                None,
                CODE,
                _("缺少以下小项的行：%(codes)s。请不要删除行；如已删除，请重新下载自评表。")
                % {"codes": "、".join(missing)},
            )
        )
    return parsed


def _line(parsed: ParsedSheet, number: int, item: Item, values: dict[str, Any]) -> SheetLine | None:
    if item.is_system_scored:
        typed = _text(values.get(SCORE))
        if typed and typed != system_marker(item):
            parsed.issues.append(
                Issue(
                    number,
                    SCORE,
                    _("小项%(code)s：%(why)s")
                    % {
                        "code": item.code,
                        "why": (
                            _("由满意度调查计分，社区不自评，请勿填写得分。")
                            if item.is_survey_scored
                            else _("由系统根据社区基础数据自动核验计分，请勿填写得分。")
                        ),
                    },
                )
            )
        return None
    score: Decimal | None = None
    ok = True
    try:
        score = parse_score(values.get(SCORE), item.max_points)
    except ScoreError as exc:
        parsed.issues.append(
            Issue(number, SCORE, _("小项%(code)s：%(error)s。") % {"code": item.code, "error": exc})
        )
        ok = False
    explanation = _text(values.get(EXPLANATION))
    if len(explanation) > MAX_EXPLANATION:
        parsed.issues.append(
            Issue(
                number,
                EXPLANATION,
                _("小项%(code)s：自评说明有%(length)d字，不能超过%(n)d字。")
                % {"code": item.code, "length": len(explanation), "n": MAX_EXPLANATION},
            )
        )
        ok = False
    return SheetLine(number, item, score, explanation) if ok else None


def _identity(worksheet: Any, header_row: int) -> dict[str, Any]:
    """The label/value pairs above the header: each value in the cell right of its label."""
    labels = {header_key(label): label for label in (COMMUNITY_LABEL, YEAR_LABEL, TIME_LABEL)}
    found: dict[str, Any] = {}
    for values in worksheet.iter_rows(max_row=max(header_row - 1, 1), values_only=True):
        cells = [clean_cell(value) for value in values]
        for index, value in enumerate(cells):
            label = labels.get(header_key(value)) if isinstance(value, str) else None
            if label is None or label in found:
                continue
            found[label] = cells[index + 1] if index + 1 < len(cells) else None
    return found


def _identity_issues(
    identity: dict[str, Any], campaign: Campaign, community: Community
) -> list[Issue]:
    code = _code(identity.get(COMMUNITY_LABEL))
    if not code:
        return [
            Issue(
                None,
                None,
                _(
                    "表头上方没有找到“社区代码”，无法确认这是哪个社区的自评表。"
                    "请使用从系统下载的%(name)s自评表填写。"
                )
                % {"name": community.name},
            )
        ]
    if code != community.code:
        return [
            Issue(
                None,
                None,
                _(
                    "这是社区代码为%(code)s的社区的自评表，不是%(name)s（%(own)s）的，"
                    "没有导入。请上传本社区的自评表。"
                )
                % {"code": code, "name": community.name, "own": community.code},
            )
        ]
    year = _code(identity.get(YEAR_LABEL))
    if year and year != str(campaign.year):
        return [
            Issue(
                None,
                None,
                _("这是%(year)s年度活动的自评表，当前为%(current)d年度，请重新下载自评表。")
                % {"year": year, "current": campaign.year},
            )
        ]
    return []


def _code(value: Any) -> str:
    """An item or community code as text, however the spreadsheet stored it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_number_text(str(value)).lstrip("'")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_newlines(str(value))


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _downloaded_at(value: Any) -> datetime.datetime | None:
    moment = value if isinstance(value, datetime.datetime) else None
    if isinstance(value, str):
        try:
            moment = datetime.datetime.strptime(value, TIME_FORMAT)
        except ValueError:
            return None
    if moment is None:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


# -- comparing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemChange:
    row: int
    item: Item
    old_score: Decimal | None
    new_score: Decimal | None
    old_explanation: str
    new_explanation: str
    warning: str = ""

    @property
    def score_changed(self) -> bool:
        return self.old_score != self.new_score

    @property
    def explanation_changed(self) -> bool:
        return normalize_newlines(self.old_explanation) != self.new_explanation


def compare(parsed: ParsedSheet, saved: dict[int, ItemAssessment]) -> tuple[list[ItemChange], int]:
    """What applying the sheet changes, item by item, and how many items stay as they are."""
    changes: list[ItemChange] = []
    unchanged = 0
    for line in sorted(parsed.lines, key=lambda line: line.item.display_order):
        current = saved.get(line.item.pk)
        change = ItemChange(
            line.row,
            line.item,
            current.self_score if current else None,
            line.score,
            current.explanation if current else "",
            line.explanation,
            _edited_since_download(current, parsed.downloaded_at),
        )
        if change.score_changed or change.explanation_changed:
            changes.append(change)
        else:
            unchanged += 1
    return changes, unchanged


def _edited_since_download(
    current: ItemAssessment | None, downloaded_at: datetime.datetime | None
) -> str:
    if current is None or downloaded_at is None:
        return ""
    if current.updated_at < downloaded_at + datetime.timedelta(seconds=1):
        return ""
    who = current.updated_by.get_username() if current.updated_by else ""
    return _("下载本表后，此项已于%(time)s被%(who)s在系统中修改，导入将覆盖该修改。") % {
        "time": f"{timezone.localtime(current.updated_at):%m-%d %H:%M}",
        "who": who,
    }


def fingerprint(saved: Iterable[ItemAssessment]) -> str:
    """The saved state a preview was made against; confirming checks it is still the same."""
    versions = sorted((a.item_id, a.version) for a in saved)
    return hashlib.sha256(repr(versions).encode()).hexdigest()[:32]


class SheetRejected(ActionRefused):
    """The sheet has problems; nothing of it was saved."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(
            _("自评表中有%(n)d处问题，没有导入任何内容。") % {"n": len(issues)},
            [str(issue) for issue in issues],
        )
        self.issues = issues


# -- previewing -----------------------------------------------------------------------------


@dataclass
class SheetReport:
    filename: str
    sheet: str = ""
    header_row: int = 0
    issues: list[Issue] = field(default_factory=list)
    changes: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0
    incomplete: list[str] = field(default_factory=list)
    basis: str = ""

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def cleared(self) -> int:
        return sum(1 for c in self.changes if c.old_score is not None and c.new_score is None)

    def summary(self) -> str:
        return _("%(changed)d个小项有变化，%(unchanged)d个小项无变化。") % {
            "changed": len(self.changes),
            "unchanged": self.unchanged,
        }


def preview_sheet(
    target: AssessmentTarget, data: bytes, *, filename: str, user: Actor
) -> SheetReport:
    """Check the upload and show what confirming would change; nothing is saved."""
    report = SheetReport(filename=filename)
    status = target.submission.status if target.submission else Status.DRAFT
    reason = refusal(target.campaign, status, Action.SAVE, scope_of(user).role)
    if reason:
        report.issues.append(Issue(None, None, reason))
        return report
    parsed = read_sheet(data, target.campaign, target.community)
    report.sheet, report.header_row, report.issues = parsed.sheet, parsed.header_row, parsed.issues
    if parsed.issues:
        return report
    saved = saved_assessments(target)
    report.changes, report.unchanged = compare(parsed, saved)
    report.basis = fingerprint(saved.values())
    for line in parsed.lines:
        problem = item_problem(line.score, line.explanation)
        if problem:
            report.incomplete.append(f"{line.item.code} {line.item.title}：{problem}")
    return report
