"""Item scores at each stage, defined once in SQL and read in sets.

For every submission × item of the campaign's standard:

- **自评** (self): the district's self-score.
- **审核** (audit): the office's audited score of the submission's current audit round.
- **联审后** (joint): the audited score plus the sum of the member units' adjustments, kept within
  0 and the item's points.

The rules' *satisfaction item* (by default 6.1 居民满意度) is scored by the survey instead, at
the audit and joint stages: the frozen survey result's points (the rate-to-points tiers), at most
the item's points; without a survey result it has no score. Its self-score stays the district's.

The SQL is portable between PostgreSQL and SQLite (the embedded default), so it uses CASE
instead of GREATEST/LEAST and a float rate.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from campaign.models import (
    Campaign,
    ItemAssessment,
    ItemAudit,
    Submission,
    SurveyTally,
    UnitOpinion,
)
from standards.models import Item

from .models import ScoringRules, Stage

T_SUBMISSION = Submission._meta.db_table
T_ASSESSMENT = ItemAssessment._meta.db_table
T_AUDIT = ItemAudit._meta.db_table
T_OPINION = UnitOpinion._meta.db_table
T_TALLY = SurveyTally._meta.db_table
T_ITEM = Item._meta.db_table

STAGE_COLUMNS = {Stage.SELF: "self_score", Stage.AUDIT: "audited_score", Stage.JOINT: "joint_score"}


def _between_zero_and(value: str, upper: str) -> str:
    return f"CASE WHEN {value} < 0 THEN 0 WHEN {value} > {upper} THEN {upper} ELSE {value} END"


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
    survey_points = _between_zero_and("t.points", "it.max_points")
    joint = _between_zero_and("(au.audited_score + COALESCE(adj.adjustment, 0))", "it.max_points")
    return f"""
    WITH subs AS NOT MATERIALIZED (
        SELECT sub.id, sub.district_id, sub.status, sub.audit_round
        FROM {T_SUBMISSION} sub
        WHERE sub.campaign_id = %(campaign)s {restrict}
    ),
    adjustments AS (
        SELECT o.submission_id, o.item_id, SUM(o.adjustment) AS adjustment
        FROM {T_OPINION} o JOIN subs ON subs.id = o.submission_id
        GROUP BY o.submission_id, o.item_id
    ),
    item_rows AS (
        SELECT subs.id AS submission_id, subs.district_id, subs.status,
            it.id AS item_id, it.category_id, it.display_order,
            a.self_score,
            CASE WHEN it.id = %(satisfaction_item)s THEN {survey_points}
                 ELSE au.audited_score END AS audited_score,
            CASE WHEN it.id = %(satisfaction_item)s THEN {survey_points}
                 WHEN au.audited_score IS NULL THEN NULL
                 ELSE {joint} END AS joint_score,
            CASE WHEN au.audited_score IS NOT NULL AND it.id <> %(satisfaction_item)s
                 THEN 1 ELSE 0 END AS office_audited
        FROM subs
        JOIN {T_ITEM} it ON it.standard_id = %(standard)s
        LEFT JOIN {T_ASSESSMENT} a ON a.submission_id = subs.id AND a.item_id = it.id
        LEFT JOIN {T_AUDIT} au
            ON au.submission_id = subs.id AND au.item_id = it.id AND au.round = subs.audit_round
        LEFT JOIN adjustments adj ON adj.submission_id = subs.id AND adj.item_id = it.id
        LEFT JOIN {T_TALLY} t ON t.submission_id = subs.id AND it.id = %(satisfaction_item)s
    )"""


def parameters(campaign: Campaign, rules: ScoringRules) -> dict[str, Any]:
    return {
        "campaign": campaign.pk,
        "standard": campaign.standard_id,
        "satisfaction_item": rules.satisfaction_item_id or -1,
    }


def planned_for_whole_tables() -> None:
    """Inside a transaction, for statements that read whole tables of a campaign. The CTEs hide
    the campaign filter from PostgreSQL's estimates, and statistics lag behind fresh rows: it
    may then expect one row where there are thousands, and either compile the statement (JIT)
    for longer than it runs or pick nested loops that turn quadratic (minutes, seen in the
    suite). Hash joins are what these set-based statements need."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL enable_nestloop = off")


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
        planned_for_whole_tables()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
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
    from .engine import current_rules

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


def category_subtotals(
    campaign_id: int, stage: Stage, submission_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], Decimal]:
    """Each submission's score per category at ``stage`` (items without a score count 0)."""
    from .engine import current_rules

    campaign = Campaign.objects.get(pk=campaign_id)
    ids = None if submission_ids is None else list(submission_ids)
    column = STAGE_COLUMNS[Stage(stage)]
    sql = (
        item_rows_sql(ids)
        + f"""
    SELECT submission_id, category_id, COALESCE(SUM({column}), 0)
    FROM item_rows GROUP BY submission_id, category_id"""
    )
    with reading(whole_campaign=ids is None), connection.cursor() as cursor:
        cursor.execute(sql, parameters(campaign, current_rules(campaign)))
        return {(s, c): _decimal(total) or Decimal(0) for s, c, total in cursor.fetchall()}


def _decimal(value: Any) -> Decimal | None:
    """SQLite hands sums back as floats; the scores have one decimal place."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(round(value, 1)))
