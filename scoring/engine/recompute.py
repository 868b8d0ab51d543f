"""Compute the score snapshots of a campaign, in the database.

A snapshot exists for each submission and stage it has reached:

- 自评 for every submission;
- 审核 once the office has audited at least one item in the current audit round;
- 联审后 from the joint review on (``FROM_JOINT_REVIEW``).

Its total is the sum of the stage's item scores (``scoring.scores``): at the audit and joint
stages the survey items' are the survey's (the satisfaction item's tier points, the others'
frozen points), whatever an audit row or a unit's adjustment says. Snapshots of these stages
also keep the survey's required sample size and whether it fell short unaccepted. Ranks are
per stage, in the city and in the district, in this order: total (highest first), satisfaction
rate (highest first, none last), the community's 12-digit code (lowest first) — so equal
scores always get the same order.

The joint stage follows the workflow first: cancelled after an upheld objection, turned down by
the leading group (out, with that reason), vetoed (out, even once approved), approved and
onwards (on the list whatever its rank, its place taken first). The others are held against the
shortlist rules, in this order, and the first rule a community fails is its outcome: a sample
the office did not accept as sufficient (样本不足, when the rules exclude it: the reason its
total lacks the survey's points); minimum total; a survey result at all; minimum satisfaction
rate; no member unit's veto; the district's quota; the city-wide cap. The quota and the cap
take the approved first, then the best-ranked of the communities that passed the earlier rules;
the cancelled, declined and vetoed take no place.

Recomputing deletes and rewrites the snapshots in one transaction, under a lock on the campaign
row, so readers see the old set or the new one and two recomputes never interleave.
"""

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from campaign.pipeline.models import (
    FROM_JOINT_REVIEW,
    Campaign,
    Status,
    Submission,
    UnitVeto,
)
from communities.models import Community
from scoring.engine.models import Outcome, ScoreSnapshot, ScoringRules, Stage
from scoring.engine.rules import current_rules
from scoring.engine.scores import T_SUBMISSION, parameters, planned_for_whole_tables, stage_sums_sql

T_SNAPSHOT = ScoreSnapshot._meta.db_table
T_VETO = UnitVeto._meta.db_table
T_COMMUNITY = Community._meta.db_table
# The leading group said yes (and what follows): on the list whatever the rules say now.
DECIDED_IN = (Status.APPROVED, Status.IN_NOTICE, Status.NAMED, Status.RECOMMENDED_UPWARD)


COLUMNS = (
    "campaign_id, submission_id, district_id, stage, rules_id, total, items_scored,"
    " satisfaction_points, satisfied, valid, sample_size, short_sample, veto_count, city_rank,"
    " district_rank, outcome, computed_at"
)


def _stage_rows(submission_ids: list[int] | None) -> str:
    """``WITH`` clauses ending in ``stage_rows``: one row per submission and stage reached, with
    the snapshot's columns except ranks and outcome, plus the community's code."""
    joint_states = ", ".join(f"'{s.value}'" for s in FROM_JOINT_REVIEW)
    by_survey = "COALESCE(sv.points, 0) + COALESCE(si.points, 0)"
    common = "%(campaign)s AS campaign_id, f.submission_id, f.district_id"
    ranking_facts = "f.veto_count, f.code, f.status"
    return (
        stage_sums_sql(submission_ids)
        + f""",
    vetoes AS (
        SELECT v.submission_id, COUNT(*) AS n
        FROM {T_VETO} v JOIN subs ON subs.id = v.submission_id GROUP BY v.submission_id
    ),
    facts AS (
        SELECT subs.id AS submission_id, subs.district_id, subs.status, c.code,
            COALESCE(ss.total, 0) AS self_total, COALESCE(ss.scored, 0) AS self_scored,
            COALESCE(os.audit_total, 0) + {by_survey} AS audit_total,
            COALESCE(os.joint_total, 0) + {by_survey} AS joint_total,
            COALESCE(os.scored, 0) AS office_scored,
            COALESCE(os.scored, 0) + CASE WHEN sv.points IS NULL THEN 0 ELSE 1 END
                + COALESCE(si.scored, 0) AS scored,
            sv.points, sv.satisfied, sv.valid, sv.sample_size,
            COALESCE(sv.short_sample, FALSE) AS short_sample,
            COALESCE(vetoes.n, 0) AS veto_count
        FROM subs
        JOIN {T_COMMUNITY} c ON c.id = subs.community_id
        LEFT JOIN self_sums ss ON ss.submission_id = subs.id
        LEFT JOIN office_sums os ON os.submission_id = subs.id
        LEFT JOIN survey sv ON sv.submission_id = subs.id
        LEFT JOIN survey_item_sums si ON si.submission_id = subs.id
        LEFT JOIN vetoes ON vetoes.submission_id = subs.id
    ),
    stage_rows AS (
        SELECT {common}, '{Stage.SELF.value}' AS stage, f.self_total AS total,
            f.self_scored AS items_scored, NULL AS satisfaction_points, NULL AS satisfied,
            NULL AS valid, NULL AS sample_size, FALSE AS short_sample, {ranking_facts}
        FROM facts f
        UNION ALL
        SELECT {common}, '{Stage.AUDIT.value}', f.audit_total, f.scored, f.points, f.satisfied,
            f.valid, f.sample_size, f.short_sample, {ranking_facts}
        FROM facts f WHERE f.office_scored > 0
        UNION ALL
        SELECT {common}, '{Stage.JOINT.value}', f.joint_total, f.scored, f.points, f.satisfied,
            f.valid, f.sample_size, f.short_sample, {ranking_facts}
        FROM facts f WHERE f.status IN ({joint_states})
    )"""
    )


