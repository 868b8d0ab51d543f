"""The leading group's ranked table of candidates, computed in the database.

An item's final score is the office's audited score of the current audit round plus the sum of
the member units' adjustments to it, kept within 0 and the item's points. A candidate's total
is the sum of its items' final scores; the six category subtotals are the same sums grouped by
category.

The order is deterministic: total (highest first), then the satisfaction rate (highest first,
candidates without a survey result last), then the community's 12-digit code (ascending), so
two equal candidates always appear in the same order and the same rank.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from standards.models import Category

from .models import FROM_DECISION, Campaign, ItemAudit, Submission, UnitOpinion, UnitVeto
from .survey.statistics import percent, rate_expression

# Awaiting the decision, or decided (and possibly gone on to the notice and naming).
RANKED_STATES = FROM_DECISION
SCORE: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=6, decimal_places=1)


def _final_scores(audits: QuerySet[ItemAudit]) -> QuerySet[ItemAudit]:
    """Each audit row of the current round with its final score (audit + adjustments,
    clamped)."""
    adjustments = (
        UnitOpinion.objects.filter(
            submission_id=OuterRef("submission_id"), item_id=OuterRef("item_id")
        )
        .values("submission_id", "item_id")
        .annotate(total=Sum("adjustment"))
        .values("total")
    )
    adjusted = ExpressionWrapper(
        F("audited_score") + Coalesce(Subquery(adjustments, output_field=SCORE), Value(Decimal(0))),
        output_field=SCORE,
    )
    return audits.filter(round=F("submission__audit_round")).annotate(
        final=Greatest(
            Value(Decimal(0), output_field=SCORE),
            Least(adjusted, F("item__max_points"), output_field=SCORE),
            output_field=SCORE,
        )
    )


def _count(model: type[UnitVeto] | type[UnitOpinion], **filters: object) -> Coalesce:
    rows = (
        model.objects.filter(submission_id=OuterRef("pk"), **filters)
        .values("submission_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), Value(0))


def ranked(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """The candidates among ``submissions`` (awaiting or decided), annotated with total,
    satisfaction rate, sample size, veto and disagreement counts, in the ranking order."""
    tally = F("survey_tally__valid")
    return (
        submissions.filter(status__in=RANKED_STATES)
        .annotate(
            total=Coalesce(
                Subquery(
                    _final_scores(ItemAudit.objects.filter(submission_id=OuterRef("pk")))
                    .values("submission_id")
                    .annotate(total=Sum("final"))
                    .values("total"),
                    output_field=SCORE,
                ),
                Value(Decimal(0)),
                output_field=SCORE,
            ),
            satisfaction=rate_expression("survey_tally__satisfied", "survey_tally__valid"),
            sample=tally,
            veto_count=_count(UnitVeto),
            disagreements=_count(UnitOpinion, agrees=False),
        )
        .order_by(
            F("total").desc(),
            F("satisfaction").desc(nulls_last=True),
            "community__code",
        )
        .select_related("community", "district", "decision_meeting")
    )


@dataclass
class VetoNote:
    unit: str
    reason: str


@dataclass
class RankedCandidate:
    rank: int
    submission: Submission
    subtotals: list[Decimal]
    total: Decimal
    satisfaction: float | None
    sample: int | None
    veto_count: int
    disagreements: int
    vetoes: list[VetoNote] = field(default_factory=list)

    @property
    def satisfaction_percent(self) -> Decimal | None:
        if self.satisfaction is None:
            return None
        return percent(self.satisfaction)


def categories(campaign: Campaign) -> list[Category]:
    return list(Category.objects.filter(standard_id=campaign.standard_id).order_by("display_order"))


def rows_for(page: list[Submission], start: int, cats: list[Category]) -> list[RankedCandidate]:
    """Rows for an already ranked slice (one page) of ``ranked()``: category subtotals and the
    vetoes' units and reasons, one grouped query each. ``start`` is the first row's rank."""
    ids = [s.pk for s in page]
    grouped = (
        _final_scores(ItemAudit.objects.filter(submission_id__in=ids))
        .values("submission_id", "item__category_id")
        .annotate(subtotal=Sum("final"))
    )
    subtotals: dict[tuple[int, int], Decimal] = {
        (g["submission_id"], g["item__category_id"]): g["subtotal"] for g in grouped
    }
    notes: dict[int, list[VetoNote]] = {}
    vetoes = UnitVeto.objects.filter(submission_id__in=ids).select_related("unit")
    for veto in vetoes.order_by("unit__display_order"):
        notes.setdefault(veto.submission_id, []).append(VetoNote(veto.unit.name, veto.reason))
    return [
        RankedCandidate(
            rank=start + n,
            submission=s,
            subtotals=[subtotals.get((s.pk, c.pk)) or Decimal(0) for c in cats],
            total=s.total,  # type: ignore[attr-defined]
            satisfaction=s.satisfaction,  # type: ignore[attr-defined]
            sample=s.sample,  # type: ignore[attr-defined]
            veto_count=s.veto_count,  # type: ignore[attr-defined]
            disagreements=s.disagreements,  # type: ignore[attr-defined]
            vetoes=notes.get(s.pk, []),
        )
        for n, s in enumerate(page)
    ]


def ranking(campaign: Campaign, submissions: QuerySet[Submission]) -> list[RankedCandidate]:
    """The whole ranked table (for exports and tests; pages use ``ranked`` and ``rows_for``)."""
    return rows_for(list(ranked(submissions)), 1, categories(campaign))
