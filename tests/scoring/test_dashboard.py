"""The dashboard (统计图表): each figure against a small hand-built campaign, the SVG it draws,
the page's cost in queries, and the charts in a real Chromium, on screen and in print."""

from decimal import Decimal
from typing import Any
from unittest import mock
from xml.etree import ElementTree

from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from campaign.pipeline.actions import do_create_campaign
from campaign.pipeline.models import Campaign, Status, Submission
from campaign.pipeline.rates import interval_percent
from campaign.survey.models import SurveyTally
from communities.models import Community
from scoring.dashboard import charts, figures
from scoring.dashboard import views as dashboard_views
from scoring.engine.models import Outcome, ScoreSnapshot, ScoringRules, Stage
from scoring.engine.recompute import recompute_campaign
from tests.base import CampaignTestCase, make_community
from tests.browser import BrowserTestCase
from tests.builders import submission_at

SVG = "{http://www.w3.org/2000/svg}"
PER_REQUEST = 6  # session, user with profile, the menu's year, session save (3)


def community(number: int, street: str = "371002001") -> Community:
    return make_community(f"{street}{number:03d}", f"测试社区{number}")


def submission(campaign: Campaign, place: Community, status: Status) -> Submission:
    return Submission.objects.create(
        campaign=campaign, community=place, district_id=place.district_id, status=status
    )


def tally(sub: Submission, satisfied: int, valid: int, actor: Any) -> SurveyTally:
    return SurveyTally.objects.create(
        submission=sub, satisfied=satisfied, valid=valid, source="测试", recorded_by=actor
    )


def snapshot(
    rules: ScoringRules, sub: Submission, stage: Stage, total: str, **extra: Any
) -> ScoreSnapshot:
    return ScoreSnapshot.objects.create(
        campaign_id=rules.campaign_id,
        submission=sub,
        district_id=sub.district_id,
        stage=stage,
        rules=rules,
        total=Decimal(total),
        items_scored=33,
        computed_at=timezone.now(),
        **extra,
    )


def parse(svg: str) -> ElementTree.Element:
    """The chart as XML: it must be well-formed to parse at all."""
    return ElementTree.fromstring(svg)


def bars(root: ElementTree.Element) -> list[ElementTree.Element]:
    return [e for e in root.iter(f"{SVG}rect") if e.get("class") == "bar"]


def texts(root: ElementTree.Element) -> list[str]:
    return [e.text or "" for e in root.iter(f"{SVG}text")]


class ProgressTests(CampaignTestCase):
    def test_every_status_is_in_exactly_one_group(self) -> None:
        grouped = [s for group in figures.STAGE_GROUPS for s in group.statuses]
        self.assertCountEqual(grouped, list(Status))

    def test_submissions_per_district_and_stage_group(self) -> None:
        for place, status in [
            (self.dongbei, Status.DRAFT),
            (self.gumo, Status.FORWARDED),
            (community(101), Status.RETURNED),
            (community(102), Status.REVISING),
            (community(103, "371002002"), Status.NAMED),
            (community(104, "371002002"), Status.RECOMMENDED_UPWARD),
            (self.longshan, Status.JOINT_REVIEW),
            (community(105, "371003001"), Status.REJECTED),
            (community(106, "371003001"), Status.APPROVED),
        ]:
            submission(self.campaign, place, status)
        # Another year's submissions are not this campaign's progress.
        other = do_create_campaign(2021, "2021年创建活动", self.standard.pk)
        submission(other, self.dongbei, Status.NAMED)

        rows = {row.district: row for row in figures.progress(self.campaign)}
        keys = [group.key for group in figures.STAGE_GROUPS]

        def counts(row: figures.ProgressRow) -> dict[str, int]:
            return {key: n for key, n in zip(keys, row.counts, strict=True) if n}

        self.assertEqual(
            counts(rows[self.huancui.short_name]),
            {"drafting": 1, "office": 1, "returned": 2, "named": 2},
        )
        self.assertEqual(counts(rows[self.wendeng.short_name]), {"joint": 1, "notice": 1, "out": 1})
        # Every district has its row, in the configured order, zeros included.
        self.assertEqual(len(rows), 8)
        self.assertEqual(sum(row.total for row in rows.values()), 9)
        totals = figures.progress_totals(list(rows.values()))
        self.assertEqual(totals[keys.index("named")], 2)
        self.assertEqual(sum(totals), 9)