def _ranking(rules: ScoringRules) -> str:
    """``ranked``, ``by_quota`` and ``outcomes`` clauses over ``source`` (a clause with columns
    ``stage, district_id, total, satisfied, valid, short_sample, veto_count, code, status``):
    ``outcomes`` has the source's columns with ``city_rank``, ``district_rank`` and ``outcome``.

    The workflow comes first: a community the leading group turned down or an upheld objection
    cancelled is out with that reason; one the leading group approved (and later noticed, named)
    is on the list whatever the rules say now, and takes its place first."""
    order = (
        "total DESC, CAST(satisfied AS DOUBLE PRECISION) / NULLIF(valid, 0) DESC NULLS LAST, code"
    )
    decided_in = ", ".join(f"'{s.value}'" for s in DECIDED_IN)
    failed_rule = [
        "WHEN stage <> %(joint)s THEN ''",
        f"WHEN status = '{Status.REMOVED.value}' THEN '{Outcome.CANCELLED.value}'",
        f"WHEN status = '{Status.NOT_APPROVED.value}' THEN '{Outcome.DECLINED.value}'",
        # The decision table refuses a vetoed candidate; should one be decided in anyway, the
        # veto still keeps it off and out of the places.
        f"WHEN status IN ({decided_in}) AND veto_count > 0 THEN '{Outcome.VETOED.value}'",
        f"WHEN status IN ({decided_in}) THEN NULL",
    ]
    # Before the total: a short sample's missing survey points are why its total is low.
    if rules.exclude_short_sample:
        failed_rule.append(f"WHEN short_sample THEN '{Outcome.SHORT_SAMPLE.value}'")
    if rules.min_total is not None:
        failed_rule.append(
            f"WHEN total < CAST(%(min_total)s AS NUMERIC) THEN '{Outcome.MIN_TOTAL.value}'"
        )
    failed_rule.append(f"WHEN COALESCE(valid, 0) = 0 THEN '{Outcome.NO_SURVEY.value}'")
    if rules.min_satisfaction is not None:
        failed_rule.append(
            "WHEN satisfied < CAST(%(min_satisfaction)s AS NUMERIC) * valid"
            f" THEN '{Outcome.MIN_SATISFACTION.value}'"
        )
    failed_rule.append(f"WHEN veto_count > 0 THEN '{Outcome.VETOED.value}'")
    quota = (
        "WHEN decided = 0 AND %(district_quota)s IS NOT NULL"
        f" AND district_place > %(district_quota)s THEN '{Outcome.DISTRICT_QUOTA.value}'"
    )
    return f"""
    ranked AS (
        SELECT source.*,
            ROW_NUMBER() OVER (PARTITION BY stage ORDER BY {order}) AS city_rank,
            ROW_NUMBER() OVER (PARTITION BY stage, district_id ORDER BY {order})
                AS district_rank,
            CASE {" ".join(failed_rule)} ELSE NULL END AS failed,
            CASE WHEN status IN ({decided_in}) THEN 1 ELSE 0 END AS decided
        FROM source
    ),
    by_quota AS (
        SELECT placed.*, CASE WHEN failed IS NOT NULL THEN failed {quota} ELSE NULL END
            AS failed2
        FROM (
            SELECT ranked.*, ROW_NUMBER() OVER (
                PARTITION BY stage, district_id, failed IS NULL ORDER BY decided DESC, city_rank
            ) AS district_place
            FROM ranked
        ) placed
    ),
    outcomes AS (
        SELECT placed.*,
            CASE WHEN failed2 IS NOT NULL THEN failed2
                 WHEN decided = 0 AND %(city_cap)s IS NOT NULL AND city_place > %(city_cap)s
                     THEN '{Outcome.CITY_CAP.value}'
                 ELSE '{Outcome.SHORTLISTED.value}' END AS outcome
        FROM (
            SELECT by_quota.*, ROW_NUMBER() OVER (
                PARTITION BY stage, failed2 IS NULL ORDER BY decided DESC, city_rank
            ) AS city_place
            FROM by_quota
        ) placed
    )"""


