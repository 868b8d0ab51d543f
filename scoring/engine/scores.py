"""Item scores at each stage, defined in SQL and read in sets: item by item (``item_rows_sql``,
for the score matrix) and added up per submission or category (``stage_sums_sql``, for the
snapshots and the category subtotals), from the same expressions;
tests/scoring/test_scoring.py holds the sums to the items.

For every submission × item of the campaign's standard:

- **自评** (self): the district's self-score.
- **审核** (audit): the office's audited score of the submission's current audit round.
- **联审后** (joint): the audited score plus the sum of the member units' adjustments, kept within
  0 and the item's points.

Items scored by the survey (check method 问卷: 6.1, 6.2) are scored by it alone, at the audit and
joint stages, whatever an audit row or a unit's adjustment says, and have no self-score (a row
left from before is ignored). The rules' *satisfaction item* (by default 6.1 居民满意度) gets the
frozen survey result's points (the rate-to-points tiers, 0 for a short sample the office did not
accept); any other survey item its frozen ``SurveyItemPoints`` (6.2 from the awareness
questions); both at most the item's points, and no score without a result.

The SQL is portable between PostgreSQL and SQLite (the embedded default), so it uses CASE
instead of GREATEST/LEAST and a float rate.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from campaign.pipeline.models import Campaign, ItemAssessment, ItemAudit, Submission, UnitOpinion
from campaign.survey.models import SurveyItemPoints, SurveyTally
from scoring.engine.models import ScoringRules, Stage
from scoring.engine.rules import current_rules
from standards.models import Item

T_SUBMISSION = Submission._meta.db_table
T_ASSESSMENT = ItemAssessment._meta.db_table
T_AUDIT = ItemAudit._meta.db_table
T_OPINION = UnitOpinion._meta.db_table
T_TALLY = SurveyTally._meta.db_table
T_ITEM_POINTS = SurveyItemPoints._meta.db_table
T_ITEM = Item._meta.db_table
SURVEY = Item.CheckMethod.SURVEY.value


def _between_zero_and(value: str, upper: str) -> str:
    return f"CASE WHEN {value} < 0 THEN 0 WHEN {value} > {upper} THEN {upper} ELSE {value} END"


# The member units' adjustments summed per submission and item. Most opinions agree and adjust
# by 0: leaving them out makes the sum and the join that reads it several times smaller.
_ADJUSTMENTS = f"""adjustments AS (
        SELECT o.submission_id, o.item_id, SUM(o.adjustment) AS adjustment
        FROM {T_OPINION} o JOIN subs ON subs.id = o.submission_id
        WHERE o.adjustment <> 0
        GROUP BY o.submission_id, o.item_id
    )"""


# The joint-review score of an audit row ``au`` of item ``it``: the audited score, or with the
# units' adjustments ``adj`` kept within 0 and the item's points. Most items have no adjustment,
# and deciding that first spares the arithmetic on them.
_JOINT_SCORE = (
    "CASE WHEN adj.adjustment IS NULL THEN au.audited_score ELSE "
    + _between_zero_and("(au.audited_score + adj.adjustment)", "it.max_points")
    + " END"
)


# The satisfaction item's score from the survey result ``t``: its tier points, at most the
# item's points; none for a short sample the office did not accept, whatever a tally frozen
# before that rule says (2 of 30 questionnaires once earned the full 16 points).
_SURVEY_POINTS = (
    "CASE WHEN t.short_sample AND NOT t.short_sample_scored THEN 0 ELSE "
    + _between_zero_and("t.points", "it.max_points")
    + " END"
)
# Another survey item's score (``sip``, e.g. 6.2 from the awareness questions), likewise.
_ITEM_POINTS = _between_zero_and("sip.points", "it.max_points")
# A survey item's score at the audit and joint stages: only the survey scores it, whatever an
# audit row or a unit's adjustment may say.
_BY_SURVEY = (
    f"WHEN it.id = %(satisfaction_item)s THEN {_SURVEY_POINTS}"
    f" WHEN it.check_method = '{SURVEY}' THEN {_ITEM_POINTS}"
)


def only_submissions(submission_ids: list[int] | None) -> str:
    """The ``AND sub.id IN (…)`` condition for ``submission_ids`` ("" for all). Integers are
    written into the statement: neither backend binds a list to ``IN``."""
    if submission_ids is None:
        return ""
    return f"AND sub.id IN ({','.join(str(int(i)) for i in submission_ids) or '-1'})"


def item_rows_sql(submission_ids: list[int] | None = None) -> str:
    """``WITH`` clauses ending in ``item_rows`` (one row per submission × item), for the
    campaign's submissions or only ``submission_ids``. Parameters: ``campaign``, ``standard``,
    ``satisfaction_item`` (-1 for none)."""
    restrict = only_submissions(submission_ids)
    return f"""
    WITH subs AS NOT MATERIALIZED (
        SELECT sub.id, sub.district_id, sub.status, sub.audit_round
        FROM {T_SUBMISSION} sub
        WHERE sub.campaign_id = %(campaign)s {restrict}
    ),
    {_ADJUSTMENTS},
    item_rows AS (
        SELECT subs.id AS submission_id, subs.district_id, subs.status,
            it.id AS item_id, it.category_id, it.display_order,
            CASE WHEN it.check_method = '{SURVEY}' THEN NULL ELSE a.self_score END AS self_score,
            CASE {_BY_SURVEY} ELSE au.audited_score END AS audited_score,
            CASE {_BY_SURVEY} ELSE {_JOINT_SCORE} END AS joint_score
        FROM subs
        JOIN {T_ITEM} it ON it.standard_id = %(standard)s
        LEFT JOIN {T_ASSESSMENT} a ON a.submission_id = subs.id AND a.item_id = it.id
        LEFT JOIN {T_AUDIT} au
            ON au.submission_id = subs.id AND au.item_id = it.id AND au.round = subs.audit_round
        LEFT JOIN adjustments adj ON adj.submission_id = subs.id AND adj.item_id = it.id
        LEFT JOIN {T_TALLY} t ON t.submission_id = subs.id AND it.id = %(satisfaction_item)s
        LEFT JOIN {T_ITEM_POINTS} sip ON sip.submission_id = subs.id AND sip.item_id = it.id
    )"""


def stage_sums_sql(submission_ids: list[int] | None = None, *, by_category: bool = False) -> str:
    """``WITH`` clauses adding up the stage scores of ``item_rows_sql`` straight from the score
    rows, per submission (or per submission and category, with a ``category_id`` column):
    a row per submission × item first would cost a third more on a province's campaign.
    ``tests/scoring/test_scoring.py`` holds the two definitions to each other.

    - ``subs``: the submissions (id, community_id, district_id, status, audit_round);
    - ``self_sums``: ``total`` and ``scored`` of the self-scores, survey items apart;
    - ``office_sums``: ``audit_total``, ``joint_total`` and ``scored`` of the office's audited
      items of the current round, survey items apart;
    - ``survey``: the survey result (``satisfied``, ``valid``, ``sample_size``, ``short_sample``:
      short and not accepted for scoring) and the satisfaction item's ``points`` and
      ``category_id`` (no points and no category without a satisfaction item);
    - ``survey_items``: the other survey items' ``points`` per submission and ``category_id``;
      ``survey_item_sums``: their ``points`` and ``scored`` per submission.

    Parameters: ``campaign``, ``standard``, ``satisfaction_item`` (-1 for none)."""
    restrict = only_submissions(submission_ids)
    self_key = "a.submission_id, it.category_id" if by_category else "a.submission_id"
    self_item = f"JOIN {T_ITEM} it ON it.id = a.item_id" if by_category else ""
    office_key = "au.submission_id, it.category_id" if by_category else "au.submission_id"
    return f"""
    WITH subs AS NOT MATERIALIZED (
        SELECT sub.id, sub.community_id, sub.district_id, sub.status, sub.audit_round
        FROM {T_SUBMISSION} sub
        WHERE sub.campaign_id = %(campaign)s {restrict}
    ),
    {_ADJUSTMENTS},
    self_sums AS (
        SELECT {self_key}, SUM(a.self_score) AS total,
            COUNT(a.self_score) AS scored
        FROM {T_ASSESSMENT} a JOIN subs ON subs.id = a.submission_id {self_item}
        WHERE a.item_id NOT IN (
            SELECT s.id FROM {T_ITEM} s
            WHERE s.standard_id = %(standard)s AND s.check_method = '{SURVEY}'
        )
        GROUP BY {self_key}
    ),
    office_sums AS (
        SELECT {office_key}, SUM(au.audited_score) AS audit_total,
            SUM({_JOINT_SCORE}) AS joint_total, COUNT(au.audited_score) AS scored
        FROM {T_AUDIT} au
        JOIN subs ON subs.id = au.submission_id AND au.round = subs.audit_round
        JOIN {T_ITEM} it ON it.id = au.item_id
        LEFT JOIN adjustments adj ON adj.submission_id = au.submission_id
            AND adj.item_id = au.item_id
        WHERE it.check_method <> '{SURVEY}' AND au.item_id <> %(satisfaction_item)s
        GROUP BY {office_key}
    ),
    survey AS (
        SELECT t.submission_id, t.satisfied, t.valid, t.sample_size, it.category_id,
            (t.short_sample AND NOT t.short_sample_scored) AS short_sample,
            CASE WHEN it.id IS NULL THEN NULL ELSE {_SURVEY_POINTS} END AS points
        FROM {T_TALLY} t JOIN subs ON subs.id = t.submission_id
        LEFT JOIN {T_ITEM} it ON it.id = %(satisfaction_item)s
    ),
    survey_items AS (
        SELECT sip.submission_id, it.category_id, {_ITEM_POINTS} AS points
        FROM {T_ITEM_POINTS} sip JOIN subs ON subs.id = sip.submission_id
        JOIN {T_ITEM} it ON it.id = sip.item_id AND it.standard_id = %(standard)s
        WHERE it.check_method = '{SURVEY}' AND it.id <> %(satisfaction_item)s
    ),
    survey_item_sums AS (
        SELECT submission_id, SUM(points) AS points, COUNT(*) AS scored
        FROM survey_items GROUP BY submission_id
    )"""


def parameters(campaign: Campaign, rules: ScoringRules) -> dict[str, Any]:
    return {
        "campaign": campaign.pk,
        "standard": campaign.standard_id,
        "satisfaction_item": rules.satisfaction_item_id or -1,
    }


def planned_for_whole_tables(**also: str) -> None:
    """Inside a transaction, for statements that read whole tables of a campaign. The CTEs hide
    the campaign filter from PostgreSQL's estimates, and statistics lag behind fresh rows: it
    may then expect one row where there are thousands, and either compile the statement (JIT)
    for longer than it runs or pick nested loops that turn quadratic (minutes, seen in the
    suite). Hash joins are what these set-based statements need. ``also``: more settings for
    the transaction, set in the same round trip."""
    _set_local({"jit": "off", "enable_nestloop": "off", **also})


def _set_local(settings: dict[str, str]) -> None:
    """PostgreSQL settings for the rest of the transaction, in one round trip."""
    if connection.vendor != "postgresql":
        return
    calls = ", ".join("set_config(%s, %s, true)" for _name in settings)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", [v for pair in settings.items() for v in pair])


@contextmanager
def reading(whole_campaign: bool) -> Iterator[None]:
    """Around a read of these rows. A page's worth is planned well as it is; a whole campaign
    gets a transaction planned for whole tables and for reading every row (PostgreSQL plans a
    cursor for its first tenth, cursor_tuple_fraction, which without fresh statistics can be
    quadratic: minutes for 10,000 communities)."""
    if not whole_campaign:
        yield
        return
    with transaction.atomic():
        planned_for_whole_tables(cursor_tuple_fraction="1.0")
        yield


@contextmanager
def _beside_a_writer() -> Iterator[None]:
    """Around statements that run while the caller writes (``category_subtotals_in_turn``):
    each is planned as it is (a batch's list of submissions gives exact estimates, and an index
    beats reading whole tables for it), but without parallel workers, which would take the core
    the writer is using."""
    with transaction.atomic():
        _set_local({"max_parallel_workers_per_gather": "0"})
        yield


@dataclass(frozen=True)
class ItemScoreRow:
    submission_id: int
    item_id: int
    self_score: Decimal | None
    audited_score: Decimal | None
    joint_score: Decimal | None


def item_score_tuples(
    campaign: Campaign, submission_ids: list[int] | None = None, *, as_float: bool = False
) -> Iterator[tuple[Any, ...]]:
    """(submission, item, self, audited, joint) for every submission × item, by community code
    and item order, streamed from a server-side cursor. ``as_float``: scores as floats (whole
    or half points, exact in binary), cheaper to make and to write than Decimals."""
    columns = [f"r.{column}" for column in ("self_score", "audited_score", "joint_score")]
    if as_float:
        columns = [f"CAST({column} AS DOUBLE PRECISION)" for column in columns]
    scores = ", ".join(columns)
    sql = (
        item_rows_sql(submission_ids)
        + f"""
    SELECT r.submission_id, r.item_id, {scores}
    FROM item_rows r
    JOIN {T_SUBMISSION} s ON s.id = r.submission_id
    JOIN communities_community c ON c.id = s.community_id
    ORDER BY c.code, r.display_order, r.item_id"""
    )
    whole = submission_ids is None
    with reading(whole_campaign=whole), connection.chunked_cursor() as cursor:
        cursor.execute(sql, parameters(campaign, current_rules(campaign)))
        while rows := cursor.fetchmany(2000):
            yield from rows


def item_scores(
    campaign_id: int, submission_ids: Iterable[int] | None = None
) -> Iterator[ItemScoreRow]:
    """Every submission × item of the campaign with its three stage scores as Decimals."""
    campaign = Campaign.objects.get(pk=campaign_id)
    ids = None if submission_ids is None else list(submission_ids)
    for row in item_score_tuples(campaign, ids):
        yield ItemScoreRow(*(row[:2]), *(_decimal(v) for v in row[2:]))


# The stage's column in ``stage_sums_sql``, and whether the survey's points count at it.
_STAGE_SUMS = {
    Stage.SELF: ("self_sums", "total", False),
    Stage.AUDIT: ("office_sums", "audit_total", True),
    Stage.JOINT: ("office_sums", "joint_total", True),
}


def category_subtotals(
    campaign: Campaign,
    stage: Stage,
    category_ids: Sequence[int],
    submission_ids: Iterable[int] | None = None,
    *,
    rules: ScoringRules | None = None,
    as_float: bool = False,
) -> dict[int, tuple[Any, ...]]:
    """Each submission's scores per category at ``stage`` (the sums of its item scores there),
    in the order of ``category_ids``, 0 for a category without a score; a submission without
    any score has no entry. Under ``rules`` (those of the snapshots shown beside them; the
    current ones by default). Decimals, or floats with ``as_float`` (cheaper to make and to
    write; tenths of a point are exact either way once rounded)."""
    batch = None if submission_ids is None else list(submission_ids)
    with category_subtotals_in_turn(
        campaign, stage, category_ids, [batch], rules=rules, as_float=as_float
    ) as subtotals:
        return next(subtotals)


@contextmanager
def category_subtotals_in_turn(
    campaign: Campaign,
    stage: Stage,
    category_ids: Sequence[int],
    batches: Sequence[list[int] | None],
    *,
    rules: ScoringRules | None = None,
    as_float: bool = False,
) -> Iterator[Iterator[dict[int, tuple[Any, ...]]]]:
    """``category_subtotals`` of each batch of submissions (None: the whole campaign), in turn.

    The first batch's statement is sent on entering, and each following one as the caller takes
    the batch before it (PostgreSQL's pipeline mode): the database sums the next batch on one
    core while the caller, writing a workbook, works on the last one on the other. One statement
    is in flight at a time, because a fetch waits for every statement sent. The block must not
    use the database connection otherwise."""
    params = parameters(campaign, rules or current_rules(campaign))

    def subtotals(rows: list[tuple[Any, ...]]) -> dict[int, tuple[Any, ...]]:
        if as_float:
            return {row[0]: tuple(row[1:]) for row in rows}
        return {row[0]: tuple(map(_decimal_or_zero, row[1:])) for row in rows}

    if len(batches) > 1:
        planned = _beside_a_writer()
    else:
        planned = reading(whole_campaign=bool(batches) and batches[0] is None)
    with planned, connection.cursor() as cursor, _sent_ahead():
        if batches:
            cursor.execute(_subtotals_sql(stage, category_ids, batches[0], as_float), params)

        def in_turn() -> Iterator[dict[int, tuple[Any, ...]]]:
            for following in range(1, len(batches) + 1):
                rows = cursor.fetchall()
                if following < len(batches):
                    sql = _subtotals_sql(stage, category_ids, batches[following], as_float)
                    cursor.execute(sql, params)
                yield subtotals(rows)

        yield in_turn()


def _subtotals_sql(
    stage: Stage, category_ids: Sequence[int], submission_ids: list[int] | None, as_float: bool
) -> str:
    table, column, with_survey = _STAGE_SUMS[Stage(stage)]
    survey = (
        "UNION ALL SELECT submission_id, category_id, points FROM survey WHERE points IS NOT NULL"
        " UNION ALL SELECT submission_id, category_id, points FROM survey_items"
        if with_survey
        else ""
    )
    # One row per submission, a column per category: a sixth of the rows to fetch and convert.
    sums = [
        f"COALESCE(SUM(CASE WHEN category_id = {int(c)} THEN score END), 0)" for c in category_ids
    ]
    if as_float:
        sums = [f"CAST({total} AS DOUBLE PRECISION)" for total in sums]
    return (
        stage_sums_sql(submission_ids, by_category=True)
        + f"""
    SELECT submission_id, {", ".join(sums) or "NULL"}
    FROM (SELECT submission_id, category_id, {column} AS score FROM {table} {survey}) x
    GROUP BY submission_id"""
    )


def _sent_ahead() -> AbstractContextManager[Any]:
    """PostgreSQL's pipeline mode: a statement executed inside is sent at once and its rows
    are waited for only when fetched. Elsewhere (SQLite) statements simply run."""
    if connection.vendor != "postgresql":
        return nullcontext()
    connection.ensure_connection()
    return connection.connection.pipeline()


def _decimal_or_zero(value: Any) -> Decimal:
    return _decimal(value) or Decimal(0)


def _decimal(value: Any) -> Decimal | None:
    """SQLite hands sums back as floats; the scores have one decimal place."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(round(value, 1)))
