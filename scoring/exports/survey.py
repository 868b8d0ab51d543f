"""Survey statistics (满意度调查统计): per district and per community, the questionnaires
received, excluded and valid, the satisfaction rate with its 95 % Wilson interval, the points it
earns, pass or fail against the pass rate, the required sample and 样本不足, the points of the
other survey items (6.2), and the count of every option of every question. Aggregates only: no
questionnaire leaves the system.

Once a community's survey has ended, its points, sample size and 样本不足 are the frozen
result's (``SurveyTally``, ``SurveyItemPoints``): what the scores and the shortlist read, so a
short sample the office did not accept shows 0 points here as there. While it runs, the points
are the tiers' for the questionnaires so far."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.pipeline.models import FROM_JOINT_REVIEW, Campaign, Status, Submission
from campaign.survey.models import SurveyItemPoints, SurveyTally
from campaign.survey.statistics import (
    BY_CAMPAIGN,
    BY_DISTRICT,
    Figures,
    SurveyScheme,
    campaign_responses,
    figures,
    scheme_for,
)
from communities.models import District
from scoring.engine.rules import current_rules
from scoring.exports.workbook import (
    Column,
    Params,
    Progress,
    bold_row,
    data_text,
    export_date_note,
    finish_sheet,
    new_workbook,
    no_progress,
    percent_text,
    points_text,
    start_sheet,
)
from standards.models import Item

SURVEYED = (Status.SURVEYING, *FROM_JOINT_REVIEW)


def file_name(campaign: Campaign, moment: datetime.datetime) -> str:
    return _("%(campaign)s满意度调查统计（%(date)s）.xlsx") % {
        "campaign": campaign.name,
        "date": f"{timezone.localtime(moment):%Y%m%d}",
    }


def _note(scheme: SurveyScheme, moment: datetime.datetime) -> str:
    overall = next((q for q in scheme.questions if q.is_overall), None)
    satisfied = "、".join(o.label for o in scheme.options if o.counts_as_satisfied)
    valid = "、".join(o.label for o in scheme.options if o.counts_as_valid)
    parts = [
        _("满意率＝总体评价题（%(question)s）答“%(satisfied)s”的问卷 ÷ 答“%(valid)s”的有效问卷")
        % {"question": overall.text if overall else "—", "satisfied": satisfied, "valid": valid},
        _("合格线%(rate)s") % {"rate": f"{scheme.pass_percent}%"}
        if scheme.pass_percent is not None
        else _("未设合格线"),
        _("每个社区样本量%(n)d份") % {"n": scheme.config.sample_size},
        _("计分：%(tiers)s")
        % {
            "tiers": "，".join(
                _("满意率≥%(rate)s得%(points)s分")
                % {"rate": f"{rate}%", "points": points_text(points)}
                for rate, points in scheme.tier_percents
            )
            or "—"
        },
        export_date_note(moment),
    ]
    return "；".join(parts)


# Satisfaction questions are counted per option; awareness questions (6.2) per 是/否.
def _count_columns(scheme: SurveyScheme) -> list[Column]:
    return [
        *(Column(o.label, 7) for _q in scheme.satisfaction_questions for o in scheme.options),
        *(
            Column(label, 7)
            for _q in scheme.awareness_questions
            for label in scheme.awareness_labels
        ),
    ]


def _count_groups(scheme: SurveyScheme) -> list[tuple[str, int]]:
    return [
        *((str(q), len(scheme.options)) for q in scheme.satisfaction_questions),
        *((str(q), len(scheme.awareness_labels)) for q in scheme.awareness_questions),
    ]


def _counts(scheme: SurveyScheme, f: Figures) -> list[int]:
    return [
        *(n for _q, counts in scheme.table(f) for n in counts),
        *(n for _q, counts, _yes in scheme.awareness_table(f) for n in counts),
    ]


def _rate_cells(f: Figures) -> list[Any]:
    return [f.valid, f.satisfied, f.rate, percent_text(f.interval)]


@dataclass(frozen=True)
class Ended:
    """A community's frozen survey result, as the scores read it."""

    points: Decimal
    sample_size: int
    short_sample: bool
    accepted: bool  # a short sample the office accepted for scoring


