"""Export jobs: requested in the browser, written by a Celery worker, downloaded by the person
who asked while the file is fresh.

A job goes QUEUED → RUNNING → DONE → EXPIRED, or ends FAILED. The worker writes the workbook to
``<id>-<random>.xlsx.part`` in the private export directory and renames it into place only when
it is complete; the job becomes DONE only after the rename, so a half-written file is never
offered. While it writes, every progress report is also a heartbeat. A RUNNING job whose
heartbeat is older than ``EXPORT_STALE_SECONDS`` lost its worker (killed, out of memory, machine
gone): whoever looks next (a page, the status poll, the next task) marks it FAILED and removes
its files; the requester can then ask again (a new job; the failed one stays as history). So
does a QUEUED job no worker took up within ``EXPORT_QUEUE_TIMEOUT_MINUTES`` (message lost). A
writer that raises is retried by Celery a few times and marked FAILED on the last attempt.
DONE files are deleted ``EXPORT_EXPIRY_HOURS`` after they were written, by the same clean-up.
"""

import datetime
import logging
import secrets
from pathlib import Path
from time import monotonic
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.kernel import audit_log
from campaign.kernel.roles import scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.models import Campaign
from scoring.exports.models import ExportJob, ExportState
from scoring.exports.registry import EXPORTERS, Exporter, write_workbook

logger = logging.getLogger(__name__)

# Progress is written at most this often, and a heartbeat at least this often while rows flow.
PROGRESS_INTERVAL_SECONDS = 0.5
HEARTBEAT_SECONDS = 1.0


class JobAbandoned(Exception):
    """The job is no longer this worker's (marked FAILED as stale meanwhile): stop writing."""


# -- who may export what ------------------------------------------------------------------


def may_export(user: Any, kind: str) -> bool:
    exporter = EXPORTERS.get(kind)
    scope = scope_of(user)
    return exporter is not None and all(scope.can(c) for c in exporter.capabilities)


def require_export_right(user: Any, kind: str) -> Exporter:
    """The exporter of ``kind`` if the user's role may use it; PermissionDenied otherwise (the
    city-wide audit log additionally needs the right to read the audit log)."""
    exporter = EXPORTERS[kind]
    scope = scope_of(user)
    for capability in exporter.capabilities:
        scope.require(capability)
    return exporter


# -- requesting and downloading (the user's actions, audited) -----------------------------


def do_request_export(
    campaign: Campaign, kind: str, *, actor: Actor, ip: str | None = None
) -> ExportJob:
    """A new job, queued for the worker once the request commits; or the user's job of the
    same kind still waiting or running (a second click does not queue the work twice)."""
    require_export_right(actor, kind)
    settle_jobs()
    params: dict[str, Any] = {}
    if kind == "audit_log":
        params["until"] = timezone.now().isoformat()
    with transaction.atomic(durable=True):
        unfinished = ExportJob.objects.filter(
            campaign=campaign,
            kind=kind,
            requested_by=actor,
            state__in=(ExportState.QUEUED, ExportState.RUNNING),
        ).first()
        if unfinished is not None:
            return unfinished
        job = ExportJob.objects.create(
            campaign=campaign, kind=kind, params=params, requested_by=actor
        )
        audit_log.record(
            "export.request",
            actor=actor,
            target=job,
            to_state=job.state,
            details={"kind": kind, "year": campaign.year, "params": params},
            ip=ip,
        )
        transaction.on_commit(lambda: export_workbook.delay(job.pk))
    return job


def do_record_download(job: ExportJob, *, actor: Actor, ip: str | None = None) -> None:
    with transaction.atomic(durable=True):
        audit_log.record(
            "export.download",
            actor=actor,
            target=job,
            comment=job.file_name,
            details={"kind": job.kind, "size": job.size},
            ip=ip,
        )


def downloadable_file(job: ExportJob) -> Path | None:
    """The job's file while it may be downloaded: DONE, not expired, still on disk."""
    if job.state != ExportState.DONE or not job.stored_name:
        return None
    if job.expires_at is None or job.expires_at <= timezone.now():
        return None
    path = settings.EXPORT_DIR / Path(job.stored_name).name
    return path if path.is_file() else None


# -- clean-up: stale jobs fail, old files expire --------------------------------------------


def _remove_job_files(job_id: int) -> None:
    for path in settings.EXPORT_DIR.glob(f"{job_id}-*"):
        path.unlink(missing_ok=True)


def settle_jobs() -> None:
    """Fail RUNNING jobs without a recent heartbeat and QUEUED jobs no worker took up in time,
    and expire DONE jobs past their time, deleting their files. One query when there is
    nothing to do."""
    now = timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.EXPORT_STALE_SECONDS)
    waited_before = now - datetime.timedelta(minutes=settings.EXPORT_QUEUE_TIMEOUT_MINUTES)
    lost: dict[str, Q] = {
        ExportState.RUNNING: Q(state=ExportState.RUNNING, heartbeat_at__lt=stale_before),
        # A job put back in the queue for a retry counts from its last attempt's heartbeat.
        ExportState.QUEUED: Q(state=ExportState.QUEUED, last_sign__lt=waited_before),
    }
    jobs = ExportJob.objects.alias(last_sign=Coalesce("heartbeat_at", "requested_at"))
    found = jobs.filter(
        lost[ExportState.RUNNING]
        | lost[ExportState.QUEUED]
        | Q(state=ExportState.DONE, expires_at__lte=now)
    ).values_list("pk", "state")
    for pk, state in list(found):
        if state == ExportState.DONE:
            changed = jobs.filter(pk=pk, state=state).update(
                state=ExportState.EXPIRED, stored_name=""
            )
        else:
            changed = jobs.filter(lost[state], pk=pk).update(
                state=ExportState.FAILED, finished_at=now, error=_lost_reason(state)
            )
        if changed:
            _remove_job_files(pk)


