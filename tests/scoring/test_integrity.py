"""The numbers that decide a community's fate tell one story (issue 16): survey items scored by
the survey alone, a short sample kept off the list, the workflow's decisions on the list."""

from decimal import Decimal

from campaign.pipeline.models import ItemAssessment, ItemAudit, Status, UnitOpinion
from campaign.survey.models import SurveyItemPoints, SurveyTally
from scoring.engine.models import Outcome, ScoreSnapshot, ScoringRules, Stage
from scoring.engine.recompute import recompute_campaign, recompute_submission
from scoring.engine.scores import item_scores
from standards.models import Item
from tests.scoring.test_scoring import HandBuiltCampaign

D = Decimal


class IntegrityTests(HandBuiltCampaign):
    def snapshot(self, name: str, stage: Stage) -> ScoreSnapshot:
        return ScoreSnapshot.objects.get(submission=self.submissions[name], stage=stage)

    def joint(self, name: str) -> ScoreSnapshot:
        return self.snapshot(name, Stage.JOINT)

    def test_a_short_sample_scores_nothing_and_stays_off_the_list(self) -> None:
        """2 of 30 questionnaires gave 100 %, 16 points and a place (#4)."""
        tally = SurveyTally.objects.get(submission=self.submissions["W-b"])
        tally.satisfied, tally.valid, tally.sample_size = 2, 2, 30
        tally.short_sample, tally.finish_reason, tally.points = True, "调查期结束", D(0)
        tally.save()
        recompute_campaign(self.campaign.pk)
        w_b = self.joint("W-b")
        self.assertEqual((w_b.total, w_b.short_sample, w_b.sample_size), (D(8), True, 30))
        self.assertEqual(w_b.outcome, Outcome.SHORT_SAMPLE)

    def test_a_tally_frozen_with_tier_points_for_a_short_sample_still_scores_none(self) -> None:
        """A result frozen before short samples lost their points still says 8."""
        SurveyTally.objects.filter(submission=self.submissions["W-b"]).update(
            sample_size=60, short_sample=True, finish_reason="调查期结束"
        )
        recompute_campaign(self.campaign.pk)
        w_b = self.joint("W-b")
        self.assertEqual((w_b.satisfaction_points, w_b.total), (D(0), D(8)))
        rows = {r.item_id: r for r in item_scores(self.campaign.pk, [w_b.submission_id])}
        self.assertEqual(rows[self.s.pk].joint_score, D(0))
        self.assert_totals_add_up_the_item_scores()

    def test_recomputing_one_community_writes_its_sample_and_reranks(self) -> None:
        """The path a single change takes (a survey ending) writes the sample too."""
        recompute_campaign(self.campaign.pk)
        tally = SurveyTally.objects.get(submission=self.submissions["W-e"])
        tally.satisfied, tally.valid, tally.sample_size = 2, 2, 30
        tally.short_sample, tally.finish_reason, tally.points = True, "调查期结束", D(12)
        tally.save()
        recompute_submission(self.submissions["W-e"].pk)
        for stage in (Stage.AUDIT, Stage.JOINT):
            snapshot = ScoreSnapshot.objects.get(submission=tally.submission, stage=stage)
            self.assertEqual((snapshot.sample_size, snapshot.short_sample), (30, True))
            self.assertEqual((snapshot.total, snapshot.satisfaction_points), (D(4), D(0)))
        self.assertEqual(self.joint("W-e").outcome, Outcome.SHORT_SAMPLE)
        # Its place goes to W-b, the next in the city.
        self.assertEqual(self.joint("W-b").outcome, Outcome.SHORTLISTED)
        one = self.table(Stage.JOINT)
        recompute_campaign(self.campaign.pk)
        self.assertEqual(self.table(Stage.JOINT), one)

    def test_a_short_sample_the_office_accepted_is_ranked_as_any_other(self) -> None:
        tally = SurveyTally.objects.get(submission=self.submissions["W-b"])
        tally.sample_size, tally.short_sample, tally.short_sample_scored = 60, True, True
        tally.finish_reason = "该社区户数少，已全部入户"
        tally.save()
        recompute_campaign(self.campaign.pk)
        self.assertEqual(self.joint("W-b").outcome, Outcome.CITY_CAP)
        self.assertFalse(self.joint("W-b").short_sample)

    def test_the_rules_may_let_a_short_sample_through(self) -> None:
        SurveyTally.objects.filter(submission=self.submissions["W-e"]).update(
            sample_size=60, short_sample=True, finish_reason="调查期结束"
        )
        recompute_campaign(self.campaign.pk)
        self.assertEqual(self.joint("W-e").outcome, Outcome.SHORT_SAMPLE)
        rules = ScoringRules.objects.get(campaign=self.campaign, version=2)
        rules.pk, rules.version, rules.exclude_short_sample = None, 3, False
        rules.save()
        recompute_campaign(self.campaign.pk)
        # Not excluded as such, it is held to the other rules: without the survey's points
        # its total (4) is below the minimum of 8.
        self.assertEqual(self.joint("W-e").outcome, Outcome.MIN_TOTAL)

    def test_only_the_survey_scores_survey_items(self) -> None:
        """A unit's adjustment of 6.1 and the office's audit of 6.2 used to count (or be
        silently dropped); 6.2's points come from the awareness questions."""
        h_a = self.submissions["H-a"]
        six_two = Item.objects.get(standard=self.standard, code="6.2")
        ItemAudit.objects.create(
            submission=h_a, item=six_two, round=1, audited_score=D(4), updated_by=self.office
        )
        unit = UnitOpinion.objects.filter(submission=h_a).first()
        assert unit is not None
        UnitOpinion.objects.create(
            submission=h_a,
            item=self.s,
            unit=unit.unit,
            agrees=False,
            reason="核减",
            adjustment=D(-2),
            updated_by=self.reviewer,
        )
        # A self-score of 6.2 left from before survey items had none.
        ItemAssessment.objects.create(
            submission=h_a, item=six_two, self_score=D(3), updated_by=self.staff
        )
        recompute_campaign(self.campaign.pk)
        self.assertEqual(self.joint("H-a").total, D(22))
        self.assertEqual(self.snapshot("H-a", Stage.AUDIT).total, D("22.5"))
        self.assertEqual(self.snapshot("H-a", Stage.SELF).total, D("6.5"))
        SurveyItemPoints.objects.create(submission=h_a, item=six_two, points=D("2.7"))
        recompute_campaign(self.campaign.pk)
        joint = self.joint("H-a")
        self.assertEqual((joint.total, joint.items_scored), (D("24.7"), 4))
        self.assertEqual(self.snapshot("H-a", Stage.AUDIT).total, D("25.2"))
        rows = {r.item_id: r for r in item_scores(self.campaign.pk, [h_a.pk])}
        six = (rows[six_two.pk], rows[self.s.pk])
        self.assertEqual(
            [(r.self_score, r.audited_score, r.joint_score) for r in six],
            [(None, D("2.7"), D("2.7")), (None, D(16), D(16))],
        )
        self.assert_totals_add_up_the_item_scores()

    def test_more_points_than_the_item_has_count_as_its_points(self) -> None:
        six_two = Item.objects.get(standard=self.standard, code="6.2")
        SurveyItemPoints.objects.create(
            submission=self.submissions["H-a"], item=six_two, points=six_two.max_points + 5
        )
        recompute_campaign(self.campaign.pk)
        self.assertEqual(self.joint("H-a").total, D(22) + six_two.max_points)
        self.assert_totals_add_up_the_item_scores()

    def test_a_cancelled_community_is_out_with_that_reason(self) -> None:
        """A community cancelled by an upheld objection ranked #1 入围."""
        h_a = self.submissions["H-a"]
        h_a.status = Status.REMOVED
        h_a.save()
        recompute_campaign(self.campaign.pk)
        self.assertEqual(self.joint("H-a").outcome, Outcome.CANCELLED)
        # Its place goes to the next: H-c is now within 环翠区's two places.
        self.assertEqual(self.joint("H-c").outcome, Outcome.SHORTLISTED)

    def test_a_declined_community_is_out_and_takes_no_place(self) -> None:
        w_e = self.submissions["W-e"]
        w_e.status = Status.NOT_APPROVED
        w_e.save()
        recompute_campaign(self.campaign.pk)
        self.assertEqual(self.joint("W-e").outcome, Outcome.DECLINED)
        self.assertEqual(self.joint("W-b").outcome, Outcome.SHORTLISTED)

    def test_a_named_community_keeps_its_place_whatever_its_rank(self) -> None:
        """Named communities showed 超出全市入围总数."""
        w_b = self.submissions["W-b"]
        w_b.status = Status.NAMED
        w_b.save()
        recompute_campaign(self.campaign.pk)
        self.assertEqual(self.joint("W-b").outcome, Outcome.SHORTLISTED)
        # Two decided (H-b, W-b) and the best other (H-a) fill the city's three places.
        self.assertEqual(self.joint("H-a").outcome, Outcome.SHORTLISTED)
        self.assertEqual(self.joint("W-e").outcome, Outcome.CITY_CAP)

    def test_a_veto_keeps_a_community_off_even_once_decided_in(self) -> None:
        """The decision table refuses a vetoed candidate; were one approved anyway, it would
        have been 入围 and taken a place."""
        h_d = self.submissions["H-d"]
        h_d.status = Status.APPROVED
        h_d.save()
        recompute_campaign(self.campaign.pk)
        self.assertEqual(self.joint("H-d").outcome, Outcome.VETOED)
        # 环翠区's two places stay with H-b (approved) and H-a.
        self.assertEqual(self.joint("H-a").outcome, Outcome.SHORTLISTED)
        self.assertEqual(self.joint("H-c").outcome, Outcome.DISTRICT_QUOTA)
