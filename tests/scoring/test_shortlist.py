"""The shortlist page, the office's rules, and the recomputes that follow changes."""

import re
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
from campaign.pipeline.workflow import ActionRefused
from campaign.survey.models import SurveyTally
from scoring.engine.models import Outcome, ScoreSnapshot, ScoringRules, Stage
from scoring.engine.recompute import recompute_campaign
from scoring.engine.rules import current_rules
from scoring.engine.schedule import enqueue_submission, recompute_campaign_scores
from scoring.rules.actions import ShortlistRules, do_set_shortlist_rules
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
                ShortlistRules(
                    min_total=Decimal(60),
                    min_satisfaction_percent=Decimal(90),
                    district_quota=1,
                    note="领导小组第1次会议",
                ),
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

    def test_the_action_refuses_a_minimum_above_the_standards_total(self) -> None:
        # The form checks this too; the action holds it for callers without a form.
        with self.assertRaisesMessage(ActionRefused, "最低总分不能超过评价标准的总分100分"):
            do_set_shortlist_rules(
                self.campaign.pk,
                ShortlistRules(min_total=Decimal("100.1")),
                actor=self.office,
                ip=None,
            )
        self.assertFalse(ScoringRules.objects.filter(version__gt=1).exists())


class RulesFormTests(ShortlistCase):
    def setUp(self) -> None:
        self.login(self.office)
        self.rules_url = reverse("shortlist_rules", args=[2020])

    def assert_nothing_saved(self) -> None:
        self.assertFalse(ScoringRules.objects.filter(version__gt=1).exists())
        self.assertFalse(AuditEvent.objects.filter(action="scoring.rules").exists())

    def test_a_non_number_minimum_is_shown_beside_its_field(self) -> None:
        response = self.client.post(self.rules_url, {"min_total": "abc"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(error_beside(response.content, "min_total"), "请输入数字。")
        self.assert_nothing_saved()

    def test_a_city_cap_above_what_the_column_holds_is_shown_beside_its_field(self) -> None:
        response = self.client.post(self.rules_url, {"city_cap": "32768"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(error_beside(response.content, "city_cap"), "应为1到32767之间的整数。")
        self.assert_nothing_saved()

    def test_every_error_is_shown_at_once(self) -> None:
        response = self.client.post(
            self.rules_url, {"min_total": "abc", "district_quota": "2", "city_cap": "32768"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["form"].errors), {"min_total", "city_cap"})
        self.assertEqual(error_beside(response.content, "min_total"), "请输入数字。")
        self.assertEqual(error_beside(response.content, "city_cap"), "应为1到32767之间的整数。")
        # What was typed stays in the form, to be corrected rather than typed again.
        self.assertContains(response, 'value="2"')
        self.assert_nothing_saved()

    def test_each_kind_of_bad_entry_names_its_limit(self) -> None:
        cases = [
            ("min_total", "120", "应在0到100之间，最多一位小数。"),
            ("min_total", "NaN", "请输入数字。"),
            ("min_total", "1e30", "应在0到100之间，最多一位小数。"),
            ("min_satisfaction_percent", "85.55", "应在0到100之间，最多一位小数。"),
            ("min_satisfaction_percent", "-1", "应在0到100之间，最多一位小数。"),
            ("district_quota", "0", "应为1到32767之间的整数。"),
            ("city_cap", "2.5", "请输入整数。"),
            ("note", "字" * 501, "不能超过500字（现有501字）。"),
        ]
        for field, entry, message in cases:
            with self.subTest(field=field, entry=entry):
                response = self.client.post(self.rules_url, {field: entry})
                self.assertEqual(error_beside(response.content, field), message)
        self.assert_nothing_saved()

    def test_valid_entries_at_the_limits_are_saved(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.rules_url,
                {
                    "min_total": " 100 ",
                    "min_satisfaction_percent": "85.50",
                    "district_quota": "1",
                    "city_cap": "32767",
                    "note": "  主任会议  ",
                },
            )
        self.assertRedirects(response, self.url())
        rules = current_rules(self.campaign)
        self.assertEqual(rules.version, 2)
        self.assertEqual((rules.min_total, rules.min_satisfaction), (100, Decimal("0.855")))
        self.assertEqual((rules.district_quota, rules.city_cap, rules.note), (1, 32767, "主任会议"))

    def test_the_short_sample_rule_is_set_with_each_version(self) -> None:
        """The page had no way to say whether 样本不足 keeps a community off the list."""
        response = self.client.get(self.url())
        self.assertInHTML(
            '<input type="checkbox" name="exclude_short_sample" id="id_exclude_short_sample"'
            " checked>",
            response.content.decode(),
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.rules_url, {"exclude_short_sample": "on", "note": "保留"})
            self.client.post(self.rules_url, {"note": "户数少的社区不再因样本不足落选"})
        kept, dropped = ScoringRules.objects.filter(campaign=self.campaign).order_by("version")[1:]
        self.assertEqual((kept.version, kept.exclude_short_sample), (2, True))
        self.assertEqual((dropped.version, dropped.exclude_short_sample), (3, False))
        event = AuditEvent.objects.filter(action="scoring.rules").latest("pk")
        self.assertIs(event.details["exclude_short_sample"], False)
        page = self.client.get(self.url())
        self.assertContains(
            page, "样本不足：有效问卷少于规定样本量（市办未认可该样本的）：不作为不入围理由"
        )

    def test_the_form_is_labelled_and_filled_with_the_rules_in_force(self) -> None:
        response = self.client.get(self.url())
        self.assertContains(response, '<label for="id_min_satisfaction_percent">')
        self.assertInHTML(
            '<input type="number" name="min_satisfaction_percent" value="85" min="0" max="100"'
            ' step="0.1" id="id_min_satisfaction_percent">',
            response.content.decode(),
        )
        # The minimum total's ceiling is the campaign's standard, not the column's.
        self.assertInHTML(
            '<input type="number" name="min_total" min="0" max="100" step="0.1" id="id_min_total">',
            response.content.decode(),
        )


def error_beside(page: bytes, field: str) -> str:
    """The error shown right after the field's input, which names it in aria-describedby."""
    html = page.decode()
    found = re.search(
        rf'<div class="field invalid">\s*<label for="id_{field}">[^<]*</label>'
        rf"(<input[^>]*>|<textarea[^>]*>)(?:[^<]*</textarea>)?\s*"
        rf'<p class="error small" id="id_{field}_error">([^<]*)</p>',
        html,
    )
    assert found is not None, f"no error beside {field}"
    control, message = found.groups()
    assert f'aria-describedby="id_{field}_error"' in control, control
    assert 'aria-invalid="true"' in control, control
    return message


class PageTests(ShortlistCase):
    def test_the_page_shows_who_is_on_the_list_and_why_the_others_are_not(self) -> None:
        do_set_shortlist_rules(
            self.campaign.pk, ShortlistRules(district_quota=1), actor=self.office, ip=None
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

    def test_a_short_sample_is_shown_with_its_sample_and_the_rule_with_its_reason(self) -> None:
        """The page showed 2/2 = 100 % as any other rate, and no rule about the sample."""
        SurveyTally.objects.filter(submission=self.candidates[0]).update(
            satisfied=2, valid=2, sample_size=30, short_sample=True, finish_reason="调查期结束"
        )
        recompute_campaign(self.campaign.pk)
        self.login(self.leader)
        response = self.client.get(self.url())
        # The rule in the words of the reason a community kept off by it shows.
        self.assertContains(
            response, "样本不足：有效问卷少于规定样本量（市办未认可该样本的）：不入围"
        )
        rows = {s.submission.community.name: s for s in response.context["page"]}
        self.assertEqual(rows["东北村社区"].outcome, Outcome.SHORT_SAMPLE)
        self.assertContains(
            response, "100.0%（有效问卷2份，少于规定30份，样本不足；95%区间 34.2%–100.0%）"
        )
        self.assertContains(response, "96.0%（有效问卷50份；95%区间")

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
