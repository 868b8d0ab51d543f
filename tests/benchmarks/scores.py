r"""Score recompute and score exports, beside their ceilings, for a city and for a province.

    make bench-scores
    # that is:
    python3 .ci/stack.py --install --no-worker -- \
        .venv/bin/python tests/benchmarks/scores.py

It needs a *throwaway* PostgreSQL in DATABASE_URL (the stack gives one). For each --sizes
count (default 325, the city, and 10000, a province) it builds a campaign of that many
communities past the joint review, written with set-based INSERTs: a self-score and an office
score for each of the 33 items, two member units' opinions on every third item (some with
adjustments that the clamp cuts), a frozen survey result (every 40th short of its sample), the
points of the other survey items, the register figures frozen at submission, a veto on every
50th. Then, --repeat times each (median shown; each run of a figure is followed by a run of its
ceiling, so a busy moment of a shared machine weighs on both):

- recompute: ``scoring.engine.recompute_campaign`` — delete and rewrite every snapshot of the
  three stages, ranks and shortlist outcomes, committed;
- its ceiling: one hand-written SQL statement aggregating the same rows into the same three
  stage totals per community, fetched by the client (nothing written);
- export (shortlist, matrix): the workbook written by ``scoring.exports`` to a file;
- its ceiling: openpyxl write-only writing the same cells (values read back from the exported
  file before timing, so they are in memory) to a file, without styles.

Targets (issue 6): recompute within 2× its ceiling, each export within 1.5× its ceiling.
Exit status 0 when every figure meets its target, 1 otherwise.
"""

import argparse
import functools
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import openpyxl  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from campaign.kernel.roles import Role  # noqa: E402
from campaign.pipeline.actions import do_create_campaign  # noqa: E402
from campaign.pipeline.models import Campaign, RegisterFigures, Status, Submission  # noqa: E402
from communities.models import Community, Street  # noqa: E402
from scoring.engine.recompute import recompute_campaign  # noqa: E402
from scoring.engine.rules import current_rules  # noqa: E402
from scoring.engine.scores import (  # noqa: E402
    SURVEY,
    T_ASSESSMENT,
    T_AUDIT,
    T_ITEM,
    T_ITEM_POINTS,
    T_OPINION,
    T_TALLY,
)
from standards.models import Standard  # noqa: E402
from tests.base import make_user  # noqa: E402
from tests.benchmarks import machine  # noqa: E402

T_FIGURES = RegisterFigures._meta.db_table
T_COMMUNITY = Community._meta.db_table
RECOMPUTE_TARGET = 2.0
EXPORT_TARGET = 1.5

FILL_SQL = f"""
INSERT INTO {T_ASSESSMENT} (submission_id, item_id, self_score, explanation, version,
    updated_at, updated_by_id)
SELECT s.id, it.id, it.max_points * ((s.id * 7 + it.id * 3) %% 5) / 4, '', 1, now(), %(user)s
FROM campaign_submission s JOIN {T_ITEM} it ON it.standard_id = %(standard)s
WHERE s.campaign_id = %(campaign)s;

INSERT INTO {T_AUDIT} (submission_id, item_id, round, audited_score, reason, comment,
    revision_request, version, updated_at, updated_by_id)
SELECT s.id, it.id, 1, it.max_points * ((s.id * 11 + it.id * 5) %% 5) / 4, '', '', '', 1, now(),
    %(user)s
FROM campaign_submission s JOIN {T_ITEM} it ON it.standard_id = %(standard)s
WHERE s.campaign_id = %(campaign)s;

INSERT INTO {T_OPINION} (submission_id, item_id, unit_id, agrees, reason, adjustment,
    updated_at, updated_by_id)
SELECT s.id, it.id, u.id, (s.id + it.id) %% 4 <> 0,
    CASE WHEN (s.id + it.id) %% 4 = 0 THEN 'benchmark' ELSE '' END,
    CASE WHEN (s.id + it.id) %% 4 = 0 THEN 0.5 * ((s.id %% 3) - 1) ELSE 0 END, now(), %(user)s
FROM campaign_submission s JOIN {T_ITEM} it ON it.standard_id = %(standard)s AND it.id %% 3 = 0
JOIN (SELECT id FROM standards_memberunit ORDER BY id LIMIT 2) u ON true
WHERE s.campaign_id = %(campaign)s;

-- Every 40th survey ended short of its sample, unaccepted: no tier points.
INSERT INTO {T_TALLY} (submission_id, satisfied, valid, discarded, points, sample_size,
    short_sample, short_sample_scored, finish_reason, source, recorded_at, recorded_by_id)
SELECT s.id, 40 + s.id %% 11, 50, s.id %% 3,
    CASE WHEN s.id %% 40 = 0 THEN 0 WHEN 40 + s.id %% 11 >= 46 THEN 14 ELSE 10 END,
    CASE WHEN s.id %% 40 = 0 THEN 60 ELSE 50 END, s.id %% 40 = 0, FALSE,
    CASE WHEN s.id %% 40 = 0 THEN 'benchmark' ELSE '' END, 'benchmark', now(), %(user)s
FROM campaign_submission s WHERE s.campaign_id = %(campaign)s;

INSERT INTO {T_ITEM_POINTS} (submission_id, item_id, points, basis)
SELECT s.id, it.id, it.max_points * (s.id %% 5) / 4 * 0.8, 'benchmark'
FROM campaign_submission s JOIN {T_ITEM} it ON it.standard_id = %(standard)s
    AND it.check_method = %(survey)s AND it.id <> %(sat)s
WHERE s.campaign_id = %(campaign)s;

-- The register figures each submission froze, every 9th short of full-time workers.
INSERT INTO {T_FIGURES} (submission_id, kind, construction, households, population,
    full_time_workers, work_funds, party_fund, service_area, staffing_result, work_funds_result,
    party_fund_result, service_area_result, frozen_at, frozen_by_id)
SELECT s.id, c.kind, c.construction, 1500 + s.id %% 900, 4000 + s.id %% 2000,
    CASE WHEN s.id %% 9 = 0 THEN 3 ELSE 6 END, 80000, 200000, 650,
    CASE WHEN s.id %% 9 = 0 THEN 'fail' ELSE 'pass' END, 'pass', 'pass', 'pass', now(), %(user)s
FROM campaign_submission s JOIN {T_COMMUNITY} c ON c.id = s.community_id
WHERE s.campaign_id = %(campaign)s;

INSERT INTO campaign_unitveto (submission_id, unit_id, reason, vetoed_at, vetoed_by_id)
SELECT s.id, (SELECT MIN(id) FROM standards_memberunit), 'benchmark', now(), %(user)s
FROM campaign_submission s WHERE s.campaign_id = %(campaign)s AND s.id %% 50 = 0;
ANALYZE;
"""

