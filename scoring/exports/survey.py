"""Survey statistics (满意度调查统计): per district and per community, the questionnaires
received, excluded and valid, the satisfaction rate with its 95 % Wilson interval, the points it
earns, pass or fail against the pass rate, 样本不足, and the count of every option of every
question. Aggregates only: no questionnaire leaves the system."""

import datetime
from typing import Any, BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.pipeline.models import FROM_JOINT_REVIEW, Campaign, Status, Submission
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
        below[district_id] = below.get(district_id, 0) + scheme.below_sample(f)
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
    _district_sheet(workbook, campaign, scheme, note, submissions, per_community)
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
        Column(_("样本不足"), 7),
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
                scheme.points(f),
                _pass_text(scheme.passes(f)),
                _("样本不足") if scheme.below_sample(f) else None,
                *_counts(scheme, f),
            ]
        )
    finish_sheet(layout, len(submissions))
    progress(3, 3)
    workbook.save(target)
