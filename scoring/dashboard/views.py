"""The dashboard (统计图表) of the office and the leading group: charts drawn on the server,
each beside the table of its numbers, one page that also prints on A4 landscape."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline.access import campaign_or_404
from scoring.dashboard import charts, figures
from scoring.dashboard.figures import DistrictSatisfaction, Histogram, ProgressRow, ReferenceLine

PAGE_SIZE = 50


def _progress_chart(rows: list[ProgressRow]) -> SafeString:
    return charts.stacked_bars(
        "progress-chart",
        _("各区市申报进度"),
        _(
            "每个区市一条横条，按申报所处阶段分段，段内数字为社区数，条尾为合计；"
            "各阶段的社区数见图下的表格。"
        ),
        [row.district for row in rows],
        [str(group.label) for group in figures.STAGE_GROUPS],
        [row.counts for row in rows],
    )


def _histogram_chart(histogram: Histogram) -> SafeString:
    return charts.histogram(
        f"histogram-{histogram.stage}",
        _("%(stage)s总分分布") % {"stage": histogram.label},
        _("%(stage)s阶段共%(n)d个社区的总分分布，每5分为一组，柱上数字为社区数。")
        % {"stage": histogram.label, "n": histogram.total},
        histogram.bins,
    )


def _satisfaction_chart(rows: list[DistrictSatisfaction], lines: list[ReferenceLine]) -> SafeString:
    bars = [
        charts.IntervalBar(
            label=row.district,
            percent=row.rate,
            low=row.interval[0],
            high=row.interval[1],
            note=_("（%(n)d份）") % {"n": row.valid},
        )
        for row in rows
        if row.rate is not None and row.interval is not None
    ]
    return charts.interval_bars(
        "satisfaction-chart",
        _("各区市群众满意率"),
        _(
            "每个区市一条横条，长度为汇总满意率，横线为95%置信区间（Wilson法）；"
            "虚线为合格线或入围最低满意率。数字见图下的表格。"
        ),
        bars,
        [charts.Reference(line.label, line.percent) for line in lines],
    )


@login_required
def score_dashboard(request: AuthenticatedRequest, year: int) -> HttpResponse:
    scope_of(request.user).require(Capability.VIEW_SCORES)
    campaign = campaign_or_404(year)
    progress = figures.progress(campaign)
    histograms = figures.histograms(campaign)
    satisfaction = figures.satisfaction_by_district(campaign)
    lines = figures.satisfaction_lines(campaign)
    page = Paginator(figures.ranked_snapshots(campaign), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    totals = figures.progress_totals(progress)
    return render(
        request,
        "scoring/dashboard/dashboard.html",
        {
            "campaign": campaign,
            "year": year,
            "groups": figures.STAGE_GROUPS,
            "progress": progress,
            "progress_totals": totals,
            "submissions": sum(totals),
            "progress_chart": _progress_chart(progress),
            "histograms": [(h, _histogram_chart(h)) for h in histograms],
            "bin_width": figures.BIN_WIDTH,
            "satisfaction": satisfaction,
            "surveyed": sum(row.communities for row in satisfaction),
            "satisfaction_lines": lines,
            "satisfaction_chart": _satisfaction_chart(satisfaction, lines),
            "page": page,
            "rows": [figures.RankedRow(snapshot) for snapshot in page],
        },
    )
