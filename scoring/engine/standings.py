"""The campaign's port to the scores (``campaign.pipeline.standings``), answered from the
joint-review stage snapshots."""

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from campaign.pipeline.models import Campaign, Submission
from scoring.engine.models import ScoreSnapshot, Stage
from scoring.engine.scores import category_subtotals


class SnapshotStandings:
    def with_joint_scores(self, submissions: QuerySet[Submission]) -> QuerySet[Submission]:
        joint = ScoreSnapshot.objects.filter(submission_id=OuterRef("pk"), stage=Stage.JOINT)
        return submissions.annotate(
            total=Subquery(joint.values("total")),
            satisfied=Subquery(joint.values("satisfied")),
            sample=Subquery(joint.values("valid")),
            sample_size=Subquery(joint.values("sample_size")),
            short_sample=Subquery(joint.values("short_sample")),
            city_rank=Subquery(joint.values("city_rank")),
        )

    def joint_category_subtotals(
        self, campaign: Campaign, category_ids: Sequence[int], submission_ids: Sequence[int]
    ) -> dict[int, tuple[Decimal, ...]]:
        return category_subtotals(campaign, Stage.JOINT, category_ids, submission_ids)
