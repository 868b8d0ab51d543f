"""The shortlist page, the office's rules, and the recomputes that follow changes."""

import time
from decimal import Decimal
from io import StringIO
from typing import Any
from unittest import skipUnless

from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import TransactionTestCase
from django.urls import reverse

from campaign.joint.actions import do_veto
from campaign.kernel.models import AuditEvent
from campaign.kernel.roles import Role
from campaign.pipeline.actions import do_create_campaign
from campaign.pipeline.models import Campaign, Status, Submission
from campaign.survey.models import SurveyTally
from scoring.engine.models import Outcome, ScoreSnapshot, ScoringRules, Stage
from scoring.engine.recompute import recompute_campaign
from scoring.engine.rules import current_rules
from scoring.engine.schedule import enqueue_submission, recompute_campaign_scores
from scoring.rules.actions import RulesForm, do_set_shortlist_rules
from standards.models import MemberUnit
from tests.base import CampaignTestCase, ReferenceDataMixin, make_community, make_user
from tests.builders import open_every_phase, submission_at
from tests.runner import on_real_stack


class ShortlistCase(CampaignTestCase):
    candidates: list[Submission]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        open_every_phase(cls.campaign)
        cls.candidates = [
            submission_at(cls.campaign, c, Status.JOINT_REVIEW, actor=cls.office)
            for c in (cls.dongbei, cls.gumo, cls.longshan)
        ]

    def url(self) -> str:
        return reverse("shortlist", args=[self.campaign.year])


class RulesTests(ShortlistCase):
    def test_rules_are_versions_and_the_change_is_audited(self) -> None:
        first = current_rules(self.campaign)
        self.assertEqual((first.version, first.min_satisfaction), (1, Decimal("0.850")))
        assert first.satisfaction_item is not None
        self.assertEqual(first.satisfaction_item.code, "6.1")
        with self.captureOnCommitCallbacks(execute=True):
            rules = do_set_shortlist_rules(
                self.campaign.pk,
                RulesForm("60", "90", "1", "", "领导小组第1次会议"),
                actor=self.office,
                ip=None,
            )
        self.assertEqual(rules.version, 2)
        self.assertEqual((rules.min_total, rules.min_satisfaction), (Decimal(60), Decimal("0.9")))
        self.assertEqual((rules.district_quota, rules.city_cap), (1, None))
        event = AuditEvent.objects.get(action="scoring.rules")
        self.assertEqual(event.details["min_satisfaction"], "90")
        self.assertEqual(ScoringRules.objects.filter(campaign=self.campaign).count(), 2)
        # Saving queued the recompute (in-process without Redis, on the worker with it).
        snapshots = ScoreSnapshot.objects.filter(stage=Stage.JOINT)
        if not on_real_stack():
            self.assertEqual({s.rules_id for s in snapshots}, {rules.pk})

    def test_bad_entries_are_refused_naming_the_field(self) -> None:
        self.login(self.office)
        cases = [
            (RulesForm(min_total="abc"), "最低总分应为数字"),
            (RulesForm(min_total="120"), "最低总分应在0到100"),
            (RulesForm(min_satisfaction_percent="85.55"), "最低满意率应在0到100之间，最多一位小数"),
            (RulesForm(district_quota="0"), "每区市入围名额应为1到9999之间的整数"),
            (RulesForm(city_cap="2.5"), "全市入围总数应为1到9999之间的整数"),
        ]
        for form, message in cases:
            response = self.client.post(
                reverse("shortlist_rules", args=[2020]), vars(form), follow=True
            )
            self.assertContains(response, message)
        self.assertEqual(ScoringRules.objects.count(), 1)


class PageTests(ShortlistCase):
    def test_the_page_shows_who_is_on_the_list_and_why_the_others_are_not(self) -> None:
        do_set_shortlist_rules(
            self.campaign.pk, RulesForm(district_quota="1"), actor=self.office, ip=None
        )
        recompute_campaign(self.campaign.pk)
        self.login(self.leader)
        response = self.client.get(self.url())
        # 东北村 and 古陌 are both in 环翠区, equal in every score: the code puts 东北村 first.
        self.assertContains(response, "入围规则（第2版）")
        rows = {s.submission.community.name: s for s in response.context["page"]}
        self.assertEqual(rows["东北村社区"].outcome, Outcome.SHORTLISTED)
        self.assertEqual(rows["古陌社区"].outcome, Outcome.DISTRICT_QUOTA)
        self.assertEqual(rows["龙山社区"].outcome, Outcome.SHORTLISTED)
        self.assertContains(response, "超出本区市入围名额")
        self.assertContains(response, "96.0%")
        self.assertNotContains(response, "修改入围规则")
        filtered = self.client.get(self.url(), {"outcome": "district_quota"})
        self.assertEqual(
            [s.submission.community.name for s in filtered.context["page"]], ["古陌社区"]
        )

    def test_the_query_count_does_not_grow_with_rows(self) -> None:
        self.login(self.office)
        for code in ("371002001002", "371002002002", "371003001002"):
            recompute_campaign(self.campaign.pk)
            with self.assertNumQueries(QUERIES):
                self.client.get(self.url())
            community = make_community(code, f"新社区{code[-1]}")
            submission_at(self.campaign, community, Status.JOINT_REVIEW, actor=self.office)