def _insert_ranked(rules: ScoringRules) -> str:
    """Every snapshot of the campaign, ranked, in one statement."""
    return (
        f"INSERT INTO {T_SNAPSHOT} ({COLUMNS})"
        + _stage_rows(None)
        + ", source AS (SELECT * FROM stage_rows),"
        + _ranking(rules)
        + """
    SELECT campaign_id, submission_id, district_id, stage, %(rules)s, total, items_scored,
        satisfaction_points, satisfied, valid, sample_size, short_sample, veto_count, city_rank,
        district_rank, outcome, %(now)s
    FROM outcomes"""
    )


def _insert_unranked(submission_id: int) -> str:
    return (
        f"INSERT INTO {T_SNAPSHOT} ({COLUMNS})"
        + _stage_rows([submission_id])
        + """
    SELECT campaign_id, submission_id, district_id, stage, %(rules)s, total, items_scored,
        satisfaction_points, satisfied, valid, sample_size, short_sample, veto_count, NULL, NULL,
        '', %(now)s
    FROM stage_rows"""
    )


def _ranking_update(rules: ScoringRules) -> str:
    """Re-rank the campaign's snapshots in place, writing only the rows whose place changed."""
    return (
        f"""
    WITH source AS (
        SELECT s.id, s.stage, s.district_id, s.total, s.satisfied, s.valid, s.short_sample,
            s.veto_count, c.code, sub.status
        FROM {T_SNAPSHOT} s
        JOIN {T_SUBMISSION} sub ON sub.id = s.submission_id
        JOIN {T_COMMUNITY} c ON c.id = sub.community_id
        WHERE s.campaign_id = %(campaign)s
    ),"""
        + _ranking(rules)
        + f"""
    UPDATE {T_SNAPSHOT} SET city_rank = o.city_rank, district_rank = o.district_rank,
        outcome = o.outcome
    FROM outcomes o
    WHERE {T_SNAPSHOT}.id = o.id AND (
        {T_SNAPSHOT}.city_rank IS DISTINCT FROM o.city_rank
        OR {T_SNAPSHOT}.district_rank IS DISTINCT FROM o.district_rank
        OR {T_SNAPSHOT}.outcome IS DISTINCT FROM o.outcome
    )"""
    )


def _params(campaign: Campaign, rules: ScoringRules) -> dict[str, Any]:
    return {
        **parameters(campaign, rules),
        "rules": rules.pk,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "joint": Stage.JOINT.value,
        "min_total": rules.min_total,
        "min_satisfaction": rules.min_satisfaction,
        "district_quota": rules.district_quota,
        "city_cap": rules.city_cap,
    }


def _tuned_for_recompute() -> None:
    """PostgreSQL settings for this transaction only: planned for whole tables (see
    ``scores.planned_for_whole_tables``), and asynchronous commit. Snapshots are derived data,
    rebuilt from the score rows by any recompute: a database crash in the fraction of a second
    after the commit can lose the whole recompute (never part of it: the commit stays atomic),
    and `recompute_scores` rebuilds it; in exchange a recompute does not wait for the disk."""
    planned_for_whole_tables(synchronous_commit="off")


def _locked_campaign(campaign_id: int) -> Campaign | None:
    """The campaign row, locked; None when it is gone (a queued recompute has nothing to do)."""
    return (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("standard")
        .filter(pk=campaign_id)
        .first()
    )


def recompute_campaign(campaign_id: int, *, once_locked: Callable[[], None] | None = None) -> int:
    """Rewrite every snapshot of the campaign; the number of snapshots. ``once_locked`` runs
    after the campaign's lock is taken and before anything is read."""
    with transaction.atomic():
        campaign = _locked_campaign(campaign_id)
        if once_locked is not None:
            once_locked()
        if campaign is None:
            return 0
        rules = current_rules(campaign)
        _tuned_for_recompute()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {T_SNAPSHOT} WHERE campaign_id = %s", [campaign.pk])
            cursor.execute(_insert_ranked(rules), _params(campaign, rules))
            written = cursor.rowcount
    return written


def recompute_submission(
    submission_id: int, *, once_locked: Callable[[], None] | None = None
) -> None:
    """Rewrite one submission's snapshots, then the campaign's ranks and outcomes (a change of
    one score can move everyone behind it)."""
    campaign_id = (
        Submission.objects.filter(pk=submission_id).values_list("campaign_id", flat=True).first()
    )
    if campaign_id is None:
        return
    with transaction.atomic():
        campaign = _locked_campaign(campaign_id)
        if once_locked is not None:
            once_locked()
        if campaign is None:
            return
        rules = current_rules(campaign)
        params = _params(campaign, rules)
        _tuned_for_recompute()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {T_SNAPSHOT} WHERE submission_id = %s", [submission_id])
            cursor.execute(_insert_unranked(submission_id), params)
            cursor.execute(_ranking_update(rules), params)
