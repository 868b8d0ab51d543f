"""The figures of the office's and the leading group's dashboard, each one grouped query: how
far each district's communities have got, how scores are distributed at each stage, how
satisfied each district's residents are, and the ranked candidates.

Only counts and community-level scores leave this module; no questionnaire and no person."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, IntegerField, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Floor, Least
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from campaign.pipeline.models import Campaign, Status, Submission
from campaign.pipeline.rates import interval_percent, percent, rate_percent
from campaign.survey.models import SurveyConfig, SurveyTally
from communities.models import District
from scoring.engine.models import ScoreSnapshot, ScoringRules, Stage

_S = Status


@dataclass(frozen=True)
class StageGroup:
    key: str
    label: Promise
    statuses: frozenset[Status]


# The pipeline in order, then the two ways out of it. Every status is in exactly one group.
STAGE_GROUPS = (
    StageGroup("drafting", _("填报中"), frozenset({_S.DRAFT})),
    StageGroup("district", _("区市审核"), frozenset({_S.SUBMITTED, _S.RECOMMENDED})),
    StageGroup("office", _("市办审核"), frozenset({_S.FORWARDED})),
    StageGroup("survey", _("满意度调查"), frozenset({_S.SURVEYING})),
    StageGroup("joint", _("联审"), frozenset({_S.JOINT_REVIEW})),
    StageGroup("decision", _("领导小组研究"), frozenset({_S.AWAITING_DECISION})),
    # Approved by the leading group and waiting for the notice to open counts as in the notice.
    StageGroup("notice", _("公示"), frozenset({_S.APPROVED, _S.IN_NOTICE})),
    StageGroup("named", _("已命名"), frozenset({_S.NAMED, _S.RECOMMENDED_UPWARD})),
    StageGroup("returned", _("退回修改"), frozenset({_S.RETURNED, _S.REVISING})),
    StageGroup("out", _("未通过"), frozenset({_S.REJECTED, _S.NOT_APPROVED, _S.REMOVED})),
)


@dataclass
class ProgressRow:
    district: str
    counts: list[int]  # one per STAGE_GROUPS entry

    @property
    def total(self) -> int:
        return sum(self.counts)


def _stage_group() -> Case:
    return Case(
        *[When(status__in=list(group.statuses), then=Value(group.key)) for group in STAGE_GROUPS],
        output_field=CharField(),
    )


def progress(campaign: Campaign) -> list[ProgressRow]:
    """Submissions per district × stage group, for every district (zeros included).

    Counts only: the office sees how far the districts have got without reading their drafts."""
    counts: dict[tuple[int, str], int] = {
        (row["district_id"], row["group"]): row["n"]
        for row in Submission.objects.filter(campaign=campaign)
        .annotate(group=_stage_group())
        .order_by()
        .values("district_id", "group")
        .annotate(n=Count("pk"))
    }
    return [
        ProgressRow(
            district=district.short_name,
            counts=[counts.get((district.pk, group.key), 0) for group in STAGE_GROUPS],
        )
        for district in District.objects.order_by("display_order", "code")
    ]


def progress_totals(rows: list[ProgressRow]) -> list[int]:
    return [sum(column) for column in zip(*(row.counts for row in rows), strict=True)] or [
        0 for _group in STAGE_GROUPS
    ]


BIN_WIDTH = 5
BINS = 100 // BIN_WIDTH  # 0-5, 5-10, …, 95-100 (the last bin holds 100 itself)


@dataclass
class Histogram:
    stage: Stage
    counts: list[int]  # one per bin

    @property
    def label(self) -> str:
        return str(self.stage.label)

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def bins(self) -> list[tuple[int, int, int]]:
        """(lower bound, upper bound, count) per bin."""
        return [(n * BIN_WIDTH, (n + 1) * BIN_WIDTH, count) for n, count in enumerate(self.counts)]


def histograms(campaign: Campaign) -> list[Histogram]:
    """The distribution of totals at each stage, binned by the database."""
    binned = Least(
        Cast(Floor(F("total") / BIN_WIDTH), IntegerField()),
        Value(BINS - 1),
        output_field=IntegerField(),
    )
    counts = {stage: [0] * BINS for stage in Stage}
    for row in (
        ScoreSnapshot.objects.filter(campaign=campaign)
        .annotate(bin=binned)
        .order_by()
        .values("stage", "bin")
        .annotate(n=Count("pk"))
    ):
        counts[Stage(row["stage"])][max(0, int(row["bin"]))] += row["n"]
    return [Histogram(stage, counts[stage]) for stage in Stage]


@dataclass
class DistrictSatisfaction:
    district: str
    communities: int
    satisfied: int
    valid: int

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.satisfied, self.valid)

    @property
    def interval(self) -> tuple[Decimal, Decimal] | None:
        return interval_percent(self.satisfied, self.valid)


def satisfaction_by_district(campaign: Campaign) -> list[DistrictSatisfaction]:
    """Each district's questionnaires pooled from its communities' frozen survey results.

    The frozen tallies are what the ranking and the scores read, so the dashboard shows the
    same numbers; a community still being surveyed is not counted until its survey ends. The
    Wilson interval treats the pooled questionnaires as one sample: households cluster by
    community, so the true uncertainty is somewhat wider."""
    rows = (
        SurveyTally.objects.filter(submission__campaign=campaign)
        .order_by()
        .values(
            "submission__district__short_name",
            "submission__district__display_order",
            "submission__district__code",
        )
        .annotate(communities=Count("pk"), satisfied=Sum("satisfied"), valid=Sum("valid"))
        .order_by("submission__district__display_order", "submission__district__code")
    )
    return [
        DistrictSatisfaction(
            district=row["submission__district__short_name"],
            communities=row["communities"],
            satisfied=row["satisfied"] or 0,
            valid=row["valid"] or 0,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ReferenceLine:
    label: str
    percent: Decimal


def satisfaction_lines(campaign: Campaign) -> list[ReferenceLine]:
    """The survey's pass line and the shortlist's minimum rate, where set (``campaign`` with its
    standard loaded: without survey settings yet, the standard's pass rate applies)."""
    configs = list(SurveyConfig.objects.filter(campaign=campaign).values_list("pass_rate"))
    pass_rate = configs[0][0] if configs else campaign.standard.satisfaction_pass_rate
    minimum = (
        ScoringRules.objects.filter(campaign=campaign)
        .order_by("-version")
        .values_list("min_satisfaction", flat=True)
        .first()
    )
    lines = []
    if pass_rate is not None:
        lines.append(ReferenceLine(str(_("合格线")), percent(pass_rate)))
    if minimum is not None and minimum != pass_rate:
        lines.append(ReferenceLine(str(_("入围最低满意率")), percent(minimum)))
    return lines


def ranked_snapshots(campaign: Campaign) -> QuerySet[ScoreSnapshot]:
    """The joint-review stage's snapshots in city rank order, with what a table row shows."""
    return (
        ScoreSnapshot.objects.filter(campaign=campaign, stage=Stage.JOINT)
        .select_related("submission__community", "district")
        .order_by(F("city_rank").asc(nulls_last=True), "submission__community__code")
    )


@dataclass
class RankedRow:
    snapshot: ScoreSnapshot

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.snapshot.satisfied or 0, self.snapshot.valid or 0)

    @property
    def interval(self) -> tuple[Decimal, Decimal] | None:
        return interval_percent(self.snapshot.satisfied or 0, self.snapshot.valid or 0)
