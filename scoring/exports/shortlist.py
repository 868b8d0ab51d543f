"""The shortlist workbook (入围名单): a summary sheet (the rules version and its thresholds, how
many communities each rule kept off, per district), then one sheet per district listing its
communities after the joint review in city-rank order, with category subtotals, the satisfaction
rate with its sample and 95 % interval, the total, the outcome and the register figures the
submission froze (``scoring.exports.figures``). Scores are written as floats (tenths of
a point print the same), which openpyxl writes faster than Decimals."""

import datetime
from collections import Counter
from typing import Any, BinaryIO

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.pipeline.models import Campaign, Submission
from campaign.pipeline.rates import interval_percent, percent, rate_percent
from communities.models import District
from scoring.engine.models import Outcome, ScoreSnapshot, ScoringRules, Stage
from scoring.engine.scores import category_subtotals_in_turn
from scoring.exports import figures
from scoring.exports.workbook import (
    Column,
    Params,
    Progress,
    bold_row,
    data_text,
    export_date_note,
    finish_sheet,
    heading_row,
    new_workbook,
    no_progress,
    percent_text,
    points_text,
    start_sheet,
)
from standards.models import Category

EXCLUDING = [o for o in Outcome if o not in (Outcome.SHORTLISTED, Outcome.NOT_RANKED)]
# A row of ``_rows``: the joint-stage snapshot and its community.
FIELDS = (
    "submission_id",
    "district_id",
    "city_rank",
    "district_rank",
    "submission__community__code",
    "submission__community__name",
    "submission__community__street__name",
    "satisfied",
    "valid",
    "sample_size",
    "satisfaction_points",
    "total",
    "outcome",
    "veto_count",
    "rules_id",
)
DISTRICT, OUTCOME, RULES = (FIELDS.index(f) for f in ("district_id", "outcome", "rules_id"))
# The category subtotals are summed in this many batches, each while the one before is written.
SUBTOTAL_BATCHES = 8


def file_name(campaign: Campaign, moment: datetime.datetime) -> str:
    return _("%(campaign)s入围名单（%(date)s）.xlsx") % {
        "campaign": campaign.name,
        "date": f"{timezone.localtime(moment):%Y%m%d}",
    }


def _rows(campaign: Campaign) -> list[tuple[Any, ...]]:
    return list(
        ScoreSnapshot.objects.filter(campaign=campaign, stage=Stage.JOINT)
        .order_by(F("city_rank").asc(nulls_last=True), "submission__community__code")
        .values_list(*FIELDS)
    )


def _threshold_lines(rules: ScoringRules) -> list[tuple[str, str]]:
    def or_unlimited(value: Any, text: str) -> str:
        return _("不限") if value is None else text

    return [
        (_("规则版本"), _("第%(v)d版") % {"v": rules.version}),
        (
            _("样本不足"),
            _("有效问卷少于规定样本量、市办未认可的不入围")
            if rules.exclude_short_sample
            else _("不作为不入围理由"),
        ),
        (
            _("最低总分"),
            or_unlimited(rules.min_total, _("%(n)s分") % {"n": points_text(rules.min_total or 0)}),
        ),
        (
            _("最低满意率"),
            or_unlimited(
                rules.min_satisfaction,
                f"{percent(rules.min_satisfaction or 0)}%",
            ),
        ),
        (_("一票否决"), _("成员单位否决即不入围")),
        (
            _("每区市入围名额"),
            or_unlimited(rules.district_quota, _("%(n)s个") % {"n": rules.district_quota}),
        ),
        (
            _("全市入围总数"),
            or_unlimited(rules.city_cap, _("%(n)s个") % {"n": rules.city_cap}),
        ),
    ]


def _summary(
    workbook: Any,
    campaign: Campaign,
    moment: datetime.datetime,
    rules: ScoringRules | None,
    mixed_rules: bool,
    rows: list[tuple[Any, ...]],
    districts: list[District],
    taken: set[str],
) -> None:
    per_district: dict[int, Counter[str]] = {d.pk: Counter() for d in districts}
    for row in rows:
        per_district[row[DISTRICT]][row[OUTCOME]] += 1
    columns = [
        Column(_("区市"), 22),
        Column(_("参评社区数"), 10),
        Column(str(Outcome.SHORTLISTED.label), 8),
        *(Column(str(o.label), 12) for o in EXCLUDING),
    ]
    note = export_date_note(moment)
    if rules is not None:
        note += _("；依据入围规则第%(v)d版（%(at)s设定）") % {
            "v": rules.version,
            "at": f"{timezone.localtime(rules.created_at):%Y-%m-%d %H:%M}",
        }
    if mixed_rules:
        note += _("；注意：部分社区按旧版本规则计算，请重新计算得分后再导出")
    layout = start_sheet(
        workbook,
        _("汇总"),
        _("%(campaign)s示范社区入围情况汇总") % {"campaign": campaign.name},
        note,
        columns,
        taken=taken,
    )
    sheet = layout.sheet
    totals: Counter[str] = Counter()
    for district in districts:
        counts = per_district[district.pk]
        totals.update(counts)
        sheet.append(
            [
                data_text(district.name),
                sum(counts.values()),
                counts[Outcome.SHORTLISTED],
                *(counts[o] for o in EXCLUDING),
            ]
        )
    bold_row(
        sheet,
        [
            _("合计"),
            sum(totals.values()),
            totals[Outcome.SHORTLISTED],
            *(totals[o] for o in EXCLUDING),
        ],
    )
    finish_sheet(layout, len(districts))
    sheet.append([])
    bold_row(sheet, [_("入围规则")])
    heading_row(sheet, [_("规则"), _("设定")])
    if rules is None:
        sheet.append([_("尚未计算联审后得分。")])
    else:
        for label, value in _threshold_lines(rules):
            sheet.append([label, value])
    sheet.append([])
    bold_row(sheet, [_("入围结果")])
    heading_row(sheet, [_("结果"), _("社区数")])
    for outcome in [Outcome.SHORTLISTED, *EXCLUDING]:
        sheet.append([str(outcome.label), totals[outcome]])


