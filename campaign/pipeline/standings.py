"""The computed scores a stage's page shows beside its own data, read through a port.

The scoring app sits above the campaign: its engine reads the rows every stage writes, so the
campaign never imports it. Where a stage shows computed scores (the leading group's ranked
table), it asks ``standings()``, which the scoring app provides when Django starts
(``scoring/apps.py``): one implementation, one place where the two meet.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from campaign.pipeline.models import Campaign, Submission


class Standings(Protocol):
    def with_joint_scores(self, submissions: QuerySet[Submission]) -> QuerySet[Submission]:
        """``submissions`` annotated from their score after the joint review: ``total``,
        ``satisfied`` and ``sample`` (the survey's counts) and ``city_rank``; None where not
        computed yet."""
        ...

    def joint_category_subtotals(
        self, campaign: Campaign, category_ids: Sequence[int], submission_ids: Sequence[int]
    ) -> dict[int, tuple[Decimal, ...]]:
        """Each submission's subtotal per category after the joint review, in the order of
        ``category_ids``; a submission without any score has no entry."""
        ...


_provided: Standings | None = None


def provide(source: Standings) -> None:
    global _provided
    _provided = source


def standings() -> Standings:
    if _provided is None:
        raise ImproperlyConfigured("No scores to show: the scoring app is not installed.")
    return _provided