# The same three stage totals per community, written by hand as one aggregate: survey items
# scored only by the survey (the satisfaction item by the tally, the others by their points).
CEILING_SQL = f"""
SELECT a.submission_id,
    SUM(CASE WHEN it.check_method = %(survey)s THEN 0 ELSE a.self_score END),
    SUM(CASE WHEN a.item_id = %(sat)s THEN 0
        WHEN it.check_method = %(survey)s THEN COALESCE(LEAST(sip.points, it.max_points), 0)
        ELSE au.audited_score END)
        + MAX(COALESCE(t.points, 0)),
    SUM(CASE WHEN a.item_id = %(sat)s THEN 0
        WHEN it.check_method = %(survey)s THEN COALESCE(LEAST(sip.points, it.max_points), 0)
        ELSE GREATEST(0, LEAST(it.max_points, au.audited_score + COALESCE(o.adjustment, 0)))
        END) + MAX(COALESCE(t.points, 0))
FROM {T_ASSESSMENT} a
JOIN campaign_submission s ON s.id = a.submission_id AND s.campaign_id = %(campaign)s
JOIN {T_ITEM} it ON it.id = a.item_id
JOIN {T_AUDIT} au ON au.submission_id = a.submission_id AND au.item_id = a.item_id
    AND au.round = s.audit_round
LEFT JOIN (SELECT submission_id, item_id, SUM(adjustment) AS adjustment FROM {T_OPINION}
    GROUP BY submission_id, item_id) o
    ON o.submission_id = a.submission_id AND o.item_id = a.item_id
LEFT JOIN {T_TALLY} t ON t.submission_id = a.submission_id
LEFT JOIN {T_ITEM_POINTS} sip ON sip.submission_id = a.submission_id AND sip.item_id = a.item_id
GROUP BY a.submission_id
"""


def build(size: int, year: int) -> Campaign:
    """A fresh campaign of ``year`` with ``size`` communities past the joint review."""
    Campaign.objects.filter(year=year).delete()
    user = get_user_model().objects.filter(username="bench_office").first()
    user = user or make_user("bench_office", Role.OFFICE_AUDITOR)
    standard = Standard.objects.get(year=2020, version=1)
    campaign = do_create_campaign(year, f"基准测试{size}", standard.pk, actor=user)
    streets = list(Street.objects.order_by("code"))
    wanted = [f"{streets[n % len(streets)].code}{n // len(streets):03d}" for n in range(size)]
    existing = set(Community.objects.filter(code__in=wanted).values_list("code", flat=True))
    Community.objects.bulk_create(
        Community(
            code=code,
            name=f"基准{code}社区",
            district_id=streets[n % len(streets)].district_id,
            street=streets[n % len(streets)],
        )
        for n, code in enumerate(wanted)
        if code not in existing
    )
    communities = Community.objects.filter(code__in=wanted)
    Submission.objects.bulk_create(
        Submission(
            campaign=campaign,
            community=c,
            district_id=c.district_id,
            status=Status.JOINT_REVIEW,
        )
        for c in communities
    )
    with connection.cursor() as cursor:
        cursor.execute(
            FILL_SQL,
            {
                "user": user.pk,
                "standard": standard.pk,
                "campaign": campaign.pk,
                "survey": SURVEY,
                "sat": current_rules(campaign).satisfaction_item_id or -1,
            },
        )
    return campaign


