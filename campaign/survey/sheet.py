"""A survey firm's questionnaires as an xlsx, read back row by row (``sheet_template`` writes
the template the office hands out).

One row per questionnaire: the community's 12-digit code, the firm's questionnaire number, the
channel, the interviewer, start and end time, then one column per question holding an option's
label (是/否 for an awareness question). Nothing here saves anything;
``campaign.actions.survey_import`` does, after reading the
file again under lock. Columns the template does not have (a firm's own remarks, a phone number
it should not have kept) are ignored and never stored.
"""

import datetime
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from campaign.pipeline.models import Campaign, Status, Submission
from campaign.survey.defaults import config_for
from campaign.survey.models import (
    AWARENESS_OPTIONS,
    Channel,
    QuestionKind,
    SurveyOption,
    SurveyQuestion,
)
from communities.models import Community
from communities.sheets import Issue, SheetError, clean_cell, header_key, normalize_number_text
from communities.sheets import open_workbook as open_xlsx

# The file format: what an upload is matched on, so not translated.
SHEET_TITLE, NOTES_TITLE, LIST_TITLE = "问卷", "说明", "社区名单"  # i18n-data
CODE, NAME, REFERENCE, CHANNEL = "社区代码", "社区名称", "问卷编号", "调查方式"  # i18n-data
COLLECTOR, STARTED, FINISHED = "调查员", "开始时间", "结束时间"  # i18n-data
FIXED = (CODE, NAME, REFERENCE, CHANNEL, COLLECTOR, STARTED, FINISHED)
REQUIRED = (CODE, REFERENCE, CHANNEL, COLLECTOR, STARTED, FINISHED)
IMPORTED_CHANNELS = (Channel.ONLINE, Channel.PHONE, Channel.PAPER, Channel.VISIT)
NEEDS_COLLECTOR = frozenset({Channel.PHONE, Channel.PAPER, Channel.VISIT})
TEXT_LIMIT = 50  # SurveyResponse.reference and .collector

# A community is surveyed with a few dozen questionnaires; 20,000 rows is a whole city's survey
# several times over, and keeps one import's transaction and memory bounded.
MAX_ROWS = 20_000
MAX_SCANNED_ROWS = 5 * MAX_ROWS
MAX_PROBLEMS = 300
HEADER_SCAN_ROWS = 20
# "3. 您对…", "3、您对…", "3 您对…": a number, then a separator, then the question.
_NUMBERED = re.compile(r"^(\d{1,2})(?:\s*[.、:：)]\s*|\s+)(.*)$")
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Questionnaire:
    """One valid row: the answers are options in question order."""

    row: int
    submission_id: int
    reference: str
    channel: str
    collector: str
    started_at: datetime.datetime
    finished_at: datetime.datetime
    options: tuple[SurveyOption, ...]

    @property
    def duration_seconds(self) -> int:
        return int((self.finished_at - self.started_at).total_seconds())

    @property
    def pattern(self) -> str:
        return "".join(str(option.position) for option in self.options)


@dataclass
class SurveySheet:
    sheet: str = ""
    header_row: int = 0
    questions: list[SurveyQuestion] = field(default_factory=list)
    rows: list[Questionnaire] = field(default_factory=list)
    problems: list[Issue] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    submissions: dict[int, Submission] = field(default_factory=dict)
    _overflow: int = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Issue(row, column, message))
        else:
            self._overflow += 1

    @property
    def problem_count(self) -> int:
        """All problems found, including those not listed."""
        return len(self.problems) - (1 if self._overflow else 0) + self._overflow

    def finish(self) -> None:
        if self._overflow:
            self.problems.append(
                Issue(
                    None,
                    None,
                    _("另有%(n)d处问题未列出，请先更正以上问题。") % {"n": self._overflow},
                )
            )


def read_sheet(campaign: Campaign, content: bytes) -> SurveySheet:
    """Check every row of a firm's file against the campaign's questions, options and the
    communities in the survey."""
    parsed = SurveySheet()
    config_for(campaign)
    parsed.questions = list(campaign.survey_questions.order_by("position"))
    try:
        raw = _raw_rows(parsed, content)
    except SheetError as exc:
        parsed.problems = [Issue(None, None, str(exc))]
        return parsed
    if parsed.problems:
        return parsed
    if not raw:
        parsed.add(
            None,
            None,
            _("表中没有问卷行（第%(row)d行表头以下为空）。") % {"row": parsed.header_row},
        )
        return parsed
    _check_rows(parsed, campaign, raw)
    parsed.finish()
    return parsed


RawRow = tuple[int, dict[str, Any], list[Any]]


