"""What the pipeline tells the apps above it, so that it never imports them.

``submission_scores_changed`` is sent inside the transaction that changed something a
submission's scores are computed from (a self-score, an audited score, a unit's opinion or veto,
the survey's result, a state). The scoring app receives it and queues a recompute once that
transaction commits (``scoring/apps.py``)."""

from django.dispatch import Signal

submission_scores_changed = Signal()


def scores_changed(submission_id: int) -> None:
    """Call inside the transaction that changed what the submission's scores read."""
    submission_scores_changed.send(sender=None, submission_id=submission_id)
