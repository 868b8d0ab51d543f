"""The survey's figures, aggregated in the database: per community or per district, the counts
per question × option, valid and discarded questionnaires, the satisfaction rate with its 95 %
Wilson interval, and the points the rate earns for 群众满意.

The rate is counted per questionnaire (按份数计算) from the overall question: satisfied are the
questionnaires whose overall answer ``counts_as_satisfied``, valid those whose overall answer
``counts_as_valid``. Questionnaires the office excluded after a quality flag count nowhere.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
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
from django.utils.translation import gettext as _

from campaign.pipeline.models import Campaign
from campaign.pipeline.rates import interval_percent, percent, rate_percent
from campaign.survey.defaults import config_for
from campaign.survey.models import (
    AWARENESS_OPTIONS,
    AWARENESS_YES,
    Quality,
    QuestionKind,
    SurveyConfig,
    SurveyOption,
    SurveyPointTier,
    SurveyQuestion,
    SurveyResponse,
)
from standards.models import Item

ONE_DECIMAL = Decimal("0.1")


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
    # Per awareness question (by position): the valid questionnaires that answered 是.
    yes: dict[int, int] = field(default_factory=dict)

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

    @property
    def satisfaction_questions(self) -> list[SurveyQuestion]:
        return [q for q in self.questions if q.kind != QuestionKind.AWARENESS]

    @property
    def awareness_questions(self) -> list[SurveyQuestion]:
        return [q for q in self.questions if q.kind == QuestionKind.AWARENESS]

    @property
    def awareness_labels(self) -> tuple[str, ...]:
        return tuple(str(label) for label in AWARENESS_OPTIONS)

    def table(self, figures: Figures) -> list[tuple[SurveyQuestion, list[int]]]:
        """Counts per satisfaction question (rows) × option (columns), in display order."""
        return [
            (q, [figures.counts.get((q.position, o.position), 0) for o in self.options])
            for q in self.satisfaction_questions
        ]

    def awareness_table(self, figures: Figures) -> list[tuple[SurveyQuestion, list[int], int]]:
        """Per awareness question: the counts of 是/否 (all kept questionnaires) and the 是
        among the valid ones, which the item's points are worked out from."""
        return [
            (
                q,
                [figures.counts.get((q.position, n), 0) for n in self.answers(q)],
                figures.yes.get(q.position, 0),
            )
            for q in self.awareness_questions
        ]

    def item_points(self, figures: Figures) -> list["ItemPoints"]:
        """The points of each item the awareness questions score, with their basis."""
        by_item: dict[Item, list[SurveyQuestion]] = {}
        for q in self.awareness_questions:
            if q.item is not None:
                by_item.setdefault(q.item, []).append(q)
        return [awareness_points(item, questions, figures) for item, questions in by_item.items()]

    def answers(self, question: SurveyQuestion) -> list[int]:
        """The answers' positions ``question`` takes: 是/否 or the campaign's options."""
        if question.kind == QuestionKind.AWARENESS:
            return list(range(1, len(AWARENESS_OPTIONS) + 1))
        return [o.position for o in self.options]


@dataclass(frozen=True)
class ItemPoints:
    item: Item
    points: Decimal
    basis: str


def _plain(number: Decimal) -> str:
    """80.0 → "80", 1.50 → "1.5": no exponent, no trailing zeros."""
    return format(number.normalize(), "f")


def awareness_points(item: Item, questions: list[SurveyQuestion], figures: Figures) -> ItemPoints:
    """Item 6.2's rule: each question earns its points × min(1, share ÷ target), share = 是 ÷
    valid questionnaires; the sum rounded half up to 0.1 and capped at the item's points.
    Exact fractions, so 12/30 against 60 % is 2/3 of a point, not 0.6666."""
    total = Fraction(0)
    parts = []
    for q in questions:
        yes = figures.yes.get(q.position, 0)
        target, points = Fraction(q.target_rate or 1), Fraction(q.points or 0)
        share = Fraction(yes, figures.valid) if figures.valid else Fraction(0)
        earned = points * min(Fraction(1), share / target)
        total += earned
        parts.append(
            _(
                "第%(n)d题答“是”%(yes)d份/有效%(valid)d份（%(share)s%%，目标%(target)s%%，%(points)s分）"
            )
            % {
                "n": q.position,
                "yes": yes,
                "valid": figures.valid,
                "share": percent(float(share)),
                "target": _plain(percent(q.target_rate or 0)),
                "points": _plain(q.points or Decimal(0)),
            }
        )
    rounded = (Decimal(total.numerator) / Decimal(total.denominator)).quantize(
        ONE_DECIMAL, ROUND_HALF_UP
    )
    earned_points = min(rounded, item.max_points)
    basis = _("%(parts)s；未达目标的按实际比例与目标比例之比折算，合计%(points)s分。") % {
        "parts": "；".join(parts),
        "points": _plain(earned_points),
    }
    return ItemPoints(item, earned_points, basis)


def scheme_for(campaign: Campaign) -> SurveyScheme:
    config = config_for(campaign)
    return SurveyScheme(
        config=config,
        questions=list(SurveyQuestion.objects.filter(campaign=campaign).select_related("item")),
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


def _chose(question: SurveyQuestion, answer: int) -> Q:
    return Q(In(Substr("pattern", question.position, 1), [str(answer)]))


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
        for q in scheme.awareness_questions:
            counts[f"yes_{q.position}"] = Count(
                "pk", filter=kept & _answered(overall, valid) & _chose(q, AWARENESS_YES)
            )
    if with_counts:
        for q in scheme.questions:
            for n in scheme.answers(q):
                counts[f"n_{q.position}_{n}"] = Count("pk", filter=kept & _chose(q, n))
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
                (q.position, n): row[f"n_{q.position}_{n}"]
                for q in scheme.questions
                for n in scheme.answers(q)
                if with_counts
            },
            yes={
                q.position: row[f"yes_{q.position}"]
                for q in scheme.awareness_questions
                if overall is not None
            },
        )
    return result


def campaign_responses(campaign: Campaign, **filters: Any) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(submission__campaign=campaign, **filters)