QUERIES = 12


class RecomputeCommandTests(ShortlistCase):
    def test_the_command_recomputes_and_is_idempotent(self) -> None:
        out = StringIO()
        call_command("recompute_scores", "--campaign", "2020", stdout=out)
        self.assertIn("9条得分快照", out.getvalue())
        first = list(
            ScoreSnapshot.objects.values_list("submission_id", "stage", "total", "city_rank")
        )
        call_command("recompute_scores", stdout=StringIO())
        again = list(
            ScoreSnapshot.objects.values_list("submission_id", "stage", "total", "city_rank")
        )
        self.assertEqual(sorted(first), sorted(again))
        self.assertEqual(AuditEvent.objects.filter(action="scoring.recompute").count(), 2)
        with self.assertRaisesMessage(CommandError, "没有2031年度的创建活动"):
            call_command("recompute_scores", "--campaign", "2031")


@skipUnless(on_real_stack(), "needs PostgreSQL, Redis and the worker that make test starts")
class WorkerRecomputeTests(ReferenceDataMixin, TransactionTestCase):
    def setUp(self) -> None:
        self.load_reference_data()
        self.create_personas()
        self.create_register()
        self.campaign = do_create_campaign(2020, "2020年创建活动", self.standard.pk)
        open_every_phase(self.campaign)
        self.submission = submission_at(
            self.campaign, self.dongbei, Status.JOINT_REVIEW, actor=self.office
        )
        cache.clear()

    def wait_for(self, condition: Any, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        raise AssertionError("the worker did not recompute the scores (see its log)")

    def test_a_burst_of_changes_costs_one_recompute(self) -> None:
        # Holding the campaign's lock keeps the queued task from starting its work.
        with transaction.atomic():
            Campaign.objects.select_for_update().get(pk=self.campaign.pk)
            queued = [enqueue_submission(self.submission.pk) for _n in range(5)]
            time.sleep(1)
            self.assertFalse(ScoreSnapshot.objects.exists())
        self.assertEqual(queued, [True, False, False, False, False])
        self.wait_for(lambda: ScoreSnapshot.objects.filter(stage=Stage.JOINT).exists())
        self.wait_for(lambda: enqueue_submission(self.submission.pk))

    def test_an_action_recomputes_the_community_after_commit(self) -> None:
        reviewer = make_user("gaj", Role.UNIT_REVIEWER, unit=MemberUnit.objects.get(code="gaj"))
        do_veto(self.submission.pk, "治安隐患", actor=reviewer)
        joint = ScoreSnapshot.objects.filter(submission=self.submission, stage=Stage.JOINT)
        self.wait_for(lambda: joint.filter(veto_count=1, outcome=Outcome.VETOED).exists())

    def test_a_failed_recompute_leaves_the_old_scores_and_the_retry_succeeds(self) -> None:
        recompute_campaign(self.campaign.pk)
        before = list(ScoreSnapshot.objects.order_by("pk").values_list("pk", "total", "city_rank"))
        SurveyTally.objects.filter(submission=self.submission).update(points=Decimal(8))
        with connection.cursor() as cursor:
            # The next write of a snapshot fails, as a lost connection or a deadlock would.
            cursor.execute(FAIL_ONCE)
        try:
            with self.assertRaises(DatabaseError):
                recompute_campaign(self.campaign.pk)
            after = list(
                ScoreSnapshot.objects.order_by("pk").values_list("pk", "total", "city_rank")
            )
            self.assertEqual(after, before)
            # The worker's first attempt fails the same way; Celery retries it.
            recompute_campaign_scores.delay(self.campaign.pk)
            joint = ScoreSnapshot.objects.filter(stage=Stage.JOINT)
            self.wait_for(lambda: joint.filter(satisfaction_points=Decimal(8)).exists())
            with connection.cursor() as cursor:
                cursor.execute("SELECT last_value FROM fail_once")
                # 1: the failure above, 2: the worker's failed attempt, 3: its retry.
                self.assertGreaterEqual(cursor.fetchone()[0], 3)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(UNDO_FAIL_ONCE)


FAIL_ONCE = """
CREATE SEQUENCE fail_once;
CREATE FUNCTION fail_once() RETURNS trigger AS $$
BEGIN
    IF nextval('fail_once') <= 2 THEN RAISE EXCEPTION 'injected failure'; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER fail_once BEFORE INSERT ON scoring_scoresnapshot
    FOR EACH ROW EXECUTE FUNCTION fail_once();
"""
UNDO_FAIL_ONCE = """
DROP TRIGGER fail_once ON scoring_scoresnapshot;
DROP FUNCTION fail_once();
DROP SEQUENCE fail_once;
"""