def _ended(campaign: Campaign) -> dict[int, Ended]:
    rows = SurveyTally.objects.filter(submission__campaign=campaign).values_list(
        "submission_id", "points", "sample_size", "short_sample", "short_sample_scored"
    )
    return {
        submission_id: Ended(
            points=Decimal(0) if short and not accepted else points,
            sample_size=size,
            short_sample=short,
            accepted=accepted,
        )
        for submission_id, points, size, short, accepted in rows
    }


def _other_items(campaign: Campaign) -> list[Item]:
    """The survey items besides the satisfaction item (6.2 from the awareness questions)."""
    satisfaction = current_rules(campaign).satisfaction_item_id or -1
    return list(
        Item.objects.filter(standard_id=campaign.standard_id, check_method=Item.CheckMethod.SURVEY)
        .exclude(pk=satisfaction)
        .order_by("display_order", "pk")
    )


def _item_points(campaign: Campaign, items: list[Item]) -> dict[tuple[int, int], Decimal]:
    rows = SurveyItemPoints.objects.filter(
        submission__campaign=campaign, item__in=items
    ).values_list("submission_id", "item_id", "points", "item__max_points")
    return {
        (submission_id, item_id): min(points, max_points)
        for submission_id, item_id, points, max_points in rows
    }


def _short_text(scheme: SurveyScheme, f: Figures, ended: Ended | None) -> str | None:
    if ended is None:
        return _("样本不足") if scheme.below_sample(f) else None
    if not ended.short_sample:
        return None
    return _("样本不足（市办认可计分）") if ended.accepted else _("样本不足")


def _pass_text(passes: bool | None) -> str:
    if passes is None:
        return "—"
    return _("达标") if passes else _("未达标")


def _district_sheet(
    workbook: Any,
    campaign: Campaign,
    scheme: SurveyScheme,
    note: str,
    submissions: list[tuple[Any, ...]],
    per_community: dict[int, Figures],
    ended: dict[int, Ended],
) -> None:
    responses = campaign_responses(campaign, submission__status__in=SURVEYED)
    per_district = figures(scheme, responses, BY_DISTRICT)
    total = figures(scheme, responses, BY_CAMPAIGN).get(campaign.pk) or Figures(key=0)
    communities: dict[int, int] = {}
    passing: dict[int, int] = {}
    below: dict[int, int] = {}
    for submission_id, district_id, *_rest in submissions:
        f = per_community.get(submission_id) or Figures(key=submission_id)
        communities[district_id] = communities.get(district_id, 0) + 1
        passing[district_id] = passing.get(district_id, 0) + (scheme.passes(f) is True)
        short = _short_text(scheme, f, ended.get(submission_id)) is not None
        below[district_id] = below.get(district_id, 0) + short
    fixed = [
        Column(_("区市"), 20),
        Column(_("调查社区数"), 8),
        Column(_("收回问卷"), 8),
        Column(_("剔除（答题过快）"), 9),
        Column(_("剔除（雷同答卷）"), 9),
        Column(_("不计入有效问卷"), 9),
        Column(_("有效问卷"), 8),
        Column(_("满意份数"), 8),
        Column(_("满意率（%）"), 8),
        Column(_("95%置信区间（%）"), 13),
        Column(_("达到合格线社区数"), 9),
        Column(_("样本不足社区数"), 9),
    ]
    layout = start_sheet(
        workbook,
        _("各区市"),
        _("%(campaign)s满意度调查统计（各区市）") % {"campaign": campaign.name},
        note,
        [*fixed, *_count_columns(scheme)],
        groups=[(_("区市汇总"), len(fixed)), *_count_groups(scheme)],
        frozen_columns=1,
        fit_to_width=False,
    )
    districts = District.objects.filter(pk__in=communities).order_by("display_order", "pk")
    for district in districts:
        f = per_district.get(district.pk) or Figures(key=district.pk)
        layout.sheet.append(
            [
                data_text(district.name),
                communities[district.pk],
                f.received,
                f.excluded_too_fast,
                f.excluded_cluster,
                f.not_counted,
                *_rate_cells(f),
                passing[district.pk],
                below[district.pk],
                *_counts(scheme, f),
            ]
        )
    bold_row(
        layout.sheet,
        [
            _("合计"),
            sum(communities.values()),
            total.received,
            total.excluded_too_fast,
            total.excluded_cluster,
            total.not_counted,
            *_rate_cells(total),
            sum(passing.values()),
            sum(below.values()),
            *_counts(scheme, total),
        ],
    )
    finish_sheet(layout, len(communities))


