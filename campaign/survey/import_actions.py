"""Importing a survey firm's questionnaires: the whole file in one transaction or nothing.

Every community in the file is locked and checked against the transition table
(``Action.RECORD_SURVEY``: in the survey, by the office, while the survey phase is open). A dry
run does all of it, quality flags included, and rolls back, so the preview shows exactly what
the import will do.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.kernel.roles import Role, scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.actions import check, locked, log
from campaign.pipeline.models import Campaign, Status
from campaign.pipeline.workflow import Action, ActionRefused, refusal, require_allowed
from campaign.survey import quality
from campaign.survey.defaults import config_for
from campaign.survey.models import SurveyImport, SurveyResponse
from campaign.survey.sheet import REFERENCE, Questionnaire, SurveySheet, read_sheet
from communities.sheets import Issue

BATCH = 2000


@dataclass(frozen=True)
class CommunityImport:
    """What the file brings one community."""

    submission_id: int
    code: str
    name: str
    district: str
    imported: int
    too_fast: int
    in_cluster: int
    # Either flag: the office will rule on these.
    flagged: int
    # Questionnaires of earlier files that the new ones complete into a cluster.
    earlier_in_cluster: int = 0


@dataclass
class SurveyImportReport:
    file_name: str
    sha256: str
    dry_run: bool
    communities: list[CommunityImport] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    import_id: int | None = None

    @property
    def imported(self) -> int:
        return sum(c.imported for c in self.communities)

    @property
    def too_fast(self) -> int:
        return sum(c.too_fast for c in self.communities)

    @property
    def in_cluster(self) -> int:
        return sum(c.in_cluster for c in self.communities)

    @property
    def flagged(self) -> int:
        """The file's questionnaires awaiting the office's ruling."""
        return sum(c.flagged for c in self.communities)


class _RolledBack(Exception):
    """Leaves the dry run's transaction, carrying its report."""

    def __init__(self, report: SurveyImportReport) -> None:
        super().__init__()
        self.report = report


def do_import_survey(
    campaign_id: int,
    file_name: str,
    content: bytes,
    *,
    actor: Actor,
    ip: str | None = None,
    dry_run: bool = False,
) -> SurveyImportReport:
    """Import every questionnaire of the file, or refuse with the problems (row and column).
    ``actor=None`` is the command line: the server's operator acts as the office."""
    campaign = Campaign.objects.select_related("standard").get(pk=campaign_id)
    role = Role.OFFICE_AUDITOR if actor is None else scope_of(actor).role
    # Role and dates before reading the file; each community is checked again under its lock.
    closed = refusal(campaign, Status.SURVEYING, Action.RECORD_SURVEY, role)
    if closed:
        raise ActionRefused(closed)
    digest = hashlib.sha256(content).hexdigest()
    _refuse_if_imported(campaign, digest)
    parsed = read_sheet(campaign, content)
    _refuse_if_problems(parsed.problems, parsed.problem_count)
    try:
        with transaction.atomic(durable=True):
            report = _apply(campaign, parsed, file_name, digest, actor=actor, role=role, ip=ip)
            report.dry_run = dry_run
            if dry_run:
                raise _RolledBack(report)
    except _RolledBack as rolled_back:
        return rolled_back.report
    return report


