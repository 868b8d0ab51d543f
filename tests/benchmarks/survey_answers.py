r"""Answer POSTs per second through the production server, beside a ceiling.

    make bench
    # that is:
    python3 .ci/stack.py --install --no-worker -- \
        .venv/bin/python tests/benchmarks/survey_answers.py

It needs a *throwaway* PostgreSQL in DATABASE_URL (the stack gives one): it migrates it, loads
the reference data, creates the 2020 campaign with every phase open today and --communities
candidates in the survey stage, and draws one-time codes for them as the runs need them.
Then it starts gunicorn (config.wsgi, sync workers, DEBUG off) and drives it with wrk (Debian
package `wrk`) for --duration seconds at each --connections count, --repeat times, alternating
two targets:

- answer: the phone page's POST /s/<token>/ with q1..qN — a *different* unused code on every
  request (a used code would measure the refusal page);
- ceiling: tests/benchmarks/bench_urls.py, a csrf-exempt function view that reads the same
  form and stores it with one INSERT into a table with a unique token, then redirects: the
  fastest an answer can be through the same gunicorn, middleware and database.

After each answer run the database must hold exactly one questionnaire (its pattern answering
every question) per 302 the client saw, give or take the requests cut off in flight when wrk
stopped, and no code may have two. The table shows the median of the repeats; PASS means
answer/ceiling >= --target at every connection count. Exit status: 0 PASS, 1 FAIL, 2 the
numbers cannot be trusted (integrity check failed, errors, codes ran out).

Client and server share the machine: wrk runs one thread (--wrk-threads) and may be pinned
with --wrk-cpu. Each run reads /proc to split the machine's CPU time between the server
(gunicorn and PostgreSQL), wrk and *other* processes. When others are busy (a shared machine)
requests per second drop for both targets and grow noisy, so the table also gives the server's
CPU milliseconds per stored POST: far steadier under foreign load (though contention still
inflates it somewhat), and on a quiet machine its ratio matches the throughput ratio.

Options (`make bench BENCH_ARGS="--duration 20 --repeat 5"`): --duration 10 --warmup 3
--connections 8,32 --repeat 3 --workers 2*cores --wrk-threads 1 --wrk-cpu LIST
--communities 40 --target 0.70 --show-queries (print the SQL of one POST of each kind)
--wsgi MODULE (default config.wsgi; a module that patches the app measures a candidate fix).
"""

import argparse
import io
import logging
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.benchmarks.bench_settings"
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
os.environ["DEBUG"] = "0"

import django
import gunicorn  # type: ignore[import-untyped]

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import Length  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from campaign.kernel.roles import Role  # noqa: E402
from campaign.pipeline.actions import do_create_campaign  # noqa: E402
from campaign.pipeline.models import Campaign, Status, Submission  # noqa: E402
from campaign.survey.codes import create_codes  # noqa: E402
from campaign.survey.defaults import config_for  # noqa: E402
from campaign.survey.models import SurveyOption, SurveyQuestion, SurveyResponse  # noqa: E402
from communities.models import Community, Street  # noqa: E402
from standards.models import Standard  # noqa: E402
from tests.base import make_community, make_user  # noqa: E402
from tests.benchmarks import (  # noqa: E402
    CpuShares,
    free_port,
    machine,
    process_table,
    start_gunicorn,
    stop,
    wrk_post,
)
from tests.benchmarks.bench_urls import CEILING_PATH, CEILING_TABLE_SQL  # noqa: E402
from tests.builders import open_every_phase, submission_at  # noqa: E402

PLACEHOLDER = "2" * 12
YEAR = 2020


@dataclass
class Run:
    target: str
    connections: int
    rate: float
    p50_ms: float
    p99_ms: float
    redirects: int
    stored: int
    cpu: CpuShares
    problems: list[str] = field(default_factory=list)

    @property
    def cpu_ms(self) -> float:
        """Server CPU (gunicorn + PostgreSQL) per stored POST."""
        return self.cpu.server_seconds * 1000 / max(self.stored, 1)


