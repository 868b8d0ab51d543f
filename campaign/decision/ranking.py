"""The leading group's ranked table of candidates, read from the score snapshots.

The scores, ranks and their order are the joint-review stage snapshots of the scoring engine
(which documents the rule and the tie-break), read through ``campaign.pipeline.standings``;
this module adds what the table shows beside them: the vetoes' reasons and the count of
disagreeing opinions.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from campaign.pipeline.models import FROM_DECISION, Campaign, Submission, UnitOpinion, UnitVeto
from campaign.pipeline.rates import percent
from campaign.pipeline.standings import standings
from standards.models import Category, Item

# Awaiting the decision, or decided (and possibly gone on to the notice and naming).
RANKED_STATES = FROM_DECISION


def _count(model: type[UnitVeto] | type[UnitOpinion], **filters: object) -> Coalesce:
    rows = (
        model.objects.filter(submission_id=OuterRef("pk"), **filters)
        .values("submission_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), Value(0))


def ranked(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """The candidates among ``submissions`` (awaiting or decided), annotated from their
    joint-stage snapshot (total, survey counts, city rank) with veto and disagreement counts,
    in the snapshots' order; a candidate whose snapshot is not computed yet comes last."""
    return (
        standings()
        .with_joint_scores(submissions.filter(status__in=RANKED_STATES))
        .annotate(
            veto_count=_count(UnitVeto),
            disagreements=_count(UnitOpinion, agrees=False),
        )
        .order_by(F("city_rank").asc(nulls_last=True), "community__code")
        .select_related("community", "district", "decision_meeting", "survey_tally")
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
    total: Decimal | None
    satisfaction: float | None
    sample: int | None
    veto_count: int
    disagreements: int
    vetoes: list[VetoNote] = field(default_factory=list)
    satisfied: int | None = None
    sample_size: int | None = None
    # Ended below the sample size without the office accepting it, and the office's reason.
    short_sample: bool = False
    finish_reason: str = ""

    @property
    def satisfaction_percent(self) -> Decimal | None:
        if self.satisfaction is None:
            return None
        return percent(self.satisfaction)


def categories(campaign: Campaign) -> list[Category]:
    """The standard's categories; ``survey_scored`` marks one whose every item the survey
    scores (群众满意), so the table says so beside its subtotal."""
    items = Item.objects.filter(category=OuterRef("pk"))
    survey = Q(check_method=Item.CheckMethod.SURVEY)
    return list(
        Category.objects.filter(standard_id=campaign.standard_id)
        .annotate(survey_scored=Exists(items.filter(survey)) & ~Exists(items.exclude(survey)))
        .order_by("display_order")
    )


def rows_for(
    campaign: Campaign, page: list[Submission], start: int, cats: list[Category]
) -> list[RankedCandidate]:
    """Rows for an already ranked slice (one page) of ``ranked()``: category subtotals and the
    vetoes' units and reasons, one grouped query each. ``start`` is the first row's rank."""
    ids = [s.pk for s in page]
    cat_ids = [c.pk for c in cats]
    subtotals = standings().joint_category_subtotals(campaign, cat_ids, ids) if ids else {}
    nothing = tuple(Decimal(0) for _c in cats)
    notes: dict[int, list[VetoNote]] = {}
    vetoes = UnitVeto.objects.filter(submission_id__in=ids).select_related("unit")
    for veto in vetoes.order_by("unit__display_order"):
        notes.setdefault(veto.submission_id, []).append(VetoNote(veto.unit.name, veto.reason))
    return [
        RankedCandidate(
            rank=start + n,
            submission=s,
            subtotals=list(subtotals.get(s.pk, nothing)),
            total=s.total,  # type: ignore[attr-defined]
            satisfaction=s.satisfied / s.sample if s.sample else None,  # type: ignore[attr-defined]
            sample=s.sample,  # type: ignore[attr-defined]
            veto_count=s.veto_count,  # type: ignore[attr-defined]
            disagreements=s.disagreements,  # type: ignore[attr-defined]
            vetoes=notes.get(s.pk, []),
            satisfied=s.satisfied,  # type: ignore[attr-defined]
            sample_size=s.sample_size,  # type: ignore[attr-defined]
            short_sample=bool(s.short_sample),  # type: ignore[attr-defined]
            finish_reason=_finish_reason(s),
        )
        for n, s in enumerate(page)
    ]


def _finish_reason(submission: Submission) -> str:
    """Why the office ended the survey below its sample size ("" otherwise or without one)."""
    try:
        return submission.survey_tally.finish_reason
    except ObjectDoesNotExist:
        return ""


def ranking(campaign: Campaign, submissions: QuerySet[Submission]) -> list[RankedCandidate]:
    """The whole ranked table (for exports and tests; pages use ``ranked`` and ``rows_for``)."""
    return rows_for(campaign, list(ranked(submissions)), 1, categories(campaign))
