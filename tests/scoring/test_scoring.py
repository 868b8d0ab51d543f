"""The scoring engine against a table computed by hand.

Eleven communities in two districts, scored on two ordinary items (1.1 and 3.1, 4 points each)
and the satisfaction item 6.1 (16 points, scored by the survey):

    community  status      1.1 audit(adj)  3.1 audit(adj)  survey      joint   audit
    H-d  …104  joint       4               4               50/50 → 16  24      24    vetoed
    H-a  …103  joint       3.5 (+1 → 4)    3 (-1 → 2)      48/50 → 16  22      22.5
    H-c  …101  joint       3               3.5             45/50 → 12  18.5    18.5
    H-b  …102  joint       3.5             3               45/50 → 12  18.5    18.5
    W-e  …101  joint       4               0 (-0.5 → 0)    45/50 → 12  16      16
    W-b  …102  joint       4               4               43/50 → 8   16      16
    H-f  …105  joint       4               4               42/50 → 0   8       8
    W-c  …103  joint       4               4               (none)      8       8
    W-a  …104  joint       3               2               40/50 → 0   5       5
    W-d  …105  surveying   2               2               (none)      —       4
    H-e  …106  forwarded   (not audited)                               —       —

Every audited community also has an office score of 10 on 6.1, which the survey replaces.
Rules: minimum total 8, minimum satisfaction 85 %, 2 per district, 3 in the city.
"""

from decimal import Decimal
from typing import Any

from django.db.models import ProtectedError

from campaign.pipeline.models import (
    ItemAssessment,
    ItemAudit,
    Status,
    Submission,
    UnitOpinion,
    UnitVeto,
)
from campaign.survey.models import SurveyTally
from scoring.engine.models import Outcome, ScoreSnapshot, ScoringRules, Stage
from scoring.engine.recompute import recompute_campaign, recompute_submission
from scoring.engine.rules import current_rules
from scoring.engine.scores import category_subtotals, category_subtotals_in_turn, item_scores
from standards.models import Category, Item, MemberUnit
from tests.base import CampaignTestCase, make_community

D = Decimal
H, W = "3710020011", "3710030011"
# name: (code, status, (1.1 audit, adjustment), (3.1 audit, adjustment), (satisfied, valid, points))
HAND_BUILT: dict[str, tuple[str, Status, Any, Any, Any]] = {
    "H-d": (H + "04", Status.AWAITING_DECISION, (4, 0), (4, 0), (50, 50, 16)),
    "H-a": (H + "03", Status.JOINT_REVIEW, (3.5, 1), (3, -1), (48, 50, 16)),
    "H-c": (H + "01", Status.JOINT_REVIEW, (3, 0), (3.5, 0), (45, 50, 12)),
    "H-b": (H + "02", Status.APPROVED, (3.5, 0), (3, 0), (45, 50, 12)),
    "W-e": (W + "01", Status.JOINT_REVIEW, (4, 0), (0, -0.5), (45, 50, 12)),
    "W-b": (W + "02", Status.JOINT_REVIEW, (4, 0), (4, 0), (43, 50, 8)),
    "H-f": (H + "05", Status.JOINT_REVIEW, (4, 0), (4, 0), (42, 50, 0)),
    "W-c": (W + "03", Status.JOINT_REVIEW, (4, 0), (4, 0), None),
    "W-a": (W + "04", Status.NOT_APPROVED, (3, 0), (2, 0), (40, 50, 0)),
    "W-d": (W + "05", Status.SURVEYING, (2, 0), (2, 0), None),
    "H-e": (H + "06", Status.FORWARDED, None, None, None),
}
# name: (total, city rank, district rank, outcome)
JOINT = {
    "H-d": (D(24), 1, 1, Outcome.VETOED),
    "H-a": (D(22), 2, 2, Outcome.SHORTLISTED),
    "H-c": (D("18.5"), 3, 3, Outcome.DISTRICT_QUOTA),
    # Approved by the leading group: on the list, and its place taken first.
    "H-b": (D("18.5"), 4, 4, Outcome.SHORTLISTED),
    "W-e": (D(16), 5, 1, Outcome.SHORTLISTED),
    "W-b": (D(16), 6, 2, Outcome.CITY_CAP),
    "H-f": (D(8), 7, 5, Outcome.MIN_SATISFACTION),
    "W-c": (D(8), 8, 3, Outcome.NO_SURVEY),
    # Turned down by the leading group: out with that reason, whatever the rules say.
    "W-a": (D(5), 9, 4, Outcome.DECLINED),
}
AUDIT = {
    "H-d": (D(24), 1, 1),
    "H-a": (D("22.5"), 2, 2),
    "H-c": (D("18.5"), 3, 3),
    "H-b": (D("18.5"), 4, 4),
    "W-e": (D(16), 5, 1),
    "W-b": (D(16), 6, 2),
    "H-f": (D(8), 7, 5),
    "W-c": (D(8), 8, 3),
    "W-a": (D(5), 9, 4),
    "W-d": (D(4), 10, 5),
}
# Self-scores equal the office's, plus H-e's 4 + 4; H-a's 14 on 6.1 counts nowhere (the survey
# scores 6.1).
SELF = {
    "H-d": (D(8), 1),
    "H-f": (D(8), 2),
    "H-e": (D(8), 3),
    "W-b": (D(8), 4),
    "W-c": (D(8), 5),
    "H-c": (D("6.5"), 6),
    "H-b": (D("6.5"), 7),
    "H-a": (D("6.5"), 8),
    "W-a": (D(5), 9),
    "W-e": (D(4), 10),
    "W-d": (D(4), 11),
}


