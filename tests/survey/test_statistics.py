"""The survey's figures against hand-computed ones: the Wilson interval, the points tiers, the
counts per community and district, quality exclusions, and the result frozen at the end."""

from decimal import Decimal

from campaign.pipeline.models import Status, Submission
from campaign.pipeline.rates import wilson_interval
from campaign.pipeline.workflow import ActionRefused
from campaign.survey import statistics
from campaign.survey.actions import do_finish_survey, do_review_questionnaires
from campaign.survey.codes import CodeState, create_codes, state_of
from campaign.survey.models import Quality, SurveyPointTier, SurveyResponse, SurveyTally
from campaign.survey.statistics import (
    BY_DISTRICT,
    campaign_responses,
    figures,
    points_for,
    scheme_for,
)
from tests.base import CampaignTestCase
from tests.builders import answer_survey, open_every_phase, submission_at


class WilsonIntervalTests(CampaignTestCase):
    def test_published_values(self) -> None:
        # Wilson (1927) score interval, z = 1.96: 45/50 → 0.7864-0.9565 (as in Newcombe 1998's
        # worked examples and any statistics package); 0/20 → 0-0.1611; 30/30 → 0.8865-1.
        for (k, n), (low, high) in {
            (45, 50): (0.78640, 0.95652),
            (0, 20): (0.0, 0.16113),
            (30, 30): (0.88649, 1.0),
            (41, 50): (0.69204, 0.90230),
        }.items():
            with self.subTest(k=k, n=n):
                got = wilson_interval(k, n)
                assert got is not None
                self.assertAlmostEqual(got[0], low, places=4)
                self.assertAlmostEqual(got[1], high, places=4)
        self.assertIsNone(wilson_interval(0, 0))

    def test_by_hand_for_48_of_50(self) -> None:
        # p = 0.96, z² = 3.8415: centre = (0.96 + 0.038415) / 1.076829 = 0.927184,
        # half = 1.96 × √(0.96·0.04/50 + 3.8415/10000) / 1.076829 = 0.061786.
        low, high = wilson_interval(48, 50) or (0, 0)
        self.assertAlmostEqual(low, 0.865399, places=5)
        self.assertAlmostEqual(high, 0.988961, places=5)


class PointsTests(CampaignTestCase):
    def test_the_highest_tier_reached_counts_exactly(self) -> None:
        tiers = [
            SurveyPointTier(min_rate=Decimal(rate), points=Decimal(points))
            for rate, points in [
                ("0.85", 8),
                ("0.88", 10),
                ("0.90", 12),
                ("0.92", 14),
                ("0.95", 16),
            ]
        ]
        for satisfied, valid, points in [
            (17, 20, 8),  # exactly 85 %
            (84, 99, 0),  # 84.8 %
            (22, 25, 10),  # exactly 88 %, never read as 87.99999 %
            (43, 49, 8),  # 87.76 % reaches only the 85 % tier
            (27, 30, 12),
            (46, 50, 14),
            (50, 50, 16),
            (0, 0, 0),
        ]:
            with self.subTest(f"{satisfied}/{valid}"):
                self.assertEqual(points_for(satisfied, valid, tiers), Decimal(points))


