from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("评分")

    def ready(self) -> None:
        # The campaign sits below scoring and never imports it: it sends a signal when a
        # submission's scores may have changed, and provides a port for the scores it shows.
        from campaign.pipeline import standings
        from campaign.pipeline.signals import submission_scores_changed
        from scoring.engine.schedule import scores_changed
        from scoring.engine.standings import SnapshotStandings

        def recompute_after_commit(submission_id: int, **_kwargs: Any) -> None:
            scores_changed(submission_id)

        submission_scores_changed.connect(
            recompute_after_commit, dispatch_uid="scoring.recompute_after_commit", weak=False
        )
        standings.provide(SnapshotStandings())
