"""Quality control: questionnaires answered implausibly fast, and clusters of identical answer
patterns from one collector, are flagged. A flag only asks the office to look; a questionnaire
is discarded when the office confirms (``Quality.EXCLUDED``)."""

from collections.abc import Iterable

from django.db.models import Case, Count, OuterRef, Subquery, Value, When

from campaign.survey.models import Quality, SurveyConfig, SurveyResponse


def is_too_fast(duration_seconds: int | None, config: SurveyConfig) -> bool:
    return duration_seconds is not None and duration_seconds < config.min_duration_seconds


def initial_quality(too_fast: bool) -> str:
    return Quality.FLAGGED if too_fast else Quality.CLEAN


def flag_clusters(submission_ids: Iterable[int], cluster_size: int) -> int:
    """Flag every questionnaire whose collector handed in at least ``cluster_size`` with the
    same answers for the same community; one UPDATE. Returns how many were newly flagged."""
    peers = (
        SurveyResponse.objects.filter(
            submission_id=OuterRef("submission_id"),
            collector=OuterRef("collector"),
            pattern=OuterRef("pattern"),
        )
        .order_by()
        .values("submission_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        SurveyResponse.objects.filter(submission_id__in=list(submission_ids), in_cluster=False)
        .exclude(collector="")
        .annotate(peers=Subquery(peers))
        .filter(peers__gte=cluster_size)
        .update(
            in_cluster=True,
            quality=Case(
                When(quality=Quality.CLEAN, then=Value(Quality.FLAGGED)),
                default="quality",
            ),
        )
    )