class _SurveyCells:
    """The rate and its interval as printed, computed once per (satisfied, valid) pair: with
    samples of 20-60 households, 10,000 communities share a few hundred pairs."""

    def __init__(self) -> None:
        self.known: dict[tuple[int, int], tuple[float | None, str]] = {}

    def __call__(self, satisfied: int, valid: int) -> tuple[float | None, str]:
        cells = self.known.get((satisfied, valid))
        if cells is None:
            rate = rate_percent(satisfied, valid)
            interval = percent_text(interval_percent(satisfied, valid)) or _("无调查结果")
            cells = self.known[(satisfied, valid)] = (
                None if rate is None else float(rate),
                interval,
            )
        return cells


def _district_columns(categories: list[Category]) -> list[Column]:
    return [
        Column(_("全市排名"), 7),
        Column(_("区市内排名"), 7),
        Column(_("社区代码"), 14, text=True),
        Column(_("社区名称"), 18),
        Column(_("街道（镇）"), 14),
        # What the community was judged on, before what it scored.
        *figures.columns(),
        *(
            Column(
                _("%(name)s\n（%(points)s分）") % {"name": c.name, "points": points_text(c.points)},
                9,
            )
            for c in categories
        ),
        Column(_("满意率（%）"), 8),
        Column(_("满意率95%置信区间（%）"), 13),
        # The rate is never read without its sample: 2 of 30 is not 100 %.
        Column(_("有效问卷（份）"), 7),
        Column(_("规定样本量（份）"), 7),
        Column(_("满意度得分"), 8),
        Column(_("总分"), 8),
        Column(_("入围结果"), 16),
        Column(_("否决单位数"), 7),
    ]


def write(
    campaign: Campaign,
    target: BinaryIO,
    progress: Progress = no_progress,
    params: Params | None = None,
) -> None:
    moment = timezone.now()
    categories = list(
        Category.objects.filter(standard_id=campaign.standard_id).order_by("display_order", "pk")
    )
    rows = _rows(campaign)
    rules_ids = {row[RULES] for row in rows}
    rules = ScoringRules.objects.filter(pk__in=rules_ids).order_by("-version").first()
    districts = list(
        District.objects.filter(pk__in={row[DISTRICT] for row in rows}).order_by(
            "display_order", "pk"
        )
    )
    no_scores = tuple(0.0 for _c in categories)
    # Read before the subtotals' pipeline starts: it must have the connection to itself.
    joint = ScoreSnapshot.objects.filter(campaign=campaign, stage=Stage.JOINT)
    register = figures.register_cells(
        Submission.objects.filter(pk__in=joint.values("submission_id"))
    )
    no_figures = tuple(None for _c in figures.columns())
    outcome_labels = {o.value: str(o.label) for o in Outcome}
    survey = _SurveyCells()
    by_district: dict[int, list[tuple[Any, ...]]] = {d.pk: [] for d in districts}
    for row in rows:
        by_district[row[DISTRICT]].append(row)

    in_sheet_order = [row for district in districts for row in by_district[district.pk]]
    size = max(1, -(-len(in_sheet_order) // SUBTOTAL_BATCHES))
    batches = [in_sheet_order[i : i + size] for i in range(0, len(in_sheet_order), size)]

    workbook = new_workbook()
    # The database sums a batch's category subtotals while the sheets' headers, or the batch
    # before, are written.
    with category_subtotals_in_turn(
        campaign,
        Stage.JOINT,
        [c.pk for c in categories],
        [[row[0] for row in batch] for batch in batches],
        rules=rules,
        as_float=True,
    ) as subtotal_batches:
        taken: set[str] = set()
        _summary(workbook, campaign, moment, rules, len(rules_ids) > 1, rows, districts, taken)
        columns = _district_columns(categories)
        sheet_of = {
            district.pk: start_sheet(
                workbook,
                district.name,
                _("%(district)s示范社区入围名单") % {"district": district.name},
                _("%(campaign)s · 成员单位联审后得分 · %(figures)s · %(exported)s")
                % {
                    "campaign": campaign.name,
                    "figures": figures.note(),
                    "exported": export_date_note(moment),
                },
                columns,
                frozen_columns=4,
                taken=taken,
            )
            for district in districts
        }
        done = 0
        for batch, subtotals in zip(batches, subtotal_batches, strict=True):
            for (
                submission_id,
                district_id,
                city_rank,
                district_rank,
                code,
                name,
                street,
                satisfied,
                valid,
                sample_size,
                points,
                total,
                outcome,
                vetoes,
                _rules,
            ) in batch:
                sheet_of[district_id].sheet.append(
                    [
                        city_rank,
                        district_rank,
                        code,
                        data_text(name),
                        data_text(street),
                        *register.get(submission_id, no_figures),
                        *subtotals.get(submission_id, no_scores),
                        *survey(satisfied or 0, valid or 0),
                        valid,
                        sample_size or None,
                        None if points is None else float(points),
                        float(total),
                        outcome_labels.get(outcome, outcome),
                        vetoes,
                    ]
                )
                done += 1
                if done % 200 == 0:
                    progress(done, len(rows))
    for district in districts:
        finish_sheet(sheet_of[district.pk], len(by_district[district.pk]))
    progress(len(rows), len(rows))
    workbook.save(target)