class Codes:
    """Unused one-time codes in a file wrk reads; drawn as the runs need them."""

    def __init__(self, path: Path, submissions: list[Submission], actor: Any) -> None:
        self.path, self.submissions, self.actor = path, submissions, actor
        self.total = self.offset = 0
        path.write_text("")

    def ensure(self, needed: int) -> None:
        missing = needed - (self.total - self.offset)
        if missing <= 0:
            return
        each = -(-missing // len(self.submissions))
        with self.path.open("a") as out:
            for submission in self.submissions:
                for code in create_codes(submission, each, self.actor):
                    out.write(code.token + "\n")
        self.total += each * len(self.submissions)


def prepare(count: int) -> tuple[list[Submission], Any]:
    """The reference data, an office account, the 2020 campaign with every phase open today and
    ``count`` candidate communities in the survey stage (walked there by tests.builders)."""
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(CEILING_TABLE_SQL)
    office = get_user_model().objects.filter(username="bench_office").first()
    office = office or make_user("bench_office", Role.OFFICE_AUDITOR)
    campaign = Campaign.objects.filter(year=YEAR).first()
    if campaign is None:
        standard = Standard.objects.get(year=YEAR, version=1)
        campaign = do_create_campaign(YEAR, "基准测试活动", standard.pk, actor=office)
    open_every_phase(campaign)
    config_for(campaign)
    streets = list(Street.objects.order_by("code"))
    for n in range(count):
        code = f"{streets[n % len(streets)].code}{900 + n // len(streets):03d}"
        community = Community.objects.filter(code=code).first() or make_community(
            code, f"基准{n + 1}社区"
        )
        if not Submission.objects.filter(campaign=campaign, community=community).exists():
            submission_at(campaign, community, Status.SURVEYING, actor=office)
    surveying = Submission.objects.filter(campaign=campaign, status=Status.SURVEYING)
    return list(surveying.order_by("pk")), office


def positions(
    model: type[SurveyQuestion] | type[SurveyOption], submission: Submission
) -> list[int]:
    rows = model.objects.filter(campaign_id=submission.campaign_id).order_by("position")
    return list(rows.values_list("position", flat=True))


def answer_prefix_suffix() -> tuple[str, str]:
    prefix, suffix = reverse("survey_answer", args=[PLACEHOLDER]).split(PLACEHOLDER)
    return prefix, suffix


def count_queries(url: str, form: dict[str, str], show: bool) -> tuple[int, int]:
    """Queries one POST makes (in-process, same settings), and the status it gets."""
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        status = client.post(url, form).status_code
    if show:
        for query in queries.captured_queries:
            print("    " + query["sql"][:160])
    return len(queries.captured_queries), status


class Bench:
    def __init__(
        self,
        args: argparse.Namespace,
        workdir: Path,
        port: int,
        codes: Codes,
        server_pid: int,
        postmaster_pid: int,
    ) -> None:
        self.args, self.workdir, self.codes = args, workdir, codes
        self.base = f"http://127.0.0.1:{port}"
        questions = positions(SurveyQuestion, codes.submissions[0])
        options = [str(p) for p in positions(SurveyOption, codes.submissions[0])]
        self.form = ([f"q{p}" for p in questions], options)
        self.answer_path = answer_prefix_suffix() if args.answers else ("", "")
        self.last_ceiling_rate = 2000.0
        self.server_roots = {server_pid, postmaster_pid}
        self.last_cpu = CpuShares(0, 0, 0, 0)

    def wrk(self, target: str, connections: int, seconds: int) -> dict[str, Any]:
        answer = target == "answer"
        result, self.last_cpu = wrk_post(
            self.base,
            self.answer_path if answer else (f"/{CEILING_PATH}", "/"),
            self.form,
            (self.codes.path, self.codes.offset) if answer else None,
            (connections, seconds, self.args.wrk_threads, self.args.wrk_cpu),
            self.server_roots,
            self.workdir,
        )
        if answer:
            self.codes.offset += result["threads"] * result["max_sent"]
        return result

    def measure(self, target: str, connections: int, seconds: int) -> Run:
        if target == "answer":
            self.codes.ensure(int(self.last_ceiling_rate * seconds * 1.5) + 50 * connections)
        stored_before = self.stored(target)
        last_before = SurveyResponse.objects.order_by("-pk").values_list("pk", flat=True).first()
        connection.close()  # hold no connection or lock while the server is measured
        result = self.wrk(target, connections, seconds)
        stored = self.settled(target) - stored_before
        statuses = {int(k): v for k, v in result["statuses"].items()}
        redirects = statuses.pop(302, 0)
        in_flight = result["sent"] - result["requests"]
        run = Run(
            target,
            connections,
            result["requests"] / (result["duration_us"] / 1e6),
            result["p50_us"] / 1000,
            result["p99_us"] / 1000,
            redirects,
            stored,
            self.last_cpu,
        )
        if not redirects <= stored <= redirects + in_flight:
            run.problems.append(f"{redirects} redirects but {stored} rows stored")
        if statuses:
            run.problems.append(f"responses other than 302: {statuses}")
        if result["socket_errors"] or result["timeouts"] or result["exhausted"]:
            run.problems.append(
                f"socket errors {result['socket_errors']}, timeouts {result['timeouts']}, "
                f"codes ran out {result['exhausted']} times"
            )
        if target == "answer":
            incomplete = (
                SurveyResponse.objects.filter(pk__gt=last_before or 0)
                .annotate(answered=Length("pattern"))
                .exclude(answered=len(self.form[0]))
                .count()
            )
            if incomplete:
                run.problems.append(f"{incomplete} of {stored} questionnaires miss answers")
        else:
            self.last_ceiling_rate = max(run.rate, 100.0)
        return run

    def stored(self, target: str) -> int:
        if target == "answer":
            return SurveyResponse.objects.count()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM bench_ceiling")
            return int(cursor.fetchone()[0])

    def settled(self, target: str) -> int:
        """The row count once requests cut off by wrk's stop have finished on the server."""
        count, deadline = self.stored(target), time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.5)
            again = self.stored(target)
            if again == count:
                return count
            count = again
        return count


