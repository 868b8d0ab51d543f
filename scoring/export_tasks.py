"""Export jobs (see scoring.export_actions) on the worker's ``exports`` queue: the name
matches the ``*.export_*`` route in settings, so a long export never delays a recompute.

Idempotent: a job is claimed only while QUEUED, so a redelivered message for a job that is
running, done or failed does nothing (a stale RUNNING one is marked FAILED first). A failed
attempt puts the job back in the queue and Celery retries it; the last attempt marks it FAILED.
"""

from typing import Any

from celery import shared_task

from scoring.export_actions import run_export

__all__ = ["export_workbook"]

EXPORT_MAX_RETRIES = 2


@shared_task(
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
