"""Reading a self-assessment: score rules, progress and what is still missing, counted in SQL."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from campaign.pipeline.figures import (
    auto_score,
    frozen_figures,
    indicator_results,
    score_for_status,
)
from campaign.pipeline.models import (
    DONE,
    Campaign,
    EvidenceFile,
    ItemAssessment,
    RegisterFigures,
    Submission,
)
from campaign.pipeline.workflow import TRANSITIONS, Action
from communities.indicators import IndicatorResult, results_for, with_hard_indicators
from communities.models import Community
from communities.sheets import normalize_number_text
from standards.models import Item, scored_by_people

MAX_EXPLANATION = 2000
MAX_COMMENT = 1000


class ScoreError(ValueError):
    """A self-score that cannot be accepted; the message says why, in Chinese."""


def parse_score(value: Any, max_points: Decimal) -> Decimal | None:
    """A self-score from a form field or a spreadsheet cell: blank is None, otherwise a number
    from 0 to the item's points in steps of 0.5."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ScoreError(_("应填写数字"))
    try:
        score = Decimal(normalize_number_text(str(value)).removesuffix("分"))  # i18n-data
    except InvalidOperation as exc:
        raise ScoreError(_("“%(value)s”不是数字") % {"value": value}) from exc
    if not score.is_finite():
        raise ScoreError(_("“%(value)s”不是数字") % {"value": value})
    if score < 0:
        raise ScoreError(_("得分不能为负数"))
    if score > max_points:
        raise ScoreError(
            _("得分%(score)s超过本项分值%(max)s分")
            % {"score": _plain(score), "max": _plain(max_points)}
        )
    if score * 2 % 1:
        raise ScoreError(_("得分最小单位为0.5分，“%(value)s”不符合") % {"value": value})
    return score.quantize(Decimal("0.1"))


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def resubmittable(status: str) -> bool:
    """Open to a (re)submission, which freezes the register's figures anew (a draft, or one
    returned by the district or the office): until then its auto-verified items follow the
    register as it is."""
    return any(t.source == status and t.action == Action.SUBMIT for t in TRANSITIONS)


def judging_figures(submission: Submission | None) -> RegisterFigures | None:
    """The figures the auto-verified items are scored on: the submission's frozen ones, or
    None (the register as it is now) while it is open to a (re)submission."""
    if submission is None or resubmittable(submission.status):
        return None
    return frozen_figures(submission)


def auto_scores(
    campaign: Campaign, community: Community, figures: RegisterFigures | None
) -> dict[int, tuple[Decimal, str]]:
    """Each auto-verified item's points and the reason in words, by item id, on ``figures``
    (see ``judging_figures``)."""
    auto = Item.objects.filter(
        standard_id=campaign.standard_id, check_method=Item.CheckMethod.AUTO
    ).exclude(hard_indicator="")
    if figures is not None:
        return {item.pk: auto_score(item, figures) for item in auto}
    current = with_hard_indicators(Community.objects.filter(pk=community.pk)).get()
    status = {str(r.indicator): r.status for r in results_for(current)}
    return {item.pk: score_for_status(item, status[item.hard_indicator]) for item in auto}


def item_problem(score: Decimal | None, explanation: str) -> str:
    """Why an item is not yet complete, or "" when it is."""
    if score is None:
        return _("未填写自评得分")
    if score > 0 and not explanation.strip():
        return _("自评得分大于0分时必须填写自评说明")
    return ""


def missing_items(submission: Submission) -> list[str]:
    """Every incomplete item of the submission's standard, in order, with what is missing."""
    saved = {a.item_id: a for a in submission.assessments.all()}
    items = Item.objects.filter(standard_id=submission.campaign.standard_id).order_by(
        "display_order"
    )
    problems = []
    for item in items:
        if item.is_system_scored:
            continue
        assessment = saved.get(item.pk)
        problem = item_problem(
            assessment.self_score if assessment else None,
            assessment.explanation if assessment else "",
        )
        if problem:
            problems.append(f"{item.code} {item.title}：{problem}")
    return problems


@dataclass(frozen=True)
class CategoryProgress:
    pk: int
    code: str
    name: str
    points: Decimal
    items: int
    done: int
    self_total: Decimal

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.items) if self.items else 0


def category_progress(campaign: Campaign, submission: Submission | None) -> list[CategoryProgress]:
    """Items done and self-score per category: one grouped query over the assessments."""
    rows: dict[str, dict[str, Any]] = {}
    if submission is not None:
        for row in (
            ItemAssessment.objects.filter(submission=submission)
            .values("item__category_id")
            .annotate(
                done=Count("pk", filter=DONE & scored_by_people("item__")),
                total=Sum("self_score", filter=~Q(item__check_method=Item.CheckMethod.SURVEY)),
            )
        ):
            rows[row["item__category_id"]] = row
    categories = (
        campaign.standard.categories.order_by("display_order")
        .annotate(item_count=Count("items", filter=scored_by_people("items__")))
        .values("pk", "code", "name", "points", "item_count")
    )
    return [
        CategoryProgress(
            pk=c["pk"],
            code=c["code"],
            name=c["name"],
            points=c["points"],
            items=c["item_count"],
            done=rows.get(c["pk"], {}).get("done", 0),
            self_total=rows.get(c["pk"], {}).get("total") or Decimal(0),
        )
        for c in categories
    ]