def software() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("[")[0]
    return (
        f"Django {django.get_version()}, gunicorn {gunicorn.__version__}, "
        f"PostgreSQL {postgres}, {wrk.strip()}"
    )


def report(
    runs: list[Run], args: argparse.Namespace, queries: str, targets: tuple[str, ...]
) -> int:
    cores = os.cpu_count() or 1
    pinned = f", pinned to CPU {args.wrk_cpu}" if args.wrk_cpu is not None else ""
    server = statistics.mean(r.cpu.server for r in runs)
    client = statistics.mean(r.cpu.client for r in runs)
    others = statistics.mean(r.cpu.others for r in runs)
    lines = [
        *machine(software()),
        f"Server: gunicorn {args.wsgi}, {args.workers} sync workers, DEBUG off. Client: wrk, "
        f"threads: {args.wrk_threads}{pinned}, on the same {cores} CPUs.",
        f"CPU time during the runs: server (gunicorn + PostgreSQL) {server:.0%}, "
        f"wrk {client:.0%}, other processes {others:.0%}"
        + ("  <- a busy machine: the numbers are noisy" if others > 0.05 else ""),
        f"{queries}. {args.duration:g} s per run, median of {args.repeat} runs.",
        "",
        f"{'connections':>11}  {'target':<8}{'req/s':>8}  {'(min-max)':<13}"
        f"{'p50 ms':>7}{'p99 ms':>8}{'CPU ms/POST':>13}  {'302s':>7}{'stored':>8}",
    ]
    ratios = []
    for connections in args.connections:
        rates, costs = {}, {}
        for target in targets:
            mine = [r for r in runs if r.connections == connections and r.target == target]
            rates[target] = statistics.median(r.rate for r in mine)
            costs[target] = statistics.median(r.cpu_ms for r in mine)
            spread = f"({min(r.rate for r in mine):.0f}-{max(r.rate for r in mine):.0f})"
            lines.append(
                f"{connections:>11}  {target:<8}{rates[target]:>8.0f}  {spread:<13}"
                f"{statistics.median(r.p50_ms for r in mine):>7.1f}"
                f"{statistics.median(r.p99_ms for r in mine):>8.1f}"
                f"{statistics.median(r.cpu_ms for r in mine):>13.2f}  "
                f"{sum(r.redirects for r in mine):>7}{sum(r.stored for r in mine):>8}"
            )
        if "answer" in rates:
            ratios.append(rates["answer"] / rates["ceiling"])
            verdict = "PASS" if ratios[-1] >= args.target else "FAIL"
            lines.append(
                f"{'':>13}answer/ceiling = {ratios[-1]:.0%}  {verdict}   (by server CPU per POST: "
                f"{costs['ceiling'] / costs['answer']:.0%})"
            )
    problems = [f"{r.target} c={r.connections}: {p}" for r in runs for p in r.problems]
    duplicates = (
        SurveyResponse.objects.filter(code__isnull=False)
        .values("code")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    if duplicates:
        problems.append(f"{duplicates} codes were counted twice")
    lines.append("")
    if problems:
        lines += ["NOT TRUSTWORTHY:", *("  " + p for p in problems)]
    else:
        lines.append(
            "Integrity: each 302 stored exactly one questionnaire answering every question, "
            "give or take requests cut off when wrk stopped; no other status; no code used twice."
        )
    if not ratios:
        lines.append("Result: ceiling only, no answer view to compare.")
        print("\n".join(lines), flush=True)
        return 2
    passed = min(ratios) >= args.target
    lines.append(
        f"Result: {'PASS' if passed else 'FAIL'}: answer POSTs reach {min(ratios):.0%} "
        f"of the ceiling at worst (target {args.target:.0%})."
    )
    print("\n".join(lines), flush=True)
    return 2 if problems else 0 if passed else 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cores = os.cpu_count() or 1
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per target")
    parser.add_argument("--connections", default="8,32", help="comma-separated counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per target and count")
    parser.add_argument("--workers", type=int, default=2 * cores, help="gunicorn workers")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--wsgi", default="config.wsgi", help="to measure a candidate change")
    parser.add_argument("--wrk-cpu", help="pin wrk to these CPUs (taskset list, e.g. 1)")
    parser.add_argument("--communities", type=int, default=40, help="candidates in the survey")
    parser.add_argument("--target", type=float, default=0.70, help="answer/ceiling to pass")
    parser.add_argument("--show-queries", action="store_true", help="print each POST's SQL")
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    return args


def smoke_check(codes: Codes, show: bool, answers: bool) -> str:
    """One POST of each kind in-process: the contract holds, and how many queries each costs."""
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the refusal is expected
    form = {f"q{p}": "1" for p in positions(SurveyQuestion, codes.submissions[0])}
    ceiling, ceiling_status = count_queries(f"/{CEILING_PATH}probe/", form, show)
    if ceiling_status != 302:
        raise SystemExit(f"Smoke check failed: the ceiling answered {ceiling_status}")
    if not answers:
        return f"SQL statements per POST: ceiling {ceiling}"
    codes.ensure(2)
    prefix, suffix = answer_prefix_suffix()
    first, url = (
        prefix + token + suffix for token in codes.path.read_text().split()[codes.offset :][:2]
    )
    codes.offset += 2
    # A server process reads the questionnaire with its first answer and keeps it.
    cold, cold_status = count_queries(first, form, show)
    answer, status = count_queries(url, form, show)
    reuse, reuse_status = count_queries(url, form, show)
    if cold_status != 302 or status != 302 or reuse_status == 302:
        raise SystemExit(
            f"Smoke check failed: new codes got {cold_status} and {status} (302 expected), "
            f"the same code again {reuse_status} (a refusal expected)"
        )
    return (
        f"SQL statements per POST: answer {answer} (a process's first: {cold}), "
        f"refused reuse {reuse}, ceiling {ceiling}"
    )


def main() -> int:
    args = parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Needs PostgreSQL in DATABASE_URL: run it under .ci/stack.py (see top).")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (or .ci/stack.py --install)")
    try:
        answer_prefix_suffix()
        args.answers = True
    except NoReverseMatch:
        args.answers = False
        print("The answer view (URL name survey_answer) is not wired yet: ceiling only.")
    targets = ("ceiling", "answer") if args.answers else ("ceiling",)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="bench-answers-"))
    server = None
    try:
        print("Preparing the database (migrate, reference data, campaign, candidates)…", flush=True)
        submissions, office = prepare(args.communities)
        codes = Codes(workdir / "codes.txt", submissions, office)
        queries = smoke_check(codes, args.show_queries, args.answers)
        print(queries, flush=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            postmaster = process_table()[cursor.fetchone()[0]][0]
        connection.close()
        port = free_port()
        server = start_gunicorn(
            args.wsgi, port, args.workers, workdir / "gunicorn.log", f"/{CEILING_PATH}ping/"
        )
        bench = Bench(args, workdir, port, codes, server.pid, postmaster)
        for target in targets:
            print(f"Warming up {target} ({args.warmup:g} s)…", flush=True)
            bench.measure(target, max(args.connections), args.warmup)
        runs = []
        for connections in args.connections:
            for repeat in range(args.repeat):
                for target in targets:
                    run = bench.measure(target, connections, args.duration)
                    runs.append(run)
                    print(
                        f"  c={connections} #{repeat + 1} {target:<8}{run.rate:>7.0f} req/s  "
                        f"p50 {run.p50_ms:.1f} ms  p99 {run.p99_ms:.1f} ms  CPU: server "
                        f"{run.cpu.server:.0%} wrk {run.cpu.client:.0%} other {run.cpu.others:.0%}"
                        + (f"  {run.problems}" if run.problems else ""),
                        flush=True,
                    )
        print("", flush=True)
        return report(runs, args, queries, targets)
    finally:
        # stack.py kills this script 0.25 s after a Ctrl-C: signal gunicorn first, tidy after.
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        shutil.rmtree(workdir, ignore_errors=True)
        stop(server)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)  # gunicorn is already stopped by main's finally