def write(
    campaign: Campaign,
    target: BinaryIO,
    progress: Progress = no_progress,
    params: Params | None = None,
) -> None:
    moment = timezone.now()
    scheme = scheme_for(campaign)
    note = _note(scheme, moment)
    submissions = list(
        Submission.objects.filter(campaign=campaign, status__in=SURVEYED)
        .order_by("district__display_order", "community__code")
        .values_list("pk", "district_id", "district__name", "community__code", "community__name")
    )
    per_community = figures(scheme, campaign_responses(campaign, submission__status__in=SURVEYED))
    progress(1, 3)
    workbook = new_workbook()
    ended = _ended(campaign)
    others = _other_items(campaign)
    item_points = _item_points(campaign, others)
    _district_sheet(workbook, campaign, scheme, note, submissions, per_community, ended)
    progress(2, 3)
    fixed = [
        Column(_("区市"), 12),
        Column(_("社区代码"), 14),
        Column(_("社区名称"), 16),
        Column(_("收回问卷"), 8),
        Column(_("剔除（答题过快）"), 9),
        Column(_("剔除（雷同答卷）"), 9),
        Column(_("待核定"), 7),
        Column(_("不计入有效问卷"), 9),
        Column(_("有效问卷"), 8),
        Column(_("满意份数"), 8),
        Column(_("满意率（%）"), 8),
        Column(_("95%置信区间（%）"), 13),
        Column(_("满意度得分"), 8),
        Column(_("是否达到合格线"), 9),
        Column(_("规定样本量"), 7),
        Column(_("样本不足"), 9),
        *(
            Column(_("%(code)s %(title)s得分") % {"code": i.code, "title": i.title}, 9)
            for i in others
        ),
    ]
    layout = start_sheet(
        workbook,
        _("各社区"),
        _("%(campaign)s满意度调查统计（各社区）") % {"campaign": campaign.name},
        note,
        [*fixed, *_count_columns(scheme)],
        groups=[(_("社区"), len(fixed)), *_count_groups(scheme)],
        frozen_columns=3,
        fit_to_width=False,
    )
    for submission_id, _district_id, district, code, name in submissions:
        f = per_community.get(submission_id) or Figures(key=submission_id)
        result = ended.get(submission_id)
        layout.sheet.append(
            [
                data_text(district),
                code,
                data_text(name),
                f.received,
                f.excluded_too_fast,
                f.excluded_cluster,
                f.flagged,
                f.not_counted,
                *_rate_cells(f),
                scheme.points(f) if result is None else result.points,
                _pass_text(scheme.passes(f)),
                scheme.config.sample_size if result is None else result.sample_size,
                _short_text(scheme, f, result),
                *(item_points.get((submission_id, item.pk)) for item in others),
                *_counts(scheme, f),
            ]
        )
    finish_sheet(layout, len(submissions))
    progress(3, 3)
    workbook.save(target)
