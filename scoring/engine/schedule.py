"""Queue score recomputes after the change that needs them has committed, coalesced.

A burst of edits to one community queues one recompute: the first edit marks the community as
pending in the cache (an atomic add) and queues the task; later edits see the mark and queue
nothing. The task clears the mark once it holds the campaign's lock and before it reads, so an
edit committed after that queues the next recompute and no edit is ever left out. The mark
expires on its own in case a queued task is lost.
"""

from celery import shared_task
from django.core.cache import cache
from django.db import DatabaseError, transaction

from scoring.engine import recompute

PENDING_SECONDS = 300


def _pending_key(kind: str, pk: int) -> str:
    return f"scores:pending:{kind}:{pk}"


def clear_pending(kind: str, pk: int) -> None:
    cache.delete(_pending_key(kind, pk))


def enqueue_submission(submission_id: int) -> bool:
    """Queue a recompute of one submission unless one is already waiting; whether it queued."""
    if not cache.add(_pending_key("submission", submission_id), 1, PENDING_SECONDS):
        return False
    recompute_submission_scores.delay(submission_id)
    return True


def enqueue_campaign(campaign_id: int) -> bool:
    if not cache.add(_pending_key("campaign", campaign_id), 1, PENDING_SECONDS):
        return False
    recompute_campaign_scores.delay(campaign_id)
    return True


def scores_changed(submission_id: int) -> None:
    """Call inside the transaction that changed something a submission's scores read."""
    transaction.on_commit(lambda: enqueue_submission(submission_id))


def rules_changed(campaign_id: int) -> None:
    transaction.on_commit(lambda: enqueue_campaign(campaign_id))


# Run by the worker's ``recompute`` queue. A failed attempt (a deadlock, a lost connection) is
# rolled back whole, since the engine writes in one transaction, and retried after about 2, 4,
# 8… seconds.
@shared_task(
    name="scoring.recompute_submission_scores",
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_jitter=True,
    max_retries=5,
)
def recompute_submission_scores(submission_id: int) -> None:
    recompute.recompute_submission(
        submission_id, once_locked=lambda: clear_pending("submission", submission_id)
    )


@shared_task(
    name="scoring.recompute_campaign_scores",
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_jitter=True,
    max_retries=5,
)
def recompute_campaign_scores(campaign_id: int) -> None:
    recompute.recompute_campaign(
        campaign_id, once_locked=lambda: clear_pending("campaign", campaign_id)
    )