def _lost_reason(state: str) -> str:
    if state == ExportState.RUNNING:
        return _(
            "生成过程中断：后台任务超过%(n)d秒没有响应（可能已被终止）。"
            "未生成完整的文件，请点击“重新生成”。"
        ) % {"n": settings.EXPORT_STALE_SECONDS}
    return _(
        "排队超过%(n)d分钟仍未开始生成（后台任务可能没有运行）。"
        "请点击“重新生成”；如仍不开始，请联系系统管理员。"
    ) % {"n": settings.EXPORT_QUEUE_TIMEOUT_MINUTES}


# -- the worker's side ----------------------------------------------------------------------


class Heartbeat:
    """The progress callback of a running job: writes the percentage and the heartbeat."""

    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self.percent = 0
        self.written_at = monotonic()

    def __call__(self, done: int, total: int) -> None:
        percent = min(99, done * 100 // total) if total else 0
        since = monotonic() - self.written_at
        if since < HEARTBEAT_SECONDS and (
            percent == self.percent or since < PROGRESS_INTERVAL_SECONDS
        ):
            return
        still_ours = ExportJob.objects.filter(
            pk=self.job.pk, state=ExportState.RUNNING, attempts=self.job.attempts
        ).update(progress=percent, heartbeat_at=timezone.now())
        if not still_ours:
            raise JobAbandoned
        self.percent, self.written_at = percent, monotonic()


def _claim(job_id: int) -> ExportJob | None:
    """The job, now RUNNING under this attempt, if it was waiting for a worker."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != ExportState.QUEUED:
            return None
        now = timezone.now()
        job.state = ExportState.RUNNING
        job.attempts += 1
        job.progress = 0
        job.started_at = job.heartbeat_at = now
        job.save(update_fields=["state", "attempts", "progress", "started_at", "heartbeat_at"])
    return job


def _ours(job: ExportJob) -> Any:
    return ExportJob.objects.filter(pk=job.pk, state=ExportState.RUNNING, attempts=job.attempts)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return _("无法写入导出文件（%(error)s）") % {"error": exc.strerror or exc}
    if isinstance(exc, DatabaseError):
        return _("读取数据时数据库出错")
    return _("程序错误（%(type)s）") % {"type": type(exc).__name__}


def run_export(job_id: int, *, final_attempt: bool = True) -> ExportState | None:
    """Write the job's workbook; the state it ended in, or None if it was not this call's to
    run (already running elsewhere, finished, failed as stale, gone). A failure on an attempt
    that is not the last puts the job back in the queue and re-raises, for Celery to retry."""
    settle_jobs()
    job = _claim(job_id)
    if job is None:
        return None
    exporter = EXPORTERS[job.kind]
    campaign = Campaign.objects.select_related("standard").get(pk=job.campaign_id)
    path = settings.EXPORT_DIR / f"{job.pk}-{secrets.token_hex(8)}.xlsx"
    heartbeat = Heartbeat(job)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(job.kind, campaign, path, heartbeat, job.params)
    except JobAbandoned:
        return None
    except Exception as exc:
        logger.exception("export job %s failed (attempt %s)", job.pk, job.attempts)
        if final_attempt:
            _ours(job).update(
                state=ExportState.FAILED,
                finished_at=timezone.now(),
                error=_(
                    "生成失败（已尝试%(n)d次）：%(reason)s。请点击“重新生成”；如仍失败，请联系系统管理员。"
                )
                % {"n": job.attempts, "reason": _reason(exc)},
            )
            return ExportState.FAILED
        requeued = _ours(job).update(
            state=ExportState.QUEUED, progress=0, heartbeat_at=timezone.now(), error=_reason(exc)
        )
        if requeued:
            raise
        return None
    now = timezone.now()
    done = _ours(job).update(
        state=ExportState.DONE,
        progress=100,
        heartbeat_at=now,
        finished_at=now,
        error="",
        file_name=exporter.file_name(campaign, now),
        stored_name=path.name,
        size=path.stat().st_size,
        expires_at=now + datetime.timedelta(hours=settings.EXPORT_EXPIRY_HOURS),
    )
    if not done:
        path.unlink(missing_ok=True)
        return None
    return ExportState.DONE


# The worker's ``exports`` queue (the ``*.export_*`` route in settings), so a long export never
# delays a recompute. Idempotent: a job is claimed only while QUEUED, so a redelivered message
# for a job that is running, done or failed does nothing (a stale RUNNING one is marked FAILED
# first). A failed attempt puts the job back in the queue and Celery retries it; the last
# attempt marks it FAILED.
EXPORT_MAX_RETRIES = 2


@shared_task(
    name="scoring.export_workbook",
    bind=True,
    autoretry_for=(Exception,),
    max_retries=EXPORT_MAX_RETRIES,
    retry_backoff=5,
    retry_jitter=False,
)
def export_workbook(self: Any, job_id: int) -> None:
    if self.request.is_eager:
        # Run in-process (no broker: `make run`, the tests): the attempts follow each other
        # here, as a retry through the broker would raise into the request that queued it.
        for _attempt in range(EXPORT_MAX_RETRIES):
            try:
                run_export(job_id, final_attempt=False)
            except Exception:  # logged by run_export, and the job queued again
                continue
            return
        run_export(job_id, final_attempt=True)
        return
    run_export(job_id, final_attempt=self.request.retries >= EXPORT_MAX_RETRIES)