def timed(work: Callable[[], Any], ceiling: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """The medians of ``work`` and of its ``ceiling``, run in turn ``repeat`` times each: on a
    shared machine a busy moment then slows both alike instead of one of the two series."""
    runs: tuple[list[float], list[float]] = ([], [])
    for _n in range(repeat):
        for job, times in zip((work, ceiling), runs, strict=True):
            started = time.perf_counter()
            job()
            times.append(time.perf_counter() - started)
    return statistics.median(runs[0]), statistics.median(runs[1])


def ceiling_query(campaign: Campaign) -> None:
    sat = current_rules(campaign).satisfaction_item_id
    with connection.cursor() as cursor:
        cursor.execute(CEILING_SQL, {"campaign": campaign.pk, "sat": sat, "survey": SURVEY})
        cursor.fetchall()


def cells_of(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    sheets = [(ws.title, [tuple(row) for row in ws.iter_rows(values_only=True)]) for ws in workbook]
    workbook.close()
    return sheets


def write_only(sheets: list[tuple[str, list[tuple[Any, ...]]]], path: Path) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)


def report(label: str, times: tuple[float, float], target: float) -> bool:
    measured, ceiling = times
    ratio = measured / ceiling
    verdict = "PASS" if ratio <= target else "FAIL"
    print(
        f"  {label:<22} {measured * 1000:>9.0f} ms   ceiling {ceiling * 1000:>8.0f} ms"
        f"   {ratio:4.2f}×  (target ≤{target}×)  {verdict}",
        flush=True,
    )
    return ratio <= target


def run(
    size: int, year: int, repeat: int, exporters: dict[str, Callable[[Campaign, Path], None]]
) -> bool:
    started = time.perf_counter()
    campaign = build(size, year)
    counts = {
        table: Submission.objects.raw(
            f"SELECT 1 AS id, COUNT(*) AS n FROM {table} x JOIN campaign_submission s"
            " ON s.id = x.submission_id WHERE s.campaign_id = %s",
            [campaign.pk],
        )[0].n  # type: ignore[attr-defined]
        for table in (T_ASSESSMENT, T_AUDIT, T_OPINION)
    }
    print(
        f"\n{size} communities ({counts[T_ASSESSMENT]} self-scores, {counts[T_AUDIT]} office"
        f" scores, {counts[T_OPINION]} unit opinions; built in"
        f" {time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    snapshots = recompute_campaign(campaign.pk)  # warm-up, and the first write
    ok = report(
        f"recompute ({snapshots} rows)",
        timed(lambda: recompute_campaign(campaign.pk), lambda: ceiling_query(campaign), repeat),
        RECOMPUTE_TARGET,
    )
    with tempfile.TemporaryDirectory() as folder:
        for name, export in exporters.items():
            path = Path(folder) / f"{name}.xlsx"
            export(campaign, path)  # warm-up, and the cells the ceiling writes
            sheets = cells_of(path)
            rows = sum(len(r) for _t, r in sheets)
            cells = sum(len(row) for _t, r in sheets for row in r)
            plain = Path(folder) / f"{name}-ceiling.xlsx"
            times = timed(
                functools.partial(export, campaign, path),
                functools.partial(write_only, sheets, plain),
                repeat,
            )
            ok &= report(f"export {name} ({rows} rows, {cells} cells)", times, EXPORT_TARGET)
    return ok


def exporters() -> dict[str, Callable[[Campaign, Path], None]]:
    from scoring.exports.models import ExportKind
    from scoring.exports.registry import write_workbook

    def export(kind: ExportKind) -> Callable[[Campaign, Path], None]:
        return lambda campaign, path: write_workbook(kind, campaign, path)

    return {"shortlist": export(ExportKind.SHORTLIST), "matrix": export(ExportKind.MATRIX)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="325,10000")
    parser.add_argument(
        "--repeat",
        type=int,
        help="runs of each figure (default: 21 below 1,000 communities, where one run takes"
        " milliseconds and a moment's noise weighs most, 5 above)",
    )
    parser.add_argument("--skip-exports", action="store_true", help="measure the recompute only")
    args = parser.parse_args()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0].split(" on ")[0]
    print(
        "\n".join(
            machine(f"Django {django.get_version()}, openpyxl {openpyxl.__version__}, {server}")
        )
    )
    print("Median of each figure's runs; each run beside a run of its ceiling, in turn.")
    ok = True
    for n, size in enumerate(int(s) for s in args.sizes.split(",")):
        repeat = args.repeat or (21 if size < 1000 else 5)
        ok &= run(size, 2101 + n, repeat, {} if args.skip_exports else exporters())
    print(f"\nResult: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