def _apply(
    campaign: Campaign,
    parsed: SurveySheet,
    file_name: str,
    digest: str,
    *,
    actor: Actor,
    role: Role | None,
    ip: str | None,
) -> SurveyImportReport:
    submissions = {}
    # Ascending ids, so two imports touching the same communities cannot deadlock.
    for submission_id in sorted(parsed.submissions):
        submission = locked(submission_id)
        try:
            if actor is None:
                require_allowed(submission, Action.RECORD_SURVEY, role)
            else:
                check(submission, Action.RECORD_SURVEY, actor)
        except ActionRefused as exc:
            raise ActionRefused(
                _("%(community)s：%(reason)s")
                % {"community": parsed.submissions[submission_id].community.name, "reason": exc}
            ) from exc
        submissions[submission_id] = submission
    # Again under the locks: a concurrent import of the same file has committed by now.
    _refuse_if_imported(campaign, digest)
    _refuse_if_problems(_earlier_references(parsed))

    config = config_for(campaign)
    try:
        with transaction.atomic():
            survey_import = SurveyImport.objects.create(
                campaign=campaign,
                file_name=file_name[:255],
                sha256=digest,
                rows=len(parsed.rows),
                imported_by=actor,
            )
    except IntegrityError:
        # The same file confirmed twice at once: the constraint is the guard.
        _refuse_if_imported(campaign, digest)
        raise
    SurveyResponse.objects.bulk_create(
        [_response(row, survey_import, config) for row in parsed.rows], batch_size=BATCH
    )

    ids = list(submissions)
    earlier_before = _earlier_clusters(ids, survey_import)
    quality.flag_clusters(ids, config.cluster_size)
    counts = (
        SurveyResponse.objects.filter(submission_id__in=ids)
        .values("submission_id")
        .annotate(
            # Not named like the fields: a later filter would read the count instead.
            n_imported=Count("pk", filter=Q(source=survey_import)),
            n_too_fast=Count("pk", filter=Q(source=survey_import, too_fast=True)),
            n_in_cluster=Count("pk", filter=Q(source=survey_import, in_cluster=True)),
            n_flagged=Count(
                "pk", filter=Q(source=survey_import) & (Q(too_fast=True) | Q(in_cluster=True))
            ),
        )
    )
    by_submission = {row["submission_id"]: row for row in counts}
    earlier_after = _earlier_clusters(ids, survey_import)

    report = SurveyImportReport(
        file_name, digest, False, ignored_columns=parsed.ignored_columns, import_id=survey_import.pk
    )
    for submission_id, submission in submissions.items():
        row = by_submission[submission_id]
        seen = parsed.submissions[submission_id]
        line = CommunityImport(
            submission_id,
            seen.community.code,
            seen.community.name,
            seen.district.name,
            row["n_imported"],
            row["n_too_fast"],
            row["n_in_cluster"],
            row["n_flagged"],
            earlier_after.get(submission_id, 0) - earlier_before.get(submission_id, 0),
        )
        report.communities.append(line)
        log(
            submission,
            Action.RECORD_SURVEY,
            submission.status,
            actor=actor,
            ip=ip,
            comment=file_name,
            details={
                "imported": line.imported,
                "too_fast": line.too_fast,
                "in_cluster": line.in_cluster,
                "earlier_in_cluster": line.earlier_in_cluster,
                "sha256": digest,
            },
        )
    report.communities.sort(key=lambda c: c.code)
    return report


def _response(row: Questionnaire, source: SurveyImport, config: Any) -> SurveyResponse:
    too_fast = quality.is_too_fast(row.duration_seconds, config)
    return SurveyResponse(
        submission_id=row.submission_id,
        channel=row.channel,
        collector=row.collector,
        reference=row.reference,
        started_at=row.started_at,
        finished_at=row.finished_at,
        duration_seconds=row.duration_seconds,
        pattern=row.pattern,
        source=source,
        too_fast=too_fast,
        quality=quality.initial_quality(too_fast),
    )


def _earlier_clusters(submission_ids: list[int], survey_import: SurveyImport) -> dict[int, int]:
    rows = (
        SurveyResponse.objects.filter(submission_id__in=submission_ids, in_cluster=True)
        .exclude(source=survey_import)
        .values("submission_id")
        .annotate(n=Count("pk"))
    )
    return {row["submission_id"]: row["n"] for row in rows}


def _earlier_references(parsed: SurveySheet) -> list[Issue]:
    """Questionnaire numbers a community already has from an earlier file (checked under the
    communities' locks; the unique constraint backs it)."""
    wanted = {(row.submission_id, row.reference): row.row for row in parsed.rows}
    existing = (
        SurveyResponse.objects.filter(
            submission_id__in=list(parsed.submissions),
            reference__in={row.reference for row in parsed.rows},
        )
        .select_related("source")
        .order_by("pk")
    )
    problems = []
    for response in existing:
        row = wanted.get((response.submission_id, response.reference))
        if row is None:
            continue
        name = parsed.submissions[response.submission_id].community.name
        source = response.source.file_name if response.source else _("扫码自填")
        problems.append(
            Issue(
                row,
                REFERENCE,
                _("%(community)s的问卷编号“%(ref)s”已在此前导入的“%(file)s”中，不能重复导入。")
                % {"community": name, "ref": response.reference, "file": source},
            )
        )
    return sorted(problems, key=lambda issue: issue.row or 0)


def _refuse_if_imported(campaign: Campaign, digest: str) -> None:
    earlier = SurveyImport.objects.filter(campaign=campaign, sha256=digest).first()
    if earlier is not None:
        raise ActionRefused(
            _("这个文件已于%(time)s导入过（文件名“%(file)s”，%(n)d份问卷），不能重复导入。")
            % {
                "time": f"{timezone.localtime(earlier.imported_at):%Y-%m-%d %H:%M}",
                "file": earlier.file_name,
                "n": earlier.rows,
            }
        )


def _refuse_if_problems(problems: list[Issue], count: int | None = None) -> None:
    if problems:
        raise ActionRefused(
            _("文件中有%(n)d处问题，没有导入任何问卷。请更正后重新上传。")
            % {"n": count or len(problems)},
            [str(problem) for problem in problems],
        )
