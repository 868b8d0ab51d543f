"""The SQL behind a resident's answer (``answering`` decides, this reads and writes).

Survey day means many phones at once, and an answer POST is the one path that must be fast:
usually a single INSERT … SELECT that stores the questionnaire only if the code may be answered
(``codes.state_of``'s rule, restated in SQL) and opens the questionnaire the answers were read
against. The statements are written out because building them through the ORM costs several
times what the database spends running them, and on PostgreSQL they are prepared once per
connection.

The questionnaire (questions and options) is kept per process, keyed on the campaign and its
settings' ``updated_at``: saving the settings (``do_save_survey_settings``) saves that row
whenever anything changes, and the questions and options are frozen once any answer is in.
"""

import contextlib
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from campaign.pipeline.models import Campaign, CampaignPhase, Phase, Status, Submission
from campaign.survey.models import (
    AWARENESS_OPTIONS,
    Channel,
    QuestionKind,
    SurveyCode,
    SurveyConfig,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
)
from communities.models import Community, District

AWARENESS_POSITIONS = frozenset(range(1, len(AWARENESS_OPTIONS) + 1))


@dataclass(frozen=True)
class Question:
    position: int
    number: int  # as the resident sees it: 1, 2, 3… whatever the stored positions
    text: str
    awareness: bool = False  # answered 是 (1) / 否 (2) instead of the campaign's options


@dataclass(frozen=True)
class Option:
    position: int
    label: str


@dataclass(frozen=True)
class Form:
    """The questions and options a campaign's codes open, as one save of its settings left
    them, with what answering reads of those settings (``config``: the campaign, the save's
    ``updated_at`` and the shortest plausible duration)."""

    config: SurveyConfig
    questions: tuple[Question, ...]
    options: tuple[Option, ...]
    option_positions: frozenset[int]

    @property
    def awareness_options(self) -> tuple[Option, ...]:
        return tuple(Option(n, str(label)) for n, label in enumerate(AWARENESS_OPTIONS, start=1))

    def positions_for(self, question: Question) -> frozenset[int]:
        """The answers ``question`` takes: 是/否 (1, 2) or the campaign's options."""
        return AWARENESS_POSITIONS if question.awareness else self.option_positions

    @property
    def campaign_id(self) -> int:
        return self.config.campaign_id

    @property
    def version(self) -> datetime.datetime:
        return self.config.updated_at


class CodeRow(NamedTuple):
    """What the lookup reads of a code: its state, the page's names and its settings' version
    (None before the campaign's first page created the settings)."""

    code_id: int
    submission_id: int
    voided_at: datetime.datetime | None
    status: str
    campaign_id: int
    survey_starts: datetime.date | None
    survey_ends: datetime.date | None
    version: datetime.datetime | None
    campaign_name: str
    community_name: str
    district_name: str
    notice: str
    used: bool


class Answer(NamedTuple):
    """One questionnaire's values, as the INSERT takes them."""

    pattern: str
    started_at: datetime.datetime | None
    finished_at: datetime.datetime
    duration_seconds: int | None
    too_fast: bool
    quality: str


TABLES = {
    "code": SurveyCode._meta.db_table,
    "submission": Submission._meta.db_table,
    "config": SurveyConfig._meta.db_table,
    "phase": CampaignPhase._meta.db_table,
    "question": SurveyQuestion._meta.db_table,
    "option": SurveyOption._meta.db_table,
    "response": SurveyResponse._meta.db_table,
    "campaign": Campaign._meta.db_table,
    "community": Community._meta.db_table,
    "district": District._meta.db_table,
}
# Constants of the code, written into the statements: fewer parameters to send.
CONSTANTS = {
    "survey": f"'{Phase.SURVEY.value}'",
    "surveying": f"'{Status.SURVEYING.value}'",
    "by_code": f"'{Channel.CODE.value}'",
}