class FiguresTests(CampaignTestCase):
    """环翠区: 古陌 48 questionnaires (two too fast and excluded, one flagged and pending),
    东北村 20; 文登区: 龙山 5."""

    def setUp(self) -> None:
        super().setUp()
        open_every_phase(self.campaign)
        self.gumo_sub = submission_at(self.campaign, self.gumo, Status.SURVEYING, actor=self.office)
        self.dongbei_sub = submission_at(
            self.campaign, self.dongbei, Status.SURVEYING, actor=self.office
        )
        self.longshan_sub = submission_at(
            self.campaign, self.longshan, Status.SURVEYING, actor=self.office
        )
        gumo = answer_survey(self.gumo_sub, {"满意": 30, "基本满意": 10, "不满意": 5, "不了解": 3})
        for response in gumo[:2]:
            self.flag(response.pk, Quality.EXCLUDED)
        self.pending = gumo[2].pk
        self.flag(self.pending, Quality.FLAGGED)
        answer_survey(self.dongbei_sub, {"满意": 10, "不满意": 10})
        answer_survey(self.longshan_sub, {"基本满意": 4, "不满意": 1})

    def flag(self, pk: int, quality: str) -> None:
        SurveyResponse.objects.filter(pk=pk).update(
            too_fast=True, duration_seconds=8, quality=quality
        )

    def test_one_community_by_hand(self) -> None:
        scheme = scheme_for(self.campaign)
        f = figures(scheme, SurveyResponse.objects.filter(submission=self.gumo_sub))[
            self.gumo_sub.pk
        ]
        # Received 48; 2 excluded; 3 不了解 count nowhere; the pending one still counts.
        self.assertEqual((f.received, f.excluded_too_fast, f.flagged), (48, 2, 1))
        self.assertEqual((f.valid, f.satisfied, f.not_counted, f.discarded), (43, 38, 3, 5))
        self.assertEqual(f.rate, Decimal("88.4"))  # 38 / 43 = 0.88372
        self.assertEqual(f.interval, (Decimal("75.5"), Decimal("94.9")))
        self.assertEqual(scheme.points(f), Decimal(10))  # 88.4 % reaches the 88 % tier
        self.assertIs(scheme.passes(f), True)  # the standard's 85 % line
        self.assertFalse(scheme.below_sample(f))
        table = {q.position: counts for q, counts in scheme.table(f)}
        # Every question was answered like the overall one; the excluded two were 满意.
        self.assertEqual(table[1], [28, 10, 5, 3])
        self.assertEqual(table[7], [28, 10, 5, 3])
        self.assertNotIn(8, table)  # an awareness question: its own 是/否 table

    def test_by_district(self) -> None:
        scheme = scheme_for(self.campaign)
        by_district = figures(
            scheme, campaign_responses(self.campaign), BY_DISTRICT, with_counts=False
        )
        huancui = by_district[self.gumo.district_id]
        self.assertEqual((huancui.received, huancui.valid, huancui.satisfied), (68, 63, 48))
        self.assertEqual(huancui.rate, Decimal("76.2"))  # 48 / 63
        wendeng = by_district[self.longshan.district_id]
        self.assertEqual((wendeng.valid, wendeng.satisfied, wendeng.rate), (5, 4, Decimal("80.0")))

    def test_small_samples_are_flagged_and_the_pass_line_applies(self) -> None:
        scheme = scheme_for(self.campaign)
        f = figures(scheme, SurveyResponse.objects.filter(submission=self.longshan_sub))
        longshan = f[self.longshan_sub.pk]
        self.assertTrue(scheme.below_sample(longshan))  # 5 < 30
        self.assertIs(scheme.passes(longshan), False)  # 80 % < 85 %
        self.assertEqual(scheme.points(longshan), Decimal(0))

    def test_finishing_freezes_the_result(self) -> None:
        with self.assertRaisesMessage(ActionRefused, "还有1份问卷被标记待核定"):
            do_finish_survey(self.gumo_sub.pk, actor=self.office)
        self.assertFalse(SurveyTally.objects.exists())
        do_review_questionnaires(self.gumo_sub.pk, {self.pending: True}, actor=self.office)
        code = create_codes(self.gumo_sub, 1, self.office)[0]
        tally = do_finish_survey(self.gumo_sub.pk, actor=self.office)
        # One more excluded: 42 valid, 37 satisfied = 88.1 %.
        self.assertEqual((tally.satisfied, tally.valid, tally.discarded), (37, 42, 6))
        self.assertEqual(tally.points, Decimal(10))
        self.gumo_sub.refresh_from_db()
        self.assertEqual(self.gumo_sub.status, Status.JOINT_REVIEW)
        code.refresh_from_db()
        self.assertIs(state_of(code), CodeState.CLOSED)
        # Later changes to the tiers do not move a frozen result.
        SurveyPointTier.objects.filter(campaign=self.campaign).update(points=1)
        tally.refresh_from_db()
        self.assertEqual(tally.points, Decimal(10))

    def test_nothing_to_count_cannot_finish(self) -> None:
        empty = SurveyResponse.objects.filter(submission=self.dongbei_sub)
        empty.update(too_fast=True, quality=Quality.EXCLUDED)
        with self.assertRaisesMessage(ActionRefused, "还没有有效的调查问卷"):
            do_finish_survey(self.dongbei_sub.pk, actor=self.office)

    def test_rate_expression_matches_python(self) -> None:
        SurveyTally.objects.create(
            submission=self.gumo_sub, satisfied=38, valid=43, source="x", recorded_by=self.office
        )
        row = (
            Submission.objects.filter(pk=self.gumo_sub.pk)
            .annotate(
                rate=statistics.rate_expression("survey_tally__satisfied", "survey_tally__valid")
            )
            .get()
        )
        self.assertEqual(statistics.percent(row.rate), Decimal("88.4"))