class HistogramTests(CampaignTestCase):
    def test_totals_are_binned_by_five_points_per_stage(self) -> None:
        rules = ScoringRules.objects.create(campaign=self.campaign, version=1)
        totals = ["0", "4.9", "5", "57.5", "99.9", "100"]
        subs = [
            submission(self.campaign, community(110 + n), Status.FORWARDED)
            for n in range(len(totals))
        ]
        for sub, total in zip(subs, totals, strict=True):
            snapshot(rules, sub, Stage.SELF, total)
        snapshot(rules, subs[0], Stage.AUDIT, "80")

        result = {h.stage: h for h in figures.histograms(self.campaign)}

        self.assertEqual(list(result), [Stage.SELF, Stage.AUDIT, Stage.JOINT])
        self_bins = {n: count for n, count in enumerate(result[Stage.SELF].counts) if count}
        self.assertEqual(self_bins, {0: 2, 1: 1, 11: 1, 19: 2})
        self.assertEqual(result[Stage.AUDIT].counts[16], 1)
        self.assertEqual(result[Stage.AUDIT].total, 1)
        self.assertEqual(result[Stage.JOINT].total, 0)
        self.assertEqual(result[Stage.SELF].bins[19], (95, 100, 2))


class SatisfactionTests(CampaignTestCase):
    def test_districts_pool_their_frozen_results(self) -> None:
        tally(submission(self.campaign, self.dongbei, Status.JOINT_REVIEW), 48, 50, self.office)
        tally(submission(self.campaign, self.gumo, Status.NAMED), 40, 50, self.office)
        tally(submission(self.campaign, self.longshan, Status.JOINT_REVIEW), 45, 60, self.office)

        rows = figures.satisfaction_by_district(self.campaign)

        self.assertEqual(
            [(r.district, r.communities, r.satisfied, r.valid) for r in rows],
            [(self.huancui.short_name, 2, 88, 100), (self.wendeng.short_name, 1, 45, 60)],
        )
        self.assertEqual(rows[0].rate, Decimal("88.0"))
        self.assertEqual(rows[0].interval, interval_percent(88, 100))
        self.assertEqual(rows[1].rate, Decimal("75.0"))

    def test_the_pass_line_and_the_shortlist_minimum(self) -> None:
        pass_rate = self.standard.satisfaction_pass_rate
        lines = figures.satisfaction_lines(self.campaign)
        self.assertEqual([line.percent for line in lines], [pass_rate * 100] if pass_rate else [])
        ScoringRules.objects.create(
            campaign=self.campaign, version=1, min_satisfaction=Decimal("0.955")
        )
        lines = figures.satisfaction_lines(self.campaign)
        self.assertEqual(lines[-1].percent, Decimal("95.5"))
        self.assertEqual(lines[-1].label, "入围最低满意率")