# Everything a page or a refusal shows of a code: its state, the names (scalar subqueries,
# cheaper for PostgreSQL to plan than three more joins), whether a questionnaire uses it.
LOOKUP_SQL = """
SELECT code.id, code.submission_id, code.voided_at, submission.status, submission.campaign_id,
       phase.starts_on, phase.ends_on, config.updated_at,
       (SELECT name FROM {campaign} x WHERE x.id = submission.campaign_id),
       (SELECT name FROM {community} x WHERE x.id = submission.community_id),
       (SELECT name FROM {district} x WHERE x.id = submission.district_id),
       config.notice,
       EXISTS (SELECT 1 FROM {response} x WHERE x.code_id = code.id)
  FROM {code} code
  JOIN {submission} submission ON submission.id = code.submission_id
  LEFT JOIN {config} config ON config.campaign_id = submission.campaign_id
  LEFT JOIN {phase} phase
    ON phase.campaign_id = submission.campaign_id AND phase.phase = {survey}
 WHERE code.token = %(token)s""".format(**TABLES, **CONSTANTS)

# The settings' version and the questionnaire in one statement, so that they agree.
FORM_SQL = """
SELECT config.id, config.updated_at, config.min_duration_seconds,
       item.kind, item.position, item.caption, item.question_kind
  FROM {config} config
  LEFT JOIN (SELECT 'q' AS kind, campaign_id, position, text AS caption,
                    kind AS question_kind FROM {question}
             UNION ALL
             SELECT 'o', campaign_id, position, label, '' FROM {option}) item
    ON item.campaign_id = config.campaign_id
 WHERE config.campaign_id = %(campaign)s""".format(**TABLES)

# A new column of SurveyResponse without a database default must be added to both INSERTs.
COLUMNS = (
    "submission_id, code_id, channel, collector, reference, started_at, finished_at, "
    "duration_seconds, pattern, too_fast, in_cluster, quality"
)
ANSWER = "%(started_at)s, %(finished_at)s, %(duration_seconds)s, %(pattern)s, %(too_fast)s"

INSERT_IF_OPEN_SQL = """
INSERT INTO {response} ({columns})
SELECT code.submission_id, code.id, {by_code}, '', '', {answer}, FALSE, %(quality)s
  FROM {code} code
  JOIN {submission} submission ON submission.id = code.submission_id
  JOIN {phase} phase
    ON phase.campaign_id = submission.campaign_id AND phase.phase = {survey}
  JOIN {config} config ON config.campaign_id = submission.campaign_id
 WHERE code.token = %(token)s AND code.voided_at IS NULL AND submission.status = {surveying}
   AND %(today)s BETWEEN phase.starts_on AND phase.ends_on
   AND config.campaign_id = %(campaign)s AND config.updated_at = %(version)s""".format(
    columns=COLUMNS, answer=ANSWER, **TABLES, **CONSTANTS
)

INSERT_SQL = """
INSERT INTO {response} ({columns})
VALUES (%(submission)s, %(code)s, {by_code}, '', '', {answer}, FALSE, %(quality)s)""".format(
    columns=COLUMNS, answer=ANSWER, **TABLES, **CONSTANTS
)


PREPARE_NOTHING_ELSE = 2**31 - 1


class _PreparingCursor(psycopg.Cursor[Any]):
    """Binds parameters server-side and prepares each statement on its first use in a
    connection: PostgreSQL plans these joins in longer than it runs them, and the cursors
    Django makes (client-side binding) cannot prepare."""

    def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
        options.setdefault("prepare", True)
        return super().execute(query, params, **options)


def _database() -> BaseDatabaseWrapper:
    """The connection itself, not ``django.db.connection``: a proxy paying a thread-local
    lookup on every attribute."""
    return connections[DEFAULT_DB_ALIAS]


def _cursor(db: BaseDatabaseWrapper) -> Any:
    """Django's cursor wrapper (error mapping, query log) over a preparing cursor on
    PostgreSQL; elsewhere Django's own."""
    if db.vendor != "postgresql":
        return db.cursor()
    # What db.cursor() does before it makes its own cursor.
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    if db.connection.prepare_threshold is None:
        # Django turns psycopg's prepared statements off (None). A threshold no query reaches
        # turns them on for the statements that ask (these) and no other: Django's own cursors
        # bind client-side and never prepare (psycopg only counts their executions).
        db.connection.prepare_threshold = PREPARE_NOTHING_ELSE
    raw = _PreparingCursor(db.connection)
    # (django-stubs types these as taking a wrapper; Django passes them the driver's cursor)
    wrap = db.make_debug_cursor if db.queries_logged else db.make_cursor
    return wrap(raw)  # type: ignore[arg-type]


