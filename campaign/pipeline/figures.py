"""The register figures a submission is judged on: frozen at submission, compared with the
register afterwards, re-checked by the office; and the items they score (自动核验: full points
when the item's hard indicator is met, none otherwise; the rule says so, nobody types it)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.kernel.users import Actor
from campaign.pipeline.models import (
    FROZEN_FIGURES,
    ItemAssessment,
    ItemAudit,
    RegisterFigures,
    Submission,
)
from communities.indicators import (
    BASIS,
    HardIndicator,
    IndicatorResult,
    Status,
    results_for,
    with_hard_indicators,
)
from communities.models import Community
from communities.units import plain_decimal
from standards.models import Item

# Not applicable (a rural community and an urban-only rule) deducts nothing.
_FULL_POINTS = frozenset({Status.PASS, Status.NOT_APPLICABLE})


@dataclass(frozen=True)
class FigureChange:
    """A register figure edited after the submission froze it."""

    field: str
    label: str
    old: str
    new: str


def _shown(model: Any, name: str) -> str:
    value = getattr(model, name)
    if value is None or value == "":
        return _("（空）")
    display = getattr(model, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    return format(plain_decimal(Decimal(value)), "f")


def _label(name: str) -> str:
    field = RegisterFigures._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def freeze_figures(submission: Submission, actor: Actor) -> RegisterFigures:
    """Copy the community's current figures and indicator results into the submission (again
    on every submission: a resubmitted submission is judged on its new figures)."""
    community = Community.objects.get(pk=submission.community_id)
    figures, _created = RegisterFigures.objects.update_or_create(
        submission=submission,
        defaults={
            **{name: getattr(community, name) for name in FROZEN_FIGURES},
            **_PLACEHOLDER_RESULTS,
            "frozen_at": timezone.now(),
            "frozen_by": actor,
            "rechecked_at": None,
            "rechecked_by": None,
        },
    )
    _store_results(figures)
    return figures


_PLACEHOLDER_RESULTS = {f"{indicator.value}_result": Status.MISSING for indicator in HardIndicator}


def _store_results(figures: RegisterFigures) -> None:
    """The indicator results of the frozen figures, by the same SQL the register uses."""
    annotated = with_hard_indicators(RegisterFigures.objects.filter(pk=figures.pk)).get()
    for indicator in HardIndicator:
        setattr(figures, f"{indicator.value}_result", getattr(annotated, f"hi_{indicator.value}"))
    figures.save(update_fields=list(_PLACEHOLDER_RESULTS))


def recheck_figures(figures: RegisterFigures, actor: Actor) -> list[FigureChange]:
    """The office takes over the register's edited figures; the changes it took over."""
    changes = figure_changes(figures)
    community = Community.objects.get(pk=figures.submission.community_id)
    for name in FROZEN_FIGURES:
        setattr(figures, name, getattr(community, name))
    figures.rechecked_at = timezone.now()
    figures.rechecked_by = actor
    figures.save()
    _store_results(figures)
    return changes


def figure_changes(figures: RegisterFigures | None) -> list[FigureChange]:
    """The register's figures that differ from the frozen ones, old → new ([] when nothing
    was frozen)."""
    if figures is None:
        return []
    community = Community.objects.get(pk=figures.submission.community_id)
    return [
        FigureChange(
            field=name,
            label=_label(name),
            old=_shown(figures, name),
            new=_shown(community, name),
        )
        for name in FROZEN_FIGURES
        if getattr(figures, name) != getattr(community, name)
    ]


def frozen_figures(submission: Submission) -> RegisterFigures | None:
    return (
        RegisterFigures.objects.select_related("submission").filter(submission=submission).first()
    )


def indicator_results(figures: RegisterFigures) -> dict[str, IndicatorResult]:
    """The hard indicators on the frozen figures, explained (required, actual, rule)."""
    annotated = with_hard_indicators(RegisterFigures.objects.filter(pk=figures.pk)).get()
    return {result.indicator: result for result in results_for(annotated)}


def auto_score(item: Item, figures: RegisterFigures) -> tuple[Decimal, str]:
    """An auto-verified item's points on the frozen figures, and the reason in words."""
    return score_for_status(item, Status(getattr(figures, f"{item.hard_indicator}_result")))


def score_for_status(item: Item, status: Status) -> tuple[Decimal, str]:
    """An auto-verified item's points when its indicator has ``status``, and why."""
    points = item.max_points if status in _FULL_POINTS else Decimal(0)
    reason = _("系统自动核验（%(basis)s）：%(indicator)s%(status)s，得%(points)s分。") % {
        "basis": BASIS[HardIndicator(item.hard_indicator)],
        "indicator": HardIndicator(item.hard_indicator).label,
        "status": status.label,
        "points": format(plain_decimal(points), "f"),
    }
    return points, reason


def auto_items(submission: Submission) -> list[Item]:
    items = Item.objects.filter(
        standard_id=submission.campaign.standard_id, check_method=Item.CheckMethod.AUTO
    )
    return list(items.exclude(hard_indicator=""))


def write_auto_self_scores(submission: Submission, figures: RegisterFigures, actor: Actor) -> None:
    """The auto-verified items' self-scores, from the frozen figures."""
    for item in auto_items(submission):
        points, reason = auto_score(item, figures)
        assessment, _created = ItemAssessment.objects.get_or_create(
            submission=submission, item=item, defaults={"updated_by": actor}
        )
        assessment.self_score = points
        assessment.explanation = reason
        assessment.version += 1
        assessment.updated_by = actor
        assessment.save()


def write_auto_audits(submission: Submission, figures: RegisterFigures, actor: Actor) -> None:
    """The auto-verified items' audited scores of the current round, from the frozen figures."""
    for item in auto_items(submission):
        points, reason = auto_score(item, figures)
        audit, _created = ItemAudit.objects.get_or_create(
            submission=submission,
            item=item,
            round=submission.audit_round,
            defaults={"updated_by": actor},
        )
        audit.audited_score = points
        audit.comment = reason
        audit.reason = ""
        audit.version += 1
        audit.updated_by = actor
        audit.save()