def _raw_rows(parsed: SurveySheet, content: bytes) -> list[RawRow]:
    """The header's columns and every non-blank row's cells, or whole-file problems."""
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise SheetError(
            _("文件过大（%(size).1f MB），上限为 %(limit)d MB。")
            % {"size": len(content) / 1048576, "limit": settings.IMPORT_MAX_BYTES // 1048576}
        )
    workbook = open_xlsx(content)
    try:
        sheet = (
            workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.worksheets[0]
        )
        parsed.sheet = sheet.title
        rows = sheet.iter_rows(values_only=True)
        header: tuple[Any, ...] = ()
        for number, values in enumerate(rows, start=1):
            if header_key(CODE) in {header_key(v) for v in values}:
                parsed.header_row, header = number, values
                break
            if number >= HEADER_SCAN_ROWS:
                break
        if not parsed.header_row:
            raise SheetError(
                _(
                    "工作表“%(sheet)s”前%(n)d行中没有找到表头（应包含“%(code)s”等列）。请使用系统下载的模板。"
                )
                % {"sheet": sheet.title, "n": HEADER_SCAN_ROWS, "code": CODE}
            )
        fixed, questions = _columns(parsed, header)
        if parsed.problems:
            return []
        raw: list[RawRow] = []
        for number, values in enumerate(rows, start=parsed.header_row + 1):
            cells = [clean_cell(v) for v in values]
            if all(v is None for v in cells):
                if number > MAX_SCANNED_ROWS:
                    raise SheetError(_("表格行数过多，请删除空行或分成多个文件导入。"))
                continue
            if len(raw) >= MAX_ROWS:
                raise SheetError(_("表中问卷超过%(n)d份，请分成多个文件导入。") % {"n": MAX_ROWS})
            cells += [None] * (len(header) - len(cells))
            raw.append(
                (
                    number,
                    {name: cells[i] for name, i in fixed.items()},
                    [cells[i] for i in questions],
                )
            )
        return raw
    finally:
        workbook.close()


def _question_key(text: str) -> str:
    return header_key(text).rstrip("?？。.")


def _columns(parsed: SurveySheet, header: Sequence[Any]) -> tuple[dict[str, int], list[int]]:
    """Where each fixed column and each question (in question order) is; header problems."""
    row = parsed.header_row
    fixed_keys = {header_key(name): name for name in FIXED}
    by_position = {q.position: q for q in parsed.questions}
    by_text = {_question_key(q.text): q for q in parsed.questions}
    fixed: dict[str, int] = {}
    found: dict[int, int] = {}
    reworded: set[int] = set()  # already reported, so not reported missing too
    for index, title in enumerate(header):
        key = header_key(title)
        if not key:
            continue
        shown = str(title).strip()
        text = unicodedata.normalize("NFKC", shown)
        if key in fixed_keys:
            name = fixed_keys[key]
            if name in fixed:
                parsed.add(row, name, _("表头中出现了两次。"))
            fixed[name] = index
            continue
        numbered = _NUMBERED.match(text)
        question = by_text.get(_question_key(text))
        if numbered:
            position = int(numbered.group(1))
            question = by_position.get(position)
            if question is None:
                parsed.add(
                    row,
                    shown,
                    _("本次调查没有第%(n)d题（共%(total)d题）。")
                    % {"n": position, "total": len(parsed.questions)},
                )
                continue
            if _question_key(numbered.group(2)) != _question_key(question.text):
                reworded.add(question.pk)
                parsed.add(
                    row,
                    shown,
                    _("与本次调查的第%(n)d题“%(text)s”不一致。请使用系统下载的模板，不要改写题目。")
                    % {"n": position, "text": question.text},
                )
                continue
        if question is None:
            parsed.ignored_columns.append(shown)
        elif question.pk in found:
            parsed.add(row, shown, _("第%(n)d题的列出现了两次。") % {"n": question.position})
        else:
            found[question.pk] = index
    missing = [name for name in REQUIRED if name not in fixed]
    if missing:
        parsed.add(row, None, _("表头缺少以下列：%(columns)s。") % {"columns": "、".join(missing)})
    absent = [str(q.position) for q in parsed.questions if q.pk not in found.keys() | reworded]
    if absent:
        parsed.add(
            row,
            None,
            _("表头缺少第%(numbers)s题的列。请使用系统下载的模板。")
            % {"numbers": "、".join(absent)},
        )
    return fixed, [found[q.pk] for q in parsed.questions if q.pk in found]


@dataclass
class _Lookups:
    """What every row is checked against, worked out once per file (a file may have 20,000
    rows)."""

    communities: dict[str, Community]
    submissions: dict[int, Submission]  # by community id
    options: dict[str, SurveyOption]
    rows_per_code: dict[str, int]
    question_columns: list[str]
    # Per question in order: whether it is answered 是/否 instead of the options.
    awareness: list[bool] = field(default_factory=list)
    yes_no: dict[str, SurveyOption] = field(
        default_factory=lambda: {
            header_key(str(label)): SurveyOption(position=n, label=str(label))
            for n, label in enumerate(AWARENESS_OPTIONS, start=1)
        }
    )
    channels: dict[str, Channel] = field(
        default_factory=lambda: {header_key(str(c.label)): c for c in Channel}
    )
    allowed_channels: str = field(
        default_factory=lambda: "、".join(str(c.label) for c in IMPORTED_CHANNELS)
    )
    reported_codes: set[str] = field(default_factory=set)
    references: dict[tuple[str, str], int] = field(default_factory=dict)


def _check_rows(parsed: SurveySheet, campaign: Campaign, raw: list[RawRow]) -> None:
    codes = [_code(values.get(CODE)) for _number, values, _answers in raw]
    communities = {
        c.code: c
        for c in Community.objects.filter(code__in={c for c in codes if c}).select_related(
            "district"
        )
    }
    submissions = {
        s.community_id: s
        for s in Submission.objects.filter(
            campaign=campaign, community__in=list(communities.values())
        ).select_related("community", "district")
    }
    rows_per_code: dict[str, int] = {}
    for code in codes:
        rows_per_code[code] = rows_per_code.get(code, 0) + 1
    lookups = _Lookups(
        communities,
        submissions,
        {header_key(o.label): o for o in campaign.survey_options.order_by("position")},
        rows_per_code,
        [_("第%(n)d题") % {"n": q.position} for q in parsed.questions],
        [q.kind == QuestionKind.AWARENESS for q in parsed.questions],
    )
    for number, values, answers in raw:
        questionnaire = _RowCheck(parsed, lookups, number).run(values, answers)
        if questionnaire is not None:
            parsed.rows.append(questionnaire)
    used = {q.submission_id for q in parsed.rows}
    parsed.submissions = {s.pk: s for s in submissions.values() if s.pk in used}


class _RowCheck:
    """One row's cells, each problem reported with the row and the column."""

    def __init__(self, parsed: SurveySheet, lookups: _Lookups, number: int) -> None:
        self.parsed, self.lookups, self.number = parsed, lookups, number
        self.ok = True

    def bad(self, column: str, message: str) -> None:
        self.ok = False
        self.parsed.add(self.number, column, message)

    def run(self, values: dict[str, Any], answers: list[Any]) -> Questionnaire | None:
        submission = self.submission(values)
        reference = self.reference(values, submission)
        channel = self.channel(values.get(CHANNEL))
        collector = _text(values.get(COLLECTOR))
        if len(collector) > TEXT_LIMIT:
            self.bad(COLLECTOR, _("超过%(n)d字。") % {"n": TEXT_LIMIT})
        elif not collector and channel in NEEDS_COLLECTOR:
            self.bad(
                COLLECTOR, _("%(channel)s调查须填写调查员。") % {"channel": Channel(channel).label}
            )
        started = self.moment(STARTED, values.get(STARTED))
        finished = self.moment(FINISHED, values.get(FINISHED))
        if started and finished and finished < started:
            self.bad(FINISHED, _("早于开始时间。"))
        options = self.answers(answers)
        if not self.ok:
            return None
        assert submission and channel and started and finished
        return Questionnaire(
            self.number, submission.pk, reference, channel, collector, started, finished, options
        )

    def submission(self, values: dict[str, Any]) -> Submission | None:
        code = _code(values.get(CODE))
        if not code:
            self.bad(CODE, _("未填写。"))
            return None
        community = self.lookups.communities.get(code)
        submission = self.lookups.submissions.get(community.pk) if community else None
        problem = ""
        if not re.fullmatch(r"\d{12}", code):
            problem = _("“%(code)s”不是12位社区代码。") % {"code": code}
        elif community is None:
            problem = _("没有社区代码为%(code)s的社区。") % {"code": code}
        elif submission is None:
            problem = _("%(name)s没有参加本年度创建活动。") % {"name": community.name}
        elif submission.status != Status.SURVEYING:
            problem = _("%(name)s当前状态为“%(status)s”，不在满意度调查中，不能导入问卷。") % {
                "name": community.name,
                "status": Status(submission.status).label,
            }
        if problem:
            # A wrong code is usually wrong on all of its rows: said once, with the count.
            self.ok = False
            if code not in self.lookups.reported_codes:
                self.lookups.reported_codes.add(code)
                rows = self.lookups.rows_per_code.get(code, 1)
                if rows > 1:
                    problem += _("（表中共%(n)d行为该社区代码，此处不再逐行列出）") % {"n": rows}
                self.parsed.add(self.number, CODE, problem)
            return None
        assert community is not None
        name = _text(values.get(NAME))
        if name and header_key(name) != header_key(community.name):
            self.bad(
                NAME,
                _("“%(given)s”与社区代码%(code)s对应的“%(name)s”不一致，请核对社区代码。")
                % {"given": name, "code": code, "name": community.name},
            )
        return submission

    def reference(self, values: dict[str, Any], submission: Submission | None) -> str:
        reference = _text(values.get(REFERENCE))
        if not reference:
            self.bad(REFERENCE, _("未填写。"))
        elif len(reference) > TEXT_LIMIT:
            self.bad(REFERENCE, _("超过%(n)d字。") % {"n": TEXT_LIMIT})
        else:
            key = (_code(values.get(CODE)), reference)
            first = self.lookups.references.setdefault(key, self.number)
            if first != self.number:
                self.bad(
                    REFERENCE,
                    _("“%(ref)s”与第%(row)d行重复，同一社区的问卷编号不能重复。")
                    % {"ref": reference, "row": first},
                )
        return reference

    def channel(self, value: Any) -> str:
        allowed = self.lookups.allowed_channels
        text = _text(value)
        if not text:
            self.bad(CHANNEL, _("未填写，应为%(allowed)s之一。") % {"allowed": allowed})
            return ""
        channel = self.lookups.channels.get(header_key(text))
        if channel in IMPORTED_CHANNELS:
            return channel.value
        if channel is not None:
            self.bad(CHANNEL, _("扫码自填的问卷由居民在手机上提交，不能通过表格导入。"))
            return ""
        self.bad(
            CHANNEL,
            _("“%(value)s”不是可选的调查方式，应为%(allowed)s之一。")
            % {"value": text, "allowed": allowed},
        )
        return ""

    def moment(self, column: str, value: Any) -> datetime.datetime | None:
        if value is None:
            self.bad(column, _("未填写。"))
            return None
        moment, problem = parse_moment(value)
        if moment is None:
            self.bad(column, problem)
        elif moment > timezone.now() + datetime.timedelta(minutes=10):
            self.bad(column, _("晚于当前时间，请核对日期。"))
            return None
        return moment

    def answers(self, answers: list[Any]) -> tuple[SurveyOption, ...]:
        chosen: list[SurveyOption] = []
        lookups = self.lookups
        for column, awareness, value in zip(
            lookups.question_columns, lookups.awareness, answers, strict=True
        ):
            options = lookups.yes_no if awareness else lookups.options
            # The exact label first: the dropdown's answer, nearly every cell.
            option = options.get(value) if isinstance(value, str) else None
            if option is None:
                text = _text(value)
                option = options.get(header_key(text))
                if not text:
                    self.bad(column, _("未填写答案。"))
                    continue
                if option is None:
                    labels = "、".join(o.label for o in options.values())
                    self.bad(
                        column,
                        _("“%(value)s”不是可选答案，应为%(labels)s之一。")
                        % {"value": text, "labels": labels},
                    )
                    continue
            chosen.append(option)
        return tuple(chosen)


def parse_moment(value: Any) -> tuple[datetime.datetime | None, str]:
    """An Excel date-time, an Excel serial number with a time part, or text like
    2020-10-12 09:30 / 2020/10/12 9:30:05 / 2020年10月12日 9时30分; aware, whole seconds."""
    example = _("应如 2020-10-12 09:30。")
    moment: datetime.datetime | None = None
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        return None, _("只有日期没有时间，") + example
    elif isinstance(value, datetime.time):
        return None, _("只有时间没有日期，") + example
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if 0 < value < 2958466 and value % 1:
            moment = from_excel(value)
        elif 0 < value < 2958466:
            return None, _("只有日期没有时间，") + example
    else:
        moment = _moment_from_text(str(value))
        if moment is None:
            text = str(value)
            if re.fullmatch(r"\d{4}\D\d{1,2}\D\d{1,2}\D?", unicodedata.normalize("NFKC", text)):
                return None, _("只有日期没有时间，") + example
    if moment is None:
        return None, _("“%(value)s”不是有效的日期时间，") % {"value": value} + example
    moment = (moment + datetime.timedelta(microseconds=500_000)).replace(microsecond=0)
    return (timezone.make_aware(moment) if timezone.is_naive(moment) else moment), ""


def _moment_from_text(text: str) -> datetime.datetime | None:
    text = unicodedata.normalize("NFKC", text).strip()
    text = text.replace("日", " ").replace("T", " ")  # i18n-data
    day, _sep, time = text.partition(" ")
    day = re.sub(r"[年月/.]", "-", day).strip("-")  # i18n-data
    time = time.strip().replace("时", ":").replace("分", ":").rstrip("秒:")  # i18n-data
    for fmt in _TIME_FORMATS:
        try:
            return datetime.datetime.strptime(f"{day} {time}", fmt)
        except ValueError:
            continue
    return None


def _code(value: Any) -> str:
    """A community code as text, however the spreadsheet stored it (number, '-prefixed,
    full-width digits)."""
    return normalize_number_text(_text(value)).lstrip("'")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