def _moment(db: BaseDatabaseWrapper, value: datetime.datetime | None) -> Any:
    # As the ORM writes it: SQLite keeps a timestamp as text, in one format.
    return db.ops.adapt_datetimefield_value(value)


def read_code(token: str) -> CodeRow | None:
    db = _database()
    with _cursor(db) as cursor:
        cursor.execute(LOOKUP_SQL, {"token": token})
        row = cursor.fetchone()
    return None if row is None else CodeRow._make((*row[:12], bool(row[12])))


# -- the questionnaire, kept per process --------------------------------------------------------

_forms: dict[int, Form] = {}
_latest: list[Form] = []  # the form last used, the first guess for the next answer


def latest_form() -> Form | None:
    return _latest[0] if _latest else None


def form_for(campaign_id: int, version: datetime.datetime) -> Form:
    """The campaign's questionnaire as of ``version`` (read once per process and version)."""
    form = _forms.get(campaign_id)
    if form is None or form.version != version:
        form = _forms[campaign_id] = _read_form(campaign_id)
    _latest[:] = [form]
    return form


def forget_forms() -> None:
    """For tests: the next answer and page read the questionnaire afresh."""
    _forms.clear()
    _latest.clear()


def _read_form(campaign_id: int) -> Form:
    db = _database()
    with db.cursor() as cursor:
        cursor.execute(FORM_SQL, {"campaign": campaign_id})
        rows = cursor.fetchall()
    config_id, version, min_duration = rows[0][:3]
    items = sorted(
        (kind, position, caption, question_kind)
        for *_config, kind, position, caption, question_kind in rows
        if kind
    )
    questions = [
        (position, text, question_kind == QuestionKind.AWARENESS)
        for kind, position, text, question_kind in items
        if kind == "q"
    ]
    options = tuple(Option(position, label) for kind, position, label, _k in items if kind == "o")
    return Form(
        config=SurveyConfig(
            id=config_id,
            campaign_id=campaign_id,
            updated_at=version,
            min_duration_seconds=min_duration,
        ),
        questions=tuple(
            Question(position, number, text, awareness)
            for number, (position, text, awareness) in enumerate(questions, start=1)
        ),
        options=options,
        option_positions=frozenset(option.position for option in options),
    )


# -- storing ------------------------------------------------------------------------------------


def _statement_of_its_own(db: BaseDatabaseWrapper) -> contextlib.AbstractContextManager[Any]:
    """A single statement commits alone (autocommit). Inside someone else's transaction (a
    test, ATOMIC_REQUESTS) a savepoint keeps a refused insert from spoiling it."""
    if db.in_atomic_block:
        return transaction.atomic(using=db.alias)
    return contextlib.nullcontext()


def _params(db: BaseDatabaseWrapper, answer: Answer, **more: Any) -> Mapping[str, Any]:
    return {
        **answer._asdict(),
        "started_at": _moment(db, answer.started_at),
        "finished_at": _moment(db, answer.finished_at),
        **more,
    }


def insert_if_open(token: str, form: Form, answer: Answer, today: datetime.date) -> bool:
    """Store the questionnaire if the code may be answered today and opens ``form``; False
    when nothing was stored. A used code raises IntegrityError."""
    db = _database()
    params = _params(
        db,
        answer,
        token=token,
        today=db.ops.adapt_datefield_value(today),
        campaign=form.campaign_id,
        version=_moment(db, form.version),
    )
    with _statement_of_its_own(db), _cursor(db) as cursor:
        cursor.execute(INSERT_IF_OPEN_SQL, params)
        return bool(cursor.rowcount == 1)


def insert(code_id: int, submission_id: int, answer: Answer) -> None:
    """Store the questionnaire for a code the lookup found open. A used code raises
    IntegrityError."""
    db = _database()
    params = _params(db, answer, code=code_id, submission=submission_id)
    with _statement_of_its_own(db), _cursor(db) as cursor:
        cursor.execute(INSERT_SQL, params)
