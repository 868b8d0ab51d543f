"""The survey's figures, aggregated in the database: per community or per district, the counts
per question × option, valid and discarded questionnaires, the satisfaction rate with its 95 %
Wilson interval, and the points the rate earns for 群众满意.

The rate is counted per questionnaire (按份数计算) from the overall question: satisfied are the
questionnaires whose overall answer ``counts_as_satisfied``, valid those whose overall answer
``counts_as_valid``. Questionnaires the office excluded after a quality flag count nowhere.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Cast, Substr
from django.db.models.lookups import In

from campaign.pipeline.models import Campaign
from campaign.pipeline.rates import interval_percent, percent, rate_percent
from campaign.survey.defaults import config_for
from campaign.survey.models import (
    Quality,
    SurveyConfig,
    SurveyOption,
    SurveyPointTier,
    SurveyQuestion,
    SurveyResponse,
)


def rate_expression(satisfied: str, valid: str) -> Case:
    """The rate as a SQL expression over two count columns (NULL without valid
    questionnaires): the ranking orders by it in the database."""
    return Case(
        When(
            **{f"{valid}__gt": 0},
            then=ExpressionWrapper(
                Cast(F(satisfied), FloatField()) / Cast(F(valid), FloatField()),
                output_field=FloatField(),
            ),
        ),
        default=None,
        output_field=FloatField(),
    )


def points_for(satisfied: int, valid: int, tiers: list[SurveyPointTier]) -> Decimal:
    """The highest tier the rate reaches, compared exactly (satisfied ≥ min_rate × valid) so
    88.0 % is never read as 87.99999 %."""
    earned = Decimal(0)
    if valid <= 0:
        return earned
    for tier in tiers:
        if Decimal(satisfied) >= tier.min_rate * valid:
            earned = max(earned, tier.points)
    return earned


@dataclass
class Figures:
    """The survey's figures for one community or one district."""

    key: int
    received: int = 0
    excluded_too_fast: int = 0
    excluded_cluster: int = 0
    flagged: int = 0
    valid: int = 0
    satisfied: int = 0
    counts: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def excluded(self) -> int:
        return self.excluded_too_fast + self.excluded_cluster

    @property
    def not_counted(self) -> int:
        """Kept questionnaires whose overall answer counts as neither (e.g. 不了解)."""
        return self.received - self.excluded - self.valid

    @property
    def discarded(self) -> int:
        return self.excluded + self.not_counted

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.satisfied, self.valid)

    @property
    def interval(self) -> tuple[Decimal, Decimal] | None:
        return interval_percent(self.satisfied, self.valid)


@dataclass
class SurveyScheme:
    """A campaign's questionnaire and scoring rules, read once."""

    config: SurveyConfig
    questions: list[SurveyQuestion]
    options: list[SurveyOption]
    tiers: list[SurveyPointTier]

    @property
    def pass_percent(self) -> Decimal | None:
        rate = self.config.pass_rate
        return None if rate is None else percent(rate)

    @property
    def tier_percents(self) -> list[tuple[Decimal, Decimal]]:
        return [(percent(t.min_rate), t.points) for t in self.tiers]

    def points(self, figures: Figures) -> Decimal:
        return points_for(figures.satisfied, figures.valid, self.tiers)

    def passes(self, figures: Figures) -> bool | None:
        rate = self.config.pass_rate
        if rate is None or not figures.valid:
            return None
        return Decimal(figures.satisfied) >= rate * figures.valid

    def below_sample(self, figures: Figures) -> bool:
        return figures.valid < self.config.sample_size

    def table(self, figures: Figures) -> list[tuple[SurveyQuestion, list[int]]]:
        """Counts per question (rows) × option (columns), in display order."""
        return [
            (q, [figures.counts.get((q.position, o.position), 0) for o in self.options])
            for q in self.questions
        ]


def scheme_for(campaign: Campaign) -> SurveyScheme:
    config = config_for(campaign)
    return SurveyScheme(
        config=config,
        questions=list(SurveyQuestion.objects.filter(campaign=campaign)),
        options=list(SurveyOption.objects.filter(campaign=campaign)),
        tiers=list(SurveyPointTier.objects.filter(campaign=campaign)),
    )


BY_COMMUNITY = "submission_id"
BY_DISTRICT = "submission__district_id"
BY_CAMPAIGN = "submission__campaign_id"


def _answered(question: SurveyQuestion, options: list[SurveyOption]) -> Q:
    """The questionnaire chose one of ``options`` for ``question``: a test on one character of
    the stored answers, evaluated in the database."""
    chosen = Substr("pattern", question.position, 1)
    return Q(In(chosen, [str(o.position) for o in options]))


def figures(
    scheme: SurveyScheme,
    responses: QuerySet[SurveyResponse],
    key: str = BY_COMMUNITY,
    *,
    with_counts: bool = True,
) -> dict[int, Figures]:
    """The figures of ``responses`` grouped by ``key`` (BY_COMMUNITY, BY_DISTRICT or
    BY_CAMPAIGN), in one grouped query; ``with_counts`` adds a count per question × option."""
    excluded = Q(quality=Quality.EXCLUDED)
    kept = ~excluded
    overall = next((q for q in scheme.questions if q.is_overall), None)
    valid = [o for o in scheme.options if o.counts_as_valid]
    satisfied = [o for o in scheme.options if o.counts_as_satisfied]
    counts: dict[str, Any] = {}
    if overall is not None:
        counts["valid"] = Count("pk", filter=kept & _answered(overall, valid))
        counts["satisfied"] = Count("pk", filter=kept & _answered(overall, satisfied))
    if with_counts:
        for q in scheme.questions:
            for o in scheme.options:
                counts[f"n_{q.position}_{o.position}"] = Count(
                    "pk", filter=kept & _answered(q, [o])
                )
    result: dict[int, Figures] = {}
    for row in (
        responses.order_by()
        .values(key)
        .annotate(
            received=Count("pk"),
            excluded_too_fast=Count("pk", filter=excluded & Q(too_fast=True)),
            excluded_cluster=Count("pk", filter=excluded & Q(too_fast=False)),
            flagged=Count("pk", filter=Q(quality=Quality.FLAGGED)),
            **counts,
        )
    ):
        result[row[key]] = Figures(
            key=row[key],
            received=row["received"],
            excluded_too_fast=row["excluded_too_fast"],
            excluded_cluster=row["excluded_cluster"],
            flagged=row["flagged"],
            valid=row.get("valid", 0),
            satisfied=row.get("satisfied", 0),
            counts={
                (q.position, o.position): row[f"n_{q.position}_{o.position}"]
                for q in scheme.questions
                for o in scheme.options
                if with_counts
            },
        )
    return result


def campaign_responses(campaign: Campaign, **filters: Any) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(submission__campaign=campaign, **filters)