class EngineSnapshotTests(CampaignTestCase):
    def test_the_figures_read_what_the_engine_computed(self) -> None:
        for place, status in [
            (self.dongbei, Status.AWAITING_DECISION),
            (self.gumo, Status.FORWARDED),
            (self.longshan, Status.JOINT_REVIEW),
        ]:
            submission_at(self.campaign, place, status, actor=self.office)
        written = recompute_campaign(self.campaign.pk)

        self.assertEqual(sum(h.total for h in figures.histograms(self.campaign)), written)
        self.assertGreater(written, 3)
        for histogram in figures.histograms(self.campaign):
            totals = ScoreSnapshot.objects.filter(
                campaign=self.campaign, stage=histogram.stage
            ).values_list("total", flat=True)
            expected = [0] * figures.BINS
            for total in totals:
                expected[min(int(total // figures.BIN_WIDTH), figures.BINS - 1)] += 1
            self.assertEqual(histogram.counts, expected, histogram.stage)
        joint = [s.submission.community for s in figures.ranked_snapshots(self.campaign)]
        self.assertCountEqual(joint, [self.dongbei, self.longshan])
        self.assertEqual(
            [
                (r.district, r.satisfied, r.valid)
                for r in figures.satisfaction_by_district(self.campaign)
            ],
            [(self.huancui.short_name, 48, 50), (self.wendeng.short_name, 48, 50)],
        )


class ChartTests(SimpleTestCase):
    def test_stacked_bars(self) -> None:
        svg = charts.stacked_bars(
            "c1",
            "进度",
            "说明",
            ["环翠区", "A<B&C"],
            ["填报中", "联审", "已命名"],
            [[3, 0, 2], [0, 5, 0]],
        )
        root = parse(svg)
        self.assertEqual(root.get("role"), "img")
        self.assertEqual(root.find(f"{SVG}title").text, "进度")  # type: ignore[union-attr]
        self.assertEqual(root.find(f"{SVG}desc").text, "说明")  # type: ignore[union-attr]
        drawn = [(b.get("data-series"), b.get("data-value")) for b in bars(root)]
        self.assertEqual(drawn, [("填报中", "3"), ("已命名", "2"), ("联审", "5")])
        # The category names, the legend and the totals are text, escaped where needed.
        self.assertIn("A<B&C", texts(root))
        self.assertTrue({"环翠区", "填报中", "联审", "已命名", "5"} <= set(texts(root)))
        # Each series has its own textured fill, shown in the legend too.
        patterns = list(root.iter(f"{SVG}pattern"))
        self.assertEqual(len(patterns), 3)
        self.assertEqual(len({b.get("fill") for b in bars(root)}), 3)

    def test_histogram(self) -> None:
        bins = [(n * 5, n * 5 + 5, count) for n, count in enumerate([0] * 17 + [4, 0, 1])]
        root = parse(charts.histogram("h1", "分布", "说明", bins))
        self.assertEqual([b.get("data-value") for b in bars(root)], ["4", "1"])
        labels = texts(root)
        self.assertIn("100", labels)
        self.assertIn("0", labels)
        tall, short = bars(root)
        self.assertGreater(float(tall.get("height", 0)), float(short.get("height", 0)))

    def test_interval_bars_with_a_reference_line(self) -> None:
        bar = charts.IntervalBar("环翠区", Decimal("88.0"), Decimal("80.2"), Decimal("93.0"), "n")
        root = parse(
            charts.interval_bars(
                "s1", "满意率", "说明", [bar], [charts.Reference("合格线", Decimal("85.0"))]
            )
        )
        self.assertEqual([b.get("data-value") for b in bars(root)], ["88.0"])
        whiskers = [e for e in root.iter(f"{SVG}line") if e.get("class") == "whisker"]
        self.assertEqual(len(whiskers), 1)
        self.assertLess(float(whiskers[0].get("x1", 0)), float(whiskers[0].get("x2", 0)))
        self.assertIn("合格线 85.0%", texts(root))
        self.assertIn("88.0% n", texts(root))


class DashboardPageTests(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rules = ScoringRules.objects.create(campaign=self.campaign, version=1)
        self.next_number = 200

    def candidate(self, total: str, rank: int, outcome: Outcome, **survey: int) -> Submission:
        sub = submission(self.campaign, community(self.next_number), Status.AWAITING_DECISION)
        self.next_number += 1
        if survey:
            tally(sub, survey["satisfied"], survey["valid"], self.office)
        snapshot(self.rules, sub, Stage.AUDIT, total)
        snapshot(
            self.rules,
            sub,
            Stage.JOINT,
            total,
            city_rank=rank,
            district_rank=rank,
            outcome=outcome,
            **survey,
        )
        return sub

    def url(self) -> str:
        return reverse("score_dashboard", args=[self.campaign.year])

    def test_the_page_shows_every_figure(self) -> None:
        second = self.candidate("81.5", 2, Outcome.MIN_SATISFACTION, satisfied=30, valid=50)
        first = self.candidate("92.0", 1, Outcome.SHORTLISTED, satisfied=48, valid=50)
        self.login(self.leader)

        response = self.client.get(self.url())

        self.assertEqual(response.status_code, 200)
        for chart in ("progress-chart", "histogram-self", "histogram-joint", "satisfaction-chart"):
            self.assertContains(response, f'<svg class="chart" id="{chart}"')
        content = response.content.decode()
        self.assertLess(content.index(first.community.name), content.index(second.community.name))
        self.assertContains(response, "入围")
        self.assertContains(response, "满意率低于最低要求")
        # The first candidate's rate, never without its sample and interval.
        self.assertContains(response, "96.0%（有效问卷50份；95%区间 86.5%–98.9%）")
        self.assertContains(response, "scoring/dashboard.css")

    def test_the_ranking_pages(self) -> None:
        for rank in range(1, 4):
            self.candidate(str(90 - rank), rank, Outcome.SHORTLISTED)
        self.login(self.office)
        with mock.patch.object(dashboard_views, "PAGE_SIZE", 2):
            response = self.client.get(self.url() + "?page=2")
        self.assertEqual([row.snapshot.city_rank for row in response.context["rows"]], [3])
        self.assertContains(response, "第2页，共2页")

    def test_the_query_count_does_not_grow_with_rows(self) -> None:
        self.candidate("70", 1, Outcome.SHORTLISTED, satisfied=40, valid=50)
        self.login(self.office)
        # campaign, districts, progress, histograms, satisfaction, survey settings, rules,
        # count and one page of the ranking
        with self.assertNumQueries(PER_REQUEST + 9):
            self.client.get(self.url())
        for rank in range(2, 30):
            self.candidate(str(rank), rank, Outcome.CITY_CAP, satisfied=40, valid=50)
        submission(self.campaign, self.dongbei, Status.DRAFT)
        with self.assertNumQueries(PER_REQUEST + 9):
            response = self.client.get(self.url())
        self.assertEqual(len(response.context["rows"]), 29)


class DashboardBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        campaign = Campaign.objects.get(year=2020)
        rules = ScoringRules.objects.create(campaign=campaign, version=1)
        for n, (place, status) in enumerate(
            [
                (self.dongbei, Status.JOINT_REVIEW),
                (self.gumo, Status.AWAITING_DECISION),
                (self.longshan, Status.NAMED),
            ]
        ):
            sub = submission(campaign, place, status)
            tally(sub, 40 + n * 4, 50, self.office)
            snapshot(rules, sub, Stage.SELF, str(80 + n * 5))
            snapshot(rules, sub, Stage.JOINT, str(75 + n * 5), city_rank=3 - n, district_rank=1)
        self.url = f"{self.live_server_url}/2020/dashboard/"

    def test_the_charts_are_drawn_on_screen_and_in_print(self) -> None:
        page = self.page
        self.log_in("office")
        page.goto(self.url)
        expect(page.get_by_role("heading", name="各区市申报进度")).to_be_visible()
        charts_on_page = page.locator("svg.chart")
        self.assertEqual(charts_on_page.count(), 5)
        for n in range(5):
            chart = charts_on_page.nth(n)
            expect(chart).to_be_visible()
            box = chart.bounding_box()
            assert box is not None
            self.assertGreater(box["width"], 100)
            self.assertGreater(box["height"], 50)
        self.assertGreater(page.locator("#progress-chart rect.bar").count(), 0)
        expect(page.get_by_role("img", name="各区市群众满意率")).to_be_visible()

        page.emulate_media(media="print")
        expect(page.locator(".topbar nav")).to_be_hidden()
        # A4 landscape less the margins is about 1030 CSS pixels wide: the charts fit.
        page.set_viewport_size({"width": 1030, "height": 720})
        for n in range(5):
            box = charts_on_page.nth(n).bounding_box()
            assert box is not None
            self.assertGreater(box["width"], 100)
            self.assertLessEqual(box["x"] + box["width"], 1030)
        pdf = page.pdf(format="A4", landscape=True, print_background=False)
        self.assertTrue(pdf.startswith(b"%PDF"))