class HandBuiltCampaign(CampaignTestCase):
    """The campaign of the table above."""

    a: Item
    b: Item
    s: Item
    submissions: dict[str, Submission]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        items = Item.objects.filter(standard=cls.standard)
        cls.a, cls.b, cls.s = (items.get(code=c) for c in ("1.1", "3.1", "6.1"))
        units = list(MemberUnit.objects.order_by("pk")[:2])
        cls.submissions = {}
        for name, (code, status, a, b, survey) in HAND_BUILT.items():
            community = make_community(code, f"{name}社区")
            submission = Submission.objects.create(
                campaign=cls.campaign,
                community=community,
                district_id=community.district_id,
                status=status,
            )
            cls.submissions[name] = submission
            selves = {cls.a: D(str(a[0])) if a else D(4), cls.b: D(str(b[0])) if b else D(4)}
            if name == "H-a":
                selves[cls.s] = D(14)
            for item, score in selves.items():
                ItemAssessment.objects.create(
                    submission=submission, item=item, self_score=score, updated_by=cls.staff
                )
            if a is None:
                continue
            office_scores: list[tuple[Item, Any]] = [(cls.a, a), (cls.b, b), (cls.s, (10, 0))]
            for item, (score, adjustment) in office_scores:
                ItemAudit.objects.create(
                    submission=submission,
                    item=item,
                    round=1,
                    audited_score=D(str(score)),
                    updated_by=cls.office,
                )
                if adjustment:
                    for unit in units:
                        UnitOpinion.objects.create(
                            submission=submission,
                            item=item,
                            unit=unit,
                            agrees=False,
                            reason="核减",
                            adjustment=D(str(adjustment)) / 2,
                            updated_by=cls.reviewer,
                        )
            if survey:
                satisfied, valid, points = survey
                SurveyTally.objects.create(
                    submission=submission,
                    satisfied=satisfied,
                    valid=valid,
                    points=D(points),
                    source="调查公司",
                    recorded_by=cls.office,
                )
        UnitVeto.objects.create(
            submission=cls.submissions["H-d"],
            unit=units[0],
            reason="存在重大安全隐患",
            vetoed_by=cls.reviewer,
        )
        rules = current_rules(cls.campaign)
        ScoringRules.objects.create(
            campaign=cls.campaign,
            version=2,
            satisfaction_item=rules.satisfaction_item,
            min_total=D(8),
            min_satisfaction=D("0.85"),
            district_quota=2,
            city_cap=3,
        )

    def table(self, stage: Stage) -> dict[str, tuple[Any, ...]]:
        names = {s.pk: name for name, s in self.submissions.items()}
        return {
            names[s.submission_id]: (s.total, s.city_rank, s.district_rank, s.outcome)
            for s in ScoreSnapshot.objects.filter(campaign=self.campaign, stage=stage)
        }

    def assert_totals_add_up_the_item_scores(self) -> None:
        category_ids = list(Category.objects.order_by("pk").values_list("pk", flat=True))
        column_of = {
            item: category_ids.index(category)
            for item, category in Item.objects.values_list("pk", "category_id")
        }
        sums: dict[tuple[int, str], Decimal] = {}
        by_category: dict[str, dict[int, list[Decimal]]] = {s: {} for s in Stage}
        for row in item_scores(self.campaign.pk):
            for stage, score in (
                (Stage.SELF, row.self_score),
                (Stage.AUDIT, row.audited_score),
                (Stage.JOINT, row.joint_score),
            ):
                key = (row.submission_id, stage)
                sums[key] = sums.get(key, D(0)) + (score or 0)
                if score is not None:
                    cells = by_category[stage].setdefault(
                        row.submission_id, [D(0)] * len(category_ids)
                    )
                    cells[column_of[row.item_id]] += score
        snapshots = ScoreSnapshot.objects.filter(campaign=self.campaign)
        self.assertEqual(snapshots.count(), 30)
        for snapshot in snapshots:
            self.assertEqual(snapshot.total, sums[(snapshot.submission_id, snapshot.stage)])
        for stage in Stage:
            with self.subTest(stage=stage):
                expected = {k: tuple(v) for k, v in by_category[stage].items()}
                subtotals = category_subtotals(self.campaign, stage, category_ids)
                self.assertEqual(subtotals, expected)
                floats = category_subtotals(self.campaign, stage, category_ids, as_float=True)
                self.assertEqual(floats, {k: tuple(map(float, v)) for k, v in expected.items()})


