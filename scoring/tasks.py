"""Score recomputes run by the worker's ``recompute`` queue. A failed attempt is rolled back
whole (the engine writes in one transaction) and retried."""

from celery import shared_task
from django.db import DatabaseError

from scoring import engine
from scoring.export_tasks import *  # noqa: F403 - the export tasks, found by Celery's autodiscovery
from scoring.schedule import clear_pending


# A failed attempt (a deadlock, a lost connection) is retried after about 2, 4, 8… seconds.
@shared_task(autoretry_for=(DatabaseError,), retry_backoff=2, retry_jitter=True, max_retries=5)
def recompute_submission_scores(submission_id: int) -> None:
    engine.recompute_submission(
        submission_id, once_locked=lambda: clear_pending("submission", submission_id)
    )


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=2, retry_jitter=True, max_retries=5)
def recompute_campaign_scores(campaign_id: int) -> None:
    engine.recompute_campaign(
        campaign_id, once_locked=lambda: clear_pending("campaign", campaign_id)
    )