def with_progress(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """Annotate items done and the self-assessed total, each as one correlated subquery."""
    done = (
        ItemAssessment.objects.filter(DONE, scored_by_people("item__"), submission=OuterRef("pk"))
        .order_by()
        .values("submission")
        .annotate(n=Count("pk"))
        .values("n")
    )
    total = (
        ItemAssessment.objects.filter(submission=OuterRef("pk"))
        .exclude(item__check_method=Item.CheckMethod.SURVEY)
        .order_by()
        .values("submission")
        .annotate(s=Sum("self_score"))
        .values("s")
    )
    return submissions.annotate(
        items_done=Coalesce(Subquery(done, output_field=IntegerField()), Value(0)),
        self_total=Subquery(total),
    )


def item_count(campaign: Campaign) -> int:
    """The items a community self-scores (the survey's and the auto-verified are not)."""
    return Item.objects.filter(scored_by_people(), standard_id=campaign.standard_id).count()


@dataclass
class ItemRow:
    """One item of the assessment page, with what is saved and what backs it."""

    item: Item
    assessment: ItemAssessment | None
    evidence: list[EvidenceFile]
    indicator: IndicatorResult | None
    problem: str
    # What the user typed when a save was refused, shown again instead of the saved values.
    kept: dict[str, str] | None = None
    # An auto-verified item's score and why, as the system gives it (from the frozen figures
    # once submitted, from the register's current ones before).
    system_score: Decimal | None = None
    system_basis: str = ""
    # A survey item's points once the survey has ended, and how they were reached.
    survey_points: Decimal | None = None
    survey_basis: str = ""


@dataclass(frozen=True)
class CategoryBlock:
    progress: CategoryProgress
    rows: list[ItemRow]


def assessment_blocks(
    campaign: Campaign, community: Community, submission: Submission | None
) -> list[CategoryBlock]:
    """The 33 items grouped by category, each with its saved assessment and evidence, and the
    hard-indicator result beside the items it backs (community annotated by the getter)."""
    figures = frozen_figures(submission) if submission is not None else None
    return blocks_on_figures(campaign, community, submission, figures)


def blocks_on_figures(
    campaign: Campaign,
    community: Community,
    submission: Submission | None,
    figures: RegisterFigures | None,
) -> list[CategoryBlock]:
    """``assessment_blocks`` on ``figures``: the submission's frozen figures, or None for the
    register's figures as they are now (what a (re)submission would freeze)."""
    saved: dict[int, ItemAssessment] = {}
    if submission is not None:
        assessments = submission.assessments.prefetch_related("evidence")
        saved = {a.item_id: a for a in assessments}
    if figures is not None:
        # A submitted self-assessment is judged on the figures it was submitted with.
        indicators = indicator_results(figures)
    else:
        indicators = {r.indicator: r for r in results_for(community)}
    items = Item.objects.filter(standard_id=campaign.standard_id).order_by("display_order")
    rows_by_category: dict[int, list[ItemRow]] = {}
    for item in items:
        assessment = saved.get(item.pk)
        indicator = indicators.get(item.hard_indicator) if item.hard_indicator else None
        row = ItemRow(
            item=item,
            assessment=assessment,
            evidence=list(assessment.evidence.all()) if assessment else [],
            indicator=indicator,
            problem=""
            if item.is_system_scored
            else item_problem(
                assessment.self_score if assessment else None,
                assessment.explanation if assessment else "",
            ),
        )
        if item.is_auto_scored and figures is not None:
            row.system_score, row.system_basis = auto_score(item, figures)
        elif item.is_auto_scored and indicator is not None:
            row.system_score, row.system_basis = score_for_status(item, indicator.status)
        rows_by_category.setdefault(item.category_id, []).append(row)
    if submission is not None:
        _add_survey_points(submission, [r for rows in rows_by_category.values() for r in rows])
    return [
        CategoryBlock(p, rows_by_category.get(p.pk, []))
        for p in category_progress(campaign, submission)
    ]


def survey_tally(submission: Submission | None) -> Any:
    """The survey's frozen result once the survey has ended, else None (read through the
    submission: the survey is another stage)."""
    if submission is None or submission.submitted_at is None:
        return None  # never submitted, never surveyed
    try:
        return submission.survey_tally
    except ObjectDoesNotExist:
        return None


def _add_survey_points(submission: Submission, rows: list[ItemRow]) -> None:
    """The points the ended survey gave each survey item: its awareness questions' points
    (frozen with the tally), and the satisfaction tiers' points for the satisfaction item, the
    first survey item without points of its own (as the survey's defaults set them up)."""
    tally = survey_tally(submission)
    if tally is None:
        return
    own = {p.item_id: p for p in submission.survey_item_points.all()}
    tiers_shown = False
    for row in sorted(rows, key=lambda r: r.item.display_order):
        if not row.item.is_survey_scored:
            continue
        points = own.get(row.item.pk)
        if points is not None:
            row.survey_points, row.survey_basis = points.points, points.basis
        elif not tiers_shown:
            row.survey_points, tiers_shown = tally.points, True