class HandComputedTableTests(HandBuiltCampaign):
    def test_the_three_stages_match_the_hand_computed_table(self) -> None:
        self.assertEqual(recompute_campaign(self.campaign.pk), 11 + 10 + 9)
        self.assertEqual(self.table(Stage.JOINT), JOINT)
        self.assertEqual(self.table(Stage.AUDIT), {k: (*v, "") for k, v in AUDIT.items()})
        self_table = self.table(Stage.SELF)
        self.assertEqual({k: v[:2] for k, v in self_table.items()}, SELF)

    def test_each_snapshot_names_the_rules_and_the_survey_behind_it(self) -> None:
        recompute_campaign(self.campaign.pk)
        joint = ScoreSnapshot.objects.filter(stage=Stage.JOINT)
        self.assertEqual({s.rules.version for s in joint}, {2})
        h_a = joint.get(submission=self.submissions["H-a"])
        self.assertEqual((h_a.satisfied, h_a.valid, h_a.satisfaction_points), (48, 50, D(16)))
        self.assertEqual((h_a.items_scored, h_a.veto_count), (3, 0))
        w_c = joint.get(submission=self.submissions["W-c"])
        self.assertEqual((w_c.items_scored, w_c.satisfaction_points, w_c.valid), (2, None, None))
        self.assertEqual(joint.get(submission=self.submissions["H-d"]).veto_count, 1)

    def test_item_and_category_scores_read_the_same_definition(self) -> None:
        h_a = self.submissions["H-a"]
        rows = {r.item_id: r for r in item_scores(self.campaign.pk, [h_a.pk])}
        self.assertEqual(len(rows), 33)
        a, b, s = rows[self.a.pk], rows[self.b.pk], rows[self.s.pk]
        self.assertEqual((a.self_score, a.audited_score, a.joint_score), (D("3.5"), D("3.5"), D(4)))
        self.assertEqual((b.self_score, b.audited_score, b.joint_score), (D(3), D(3), D(2)))
        # 6.1 is scored by the survey alone: the district's 14 is not a self-score of it.
        self.assertEqual((s.self_score, s.audited_score, s.joint_score), (None, D(16), D(16)))
        categories = [self.a.category_id, self.b.category_id, self.s.category_id, -1]
        subtotals = category_subtotals(self.campaign, Stage.JOINT, categories, [h_a.pk])
        # A category without any score (here one that does not exist) counts 0.
        self.assertEqual(subtotals, {h_a.pk: (D(4), D(2), D(16), D(0))})

    def test_recomputing_is_idempotent_and_one_community_agrees_with_the_whole(self) -> None:
        recompute_campaign(self.campaign.pk)
        first = self.table(Stage.JOINT)
        recompute_campaign(self.campaign.pk)
        self.assertEqual(self.table(Stage.JOINT), first)
        # W-b's survey improves to 45/50 (12 points, total 20): third in the city, first in its
        # district, and the cap now keeps W-e off instead.
        tally = SurveyTally.objects.get(submission=self.submissions["W-b"])
        tally.satisfied, tally.points = 45, D(12)
        tally.save()
        recompute_submission(self.submissions["W-b"].pk)
        one = self.table(Stage.JOINT)
        self.assertEqual(one["W-b"], (D(20), 3, 1, Outcome.SHORTLISTED))
        self.assertEqual(one["W-e"], (D(16), 6, 2, Outcome.CITY_CAP))
        recompute_campaign(self.campaign.pk)
        self.assertEqual(self.table(Stage.JOINT), one)

    def test_without_rules_set_only_the_survey_and_the_veto_exclude(self) -> None:
        ScoringRules.objects.filter(version=2).delete()
        recompute_campaign(self.campaign.pk)
        outcomes = {k: v[3] for k, v in self.table(Stage.JOINT).items()}
        # Version 1 takes the standard's 85 % as the minimum satisfaction, nothing else.
        self.assertEqual(outcomes["H-d"], Outcome.VETOED)
        self.assertEqual(outcomes["W-c"], Outcome.NO_SURVEY)
        self.assertEqual(outcomes["H-f"], Outcome.MIN_SATISFACTION)
        self.assertEqual(outcomes["W-a"], Outcome.DECLINED)
        self.assertEqual(outcomes["H-b"], Outcome.SHORTLISTED)

    def test_a_rules_version_that_snapshots_name_cannot_be_deleted(self) -> None:
        # The database does not check the snapshots' rules key (a recompute would check it on
        # every row): the ORM's PROTECT keeps the version, and the snapshots keep their rules.
        recompute_campaign(self.campaign.pk)
        with self.assertRaises(ProtectedError):
            ScoringRules.objects.filter(campaign=self.campaign, version=2).delete()
        self.assertEqual(
            set(ScoreSnapshot.objects.values_list("rules__version", flat=True).distinct()), {2}
        )

    def test_category_subtotals_in_batches_are_those_of_the_whole(self) -> None:
        recompute_campaign(self.campaign.pk)
        category_ids = list(Category.objects.order_by("pk").values_list("pk", flat=True))
        whole = category_subtotals(self.campaign, Stage.JOINT, category_ids)
        ids = sorted(s.pk for s in self.submissions.values())
        batches = [ids[:4], ids[4:5], ids[5:]]
        with category_subtotals_in_turn(
            self.campaign, Stage.JOINT, category_ids, batches
        ) as in_turn:
            received = list(in_turn)
        self.assertEqual([set(r) for r in received], [set(b) & set(whole) for b in batches])
        self.assertEqual({k: v for r in received for k, v in r.items()}, whole)
        h_a = whole[self.submissions["H-a"].pk]
        self.assertEqual(
            [h_a[category_ids.index(i.category_id)] for i in (self.a, self.b, self.s)],
            [D(4), D(2), D(16)],
        )

    def test_the_snapshot_totals_and_category_subtotals_add_up_the_item_scores(self) -> None:
        recompute_campaign(self.campaign.pk)
        self.assert_totals_add_up_the_item_scores()

    def test_without_a_satisfaction_item_the_survey_adds_no_points(self) -> None:
        ScoringRules.objects.create(campaign=self.campaign, version=3, satisfaction_item=None)
        recompute_campaign(self.campaign.pk)
        h_a = ScoreSnapshot.objects.get(submission=self.submissions["H-a"], stage=Stage.JOINT)
        # 6.1 is still the survey's to score: without tiers nothing scores it, the office's
        # audit of it counts nowhere; the survey result is still shown.
        self.assertEqual((h_a.satisfaction_points, h_a.satisfied, h_a.valid), (None, 48, 50))
        self.assertEqual(h_a.total, D(6))
        self.assert_totals_add_up_the_item_scores()

    def test_a_satisfaction_item_outside_the_survey_items_is_scored_once(self) -> None:
        """Its audit was added to the totals beside the survey's points."""
        ScoringRules.objects.create(campaign=self.campaign, version=3, satisfaction_item=self.a)
        recompute_campaign(self.campaign.pk)
        h_a = ScoreSnapshot.objects.get(submission=self.submissions["H-a"], stage=Stage.JOINT)
        # 3.1's 2 and the tiers' 16 on 1.1 (at most its 4 points); 6.1 has no tiers now.
        self.assertEqual((h_a.total, h_a.satisfaction_points), (D(6), D(4)))
        self.assert_totals_add_up_the_item_scores()
