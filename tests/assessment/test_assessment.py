"""Self-assessment in the browser and the district admin's review: saving, stale tabs, progress,
submitting, deadlines, returning, recommending within quota and forwarding to the office."""

import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from campaign.assessment.actions import do_save_item, do_submit
from campaign.district.actions import do_forward_district, do_recommend, do_return
from campaign.kernel.models import AuditEvent
from campaign.kernel.roles import Role
from campaign.pipeline.actions import do_extend_phase
from campaign.pipeline.models import (
    CampaignPhase,
    ItemAssessment,
    Phase,
    RegisterFigures,
    Status,
    Submission,
)
from campaign.pipeline.workflow import TRANSITIONS, Action, ActionRefused, find_transition
from standards.models import Item, scored_by_people
from tests.base import CampaignTestCase, make_community


class AssessmentCase(CampaignTestCase):
    def items(self) -> list[Item]:
        """The items a community self-scores (the survey and the system score the others)."""
        items = Item.objects.filter(scored_by_people(), standard=self.standard)
        return list(items.order_by("display_order"))

    def save(self, community: Any, code: str, score: Any, text: str = "", **kw: Any) -> Any:
        item = Item.objects.get(standard=self.standard, code=code)
        return do_save_item(
            self.campaign.pk,
            community.pk,
            item.pk,
            score=score,
            explanation=text,
            expected_version=kw.get("version"),
            actor=kw.get("actor", self.staff),
        )

    def fill(self, community: Any, actor: Any = None) -> Submission:
        for item in self.items():
            self.save(
                community,
                item.code,
                item.max_points - 1,
                "已落实，见佐证材料。",
                actor=actor or self.staff,
            )
        return Submission.objects.get(campaign=self.campaign, community=community)

    def submitted(self, community: Any, actor: Any = None) -> Submission:
        submission = self.fill(community, actor or self.staff)
        return do_submit(submission.pk, actor=actor or self.staff)

    def close(self, phase: Phase) -> None:
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        CampaignPhase.objects.filter(campaign=self.campaign, phase=phase).update(
            starts_on=yesterday - datetime.timedelta(days=30), ends_on=yesterday
        )

    def detail_url(self, community: Any = None) -> str:
        return reverse("assessment_detail", args=[2020, (community or self.dongbei).code])

    def save_url(self, code: str, community: Any = None) -> str:
        return reverse("assessment_item_save", args=[2020, (community or self.dongbei).code, code])


class SavingTests(AssessmentCase):
    def test_first_save_starts_a_draft_and_is_audited(self) -> None:
        self.login(self.staff)
        response = self.client.post(
            self.save_url("2.1"), {"score": "1.5", "explanation": "制定了居民公约。", "version": 0}
        )
        self.assertRedirects(
            response, self.detail_url() + "#item-2.1", fetch_redirect_response=False
        )
        submission = Submission.objects.get(community=self.dongbei)
        self.assertEqual(submission.status, Status.DRAFT)
        self.assertEqual(submission.district, self.huancui)
        assessment = submission.assessments.get()
        self.assertEqual((assessment.self_score, assessment.version), (Decimal("1.5"), 1))
        event = AuditEvent.objects.get(action="assessment.save")
        self.assertEqual(event.details["item"], "2.1")
        self.assertEqual(event.details["score"], [None, "1.5"])
        self.assertEqual((event.actor, event.role), (self.staff, Role.DISTRICT_STAFF))

    def test_autosave_answers_json_with_progress(self) -> None:
        self.login(self.staff)
        response = self.client.post(
            self.save_url("1.1"),
            {"score": "４", "explanation": "党建引领有力。", "version": 0},
            headers={"X-Requested-With": "fetch"},
        )
        data = response.json()
        self.assertTrue(data["ok"])
        self.assertEqual((data["version"], data["done"], data["problem"]), (1, 1, ""))
        # 1.2 and 1.3 are scored by the system: category 1 has three items to self-score.
        self.assertEqual(data["categories"]["1"], [1, 3])

    def test_bad_scores_are_refused_but_the_explanation_is_kept(self) -> None:
        cases = {
            "3.5": "超过本项分值",
            "-1": "不能为负数",
            "1.3": "最小单位为0.5分",
            "两分": "不是数字",
        }
        for score, message in cases.items():
            with self.subTest(score=score):
                outcome = self.save(self.dongbei, "2.2", score, f"说明{score}")
                self.assertIn(message, outcome.score_error)
                self.assertIsNone(outcome.assessment.self_score)
                self.assertEqual(outcome.assessment.explanation, f"说明{score}")

    def test_a_stale_tab_cannot_overwrite_newer_work(self) -> None:
        self.save(self.dongbei, "2.3", "2", "第一个窗口写的。", version=0)
        with self.assertRaises(ActionRefused) as refused:
            self.save(self.dongbei, "2.3", "1", "旧窗口写的。", version=0)
        self.assertIn("其他窗口修改", refused.exception.message)
        assessment = Submission.objects.get().assessments.get()
        self.assertEqual(assessment.explanation, "第一个窗口写的。")

        self.login(self.staff)
        response = self.client.post(
            self.save_url("2.3"),
            {"score": "1", "explanation": "旧窗口写的。", "version": 0},
            headers={"X-Requested-With": "fetch"},
        )
        self.assertEqual(response.status_code, 409)
        self.assertIn("其他窗口修改", response.json()["error"])
        self.assertTrue(response.json()["stale"])  # the script stops autosaving this item
        # Without JavaScript the page comes back with the typed text still in the form.
        response = self.client.post(
            self.save_url("2.3"), {"score": "1", "explanation": "旧窗口写的。", "version": 0}
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "旧窗口写的。", status_code=409)
        self.assertContains(response, "其他窗口修改", status_code=409)
        self.assertEqual(AuditEvent.objects.filter(action="assessment.save").count(), 1)

    def test_page_shows_progress_per_category_and_hard_indicators(self) -> None:
        self.save(self.gumo, "1.1", "3", "党建引领有力。")
        self.save(self.gumo, "1.4", "3", "")
        self.login(self.staff)
        response = self.client.get(self.detail_url(self.gumo))
        # 28 items to self-score: 1.2, 1.3 and 3.2 score themselves, 6.1 and 6.2 the survey.
        self.assertContains(response, "<span data-progress-done>1</span> / 28")
        self.assertContains(response, '<span data-category="1">1/3</span>')
        self.assertContains(response, "自评得分大于0分时必须填写自评说明")
        # 古陌社区 has 4 full-time workers: the staffing indicator fails beside item 1.2, which
        # the system scores 0 — nothing to type there.
        content = response.content.decode()
        item = content[content.index('id="item-1.2"') : content.index('id="item-1.3"')]
        self.assertIn("硬指标核验", item)
        self.assertIn('class="badge bad"', item)
        self.assertIn("系统自动核验", item)
        self.assertIn("得0分", item)
        self.assertNotIn('name="score"', item)
        survey = content[content.index('id="item-6.1"') : content.index('id="item-6.2"')]
        self.assertIn("由满意度调查计分", survey)
        self.assertNotIn('name="score"', survey)

    def test_nobody_types_a_score_the_survey_or_the_system_gives(self) -> None:
        """1.2 took 2.5 where the indicator failed and the rule says 0; 6.1 had to be
        self-scored before the survey existed."""
        for code, words in (("1.2", "自动核验"), ("6.1", "由满意度调查计分")):
            with self.subTest(code=code), self.assertRaisesMessage(ActionRefused, words):
                self.save(self.gumo, code, "2.5", "专职工作者4人，正在招聘。")
        self.assertFalse(ItemAssessment.objects.exists())

    def test_saving_is_refused_after_the_deadline_and_allowed_after_an_extension(self) -> None:
        self.close(Phase.SELF_ASSESSMENT)
        with self.assertRaises(ActionRefused) as refused:
            self.save(self.dongbei, "2.1", "1", "说明")
        self.assertIn("已于", refused.exception.message)
        self.assertIn("截止", refused.exception.message)
        self.assertFalse(Submission.objects.exists())
        self.login(self.staff)
        self.assertContains(self.client.get(self.detail_url()), "如需延期")

        do_extend_phase(
            self.campaign.pk,
            Phase.SELF_ASSESSMENT,
            timezone.localdate() + datetime.timedelta(days=3),
            "受台风影响延期三天。",
            actor=self.office,
        )
        self.save(self.dongbei, "2.1", "1", "说明")
        event = AuditEvent.objects.get(action="campaign.extend_phase")
        self.assertEqual(event.comment, "受台风影响延期三天。")
        self.assertEqual(event.details, {"phase": "self_assessment"})

    def test_office_extends_a_deadline_in_the_browser_but_never_shortens_it(self) -> None:
        url = reverse("phase_extend", args=[2020, Phase.SELF_ASSESSMENT])
        self.login(self.office)
        earlier = timezone.localdate().isoformat()
        response = self.client.post(url, {"ends_on": earlier, "reason": "提前"}, follow=True)
        # Refused: the page again, with what was typed.
        self.assertContains(response, "必须晚于原截止日期", status_code=400)
        later = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
        response = self.client.post(url, {"ends_on": later, "reason": "延期"}, follow=True)
        self.assertContains(response, "截止日期已调整")
        self.assertContains(response, later)


class SubmitTests(AssessmentCase):
    def test_submit_lists_every_missing_item(self) -> None:
        self.save(self.dongbei, "1.1", "4", "")
        self.login(self.staff)
        response = self.client.post(reverse("assessment_submit", args=[2020, self.dongbei.code]))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "还有28个小项未完成", status_code=400)
        self.assertContains(
            response, "1.1 党建引领：自评得分大于0分时必须填写自评说明", status_code=400
        )
        self.assertContains(response, "5.8 信用进社区：未填写自评得分", status_code=400)
        self.assertNotContains(response, "6.2 创建知晓与参与：", status_code=400)
        self.assertEqual(Submission.objects.get().status, Status.DRAFT)

    def test_a_complete_assessment_is_submitted_and_then_locked(self) -> None:
        submission = self.fill(self.dongbei)
        self.login(self.staff)
        response = self.client.post(reverse("assessment_submit", args=[2020, self.dongbei.code]))
        self.assertRedirects(response, reverse("assessment_list", args=[2020]))
        submission.refresh_from_db()
        self.assertEqual(submission.status, Status.SUBMITTED)
        self.assertIsNotNone(submission.submitted_at)
        event = AuditEvent.objects.get(action="assessment.submit")
        self.assertEqual((event.from_state, event.to_state), ("draft", "submitted"))
        with self.assertRaises(ActionRefused):
            self.save(self.dongbei, "1.1", "1", "改")
        self.assertNotContains(self.client.get(self.detail_url()), 'name="explanation"')

    def test_submitting_freezes_the_figures_and_scores_the_auto_verified_items(self) -> None:
        """The register stayed editable after submission and the indicators were live."""
        submission = self.submitted(self.gumo)  # 4 full-time workers: staffing fails
        figures = RegisterFigures.objects.get(submission=submission)
        self.assertEqual((figures.full_time_workers, figures.staffing_result), (4, "fail"))
        scores = dict(
            ItemAssessment.objects.filter(submission=submission).values_list(
                "item__code", "self_score"
            )
        )
        self.assertEqual((scores["1.2"], scores["1.3"], scores["3.2"]), (0, 3, 3))
        self.assertNotIn("6.1", scores)
        self.gumo.full_time_workers = 9
        self.gumo.save()
        figures.refresh_from_db()
        self.assertEqual((figures.full_time_workers, figures.staffing_result), (4, "fail"))
        self.login(self.staff)
        page = self.client.get(self.detail_url(self.gumo)).content.decode()
        item = page[page.index('id="item-1.2"') : page.index('id="item-1.3"')]
        self.assertIn("实际 4 人", item)

    def test_zero_needs_no_explanation(self) -> None:
        for item in self.items():
            self.save(self.dongbei, item.code, "0")
        submission = do_submit(Submission.objects.get().pk, actor=self.staff)
        self.assertEqual(submission.status, Status.SUBMITTED)


class DistrictReviewTests(AssessmentCase):
    def test_return_fix_and_resubmit(self) -> None:
        submission = self.submitted(self.dongbei)
        self.login(self.district_admin)
        url = reverse("submission_return", args=[2020, self.dongbei.code])
        response = self.client.post(url, {"comment": ""}, follow=True)
        self.assertContains(response, "退回意见", status_code=400)
        response = self.client.post(url, {"comment": "3.2项面积与名录不符。"}, follow=True)
        self.assertContains(response, "已将东北村社区退回修改")
        submission.refresh_from_db()
        self.assertEqual(submission.status, Status.RETURNED)

        self.login(self.staff)
        self.assertContains(self.client.get(self.detail_url()), "3.2项面积与名录不符。")
        # A returned submission can be corrected until the recommendation deadline.
        self.close(Phase.SELF_ASSESSMENT)
        self.save(self.dongbei, "3.1", "2", "已更正面积。")
        do_submit(submission.pk, actor=self.staff)
        actions = list(
            AuditEvent.objects.filter(object_type="submission", object_id=str(submission.pk))
            .exclude(action="assessment.save")
            .order_by("at", "id")
            .values_list("action", flat=True)
        )
        self.assertEqual(actions, ["assessment.submit", "assessment.return", "assessment.submit"])

    def test_recommend_within_quota_then_forward_locks_the_list(self) -> None:
        extra = make_community("371002001002", "东南村社区")
        first, second = self.submitted(self.dongbei), self.submitted(extra)
        self.campaign.quotas.filter(district=self.huancui).update(quota=1)
        self.login(self.district_admin)
        url = reverse("submission_recommend", args=[2020, self.dongbei.code])
        response = self.client.post(url, {"rank": 1, "reason": "党建引领突出。"}, follow=True)
        self.assertContains(response, "已将东北村社区列入推荐")
        with self.assertRaises(ActionRefused) as refused:
            do_recommend(second.pk, 1, "理由", actor=self.district_admin)
        self.assertIn("已全部用完", refused.exception.message)

        # The office sees nothing of the district until it forwards.
        self.login(self.office)
        self.assertEqual(self.client.get(self.detail_url()).status_code, 404)

        self.login(self.district_admin)
        response = self.client.post(reverse("district_forward", args=[2020]), follow=True)
        self.assertContains(response, "已报送领导小组办公室")
        first.refresh_from_db()
        self.assertEqual((first.status, first.rank), (Status.FORWARDED, 1))
        self.assertEqual(AuditEvent.objects.filter(action="district.forward").count(), 1)
        with self.assertRaises(ActionRefused):
            do_forward_district(self.campaign.pk, self.huancui.pk, actor=self.district_admin)
        with self.assertRaises(ActionRefused):
            do_return(first.pk, "再改改", actor=self.district_admin)
        with self.assertRaises(ActionRefused):
            do_recommend(second.pk, 1, "理由", actor=self.district_admin)

        self.login(self.office)
        self.assertContains(self.client.get(self.detail_url()), "已落实，见佐证材料。")
        self.assertEqual(self.client.get(self.detail_url(extra)).status_code, 404)

    def test_rank_must_be_free_and_within_quota(self) -> None:
        extra = make_community("371002001002", "东南村社区")
        first, second = self.submitted(self.dongbei), self.submitted(extra)
        self.campaign.quotas.filter(district=self.huancui).update(quota=2)
        do_recommend(first.pk, 1, "理由", actor=self.district_admin)
        with self.assertRaises(ActionRefused) as refused:
            do_recommend(second.pk, 1, "理由", actor=self.district_admin)
        self.assertIn("已给了东北村社区", refused.exception.message)
        with self.assertRaises(ActionRefused):
            do_recommend(second.pk, 3, "理由", actor=self.district_admin)
        do_recommend(second.pk, 2, "理由", actor=self.district_admin)

    def test_another_district_cannot_act_on_it(self) -> None:
        submission = self.submitted(self.dongbei)
        self.login(self.other_admin)
        for name in ("submission_return", "submission_recommend", "submission_withdraw"):
            with self.subTest(route=name):
                url = reverse(name, args=[2020, self.dongbei.code])
                response = self.client.post(url, {"comment": "x", "rank": 1, "reason": "x"})
                self.assertEqual(response.status_code, 404)
        with self.assertRaises(ActionRefused):
            do_return(submission.pk, "越权", actor=self.other_admin)
        self.login(self.other_staff)
        response = self.client.post(self.save_url("1.1"), {"score": "1", "explanation": "x"})
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(
            self.client.get(reverse("assessment_list", args=[2020])), "东北村社区"
        )

    def test_review_page_lists_the_district_with_totals(self) -> None:
        self.submitted(self.dongbei)
        self.save(self.gumo, "1.1", "4", "说明")
        self.login(self.district_admin)
        response = self.client.get(reverse("district_review", args=[2020]))
        self.assertContains(response, "东北村社区")
        self.assertContains(response, "古陌社区")
        self.assertContains(response, "28/28")
        self.assertContains(response, "1/28")
        self.assertContains(response, "确认推荐")


class TransitionTableTests(AssessmentCase):
    def test_every_state_action_role_outside_the_table_is_refused(self) -> None:
        allowed = {(t.source, t.action, role) for t in TRANSITIONS for role in t.roles}
        for status in Status:
            for action in Action:
                for role in [*Role, None]:
                    key = (status, action, role)
                    with self.subTest(status=status, action=action, role=role):
                        if key in allowed:
                            self.assertIsNotNone(find_transition(status, action, role))
                        else:
                            with self.assertRaises(ActionRefused):
                                find_transition(status, action, role)

    def test_the_system_administrator_takes_no_part_in_the_assessment(self) -> None:
        with self.assertRaises(ActionRefused):
            self.save(self.dongbei, "1.1", "1", "x", actor=self.sysadmin)


class CampaignAdminTests(AssessmentCase):
    def test_the_system_administrator_adjusts_phases_and_quotas_in_admin(self) -> None:
        self.login(self.sysadmin)
        response = self.client.get(f"/admin/campaign/campaign/{self.campaign.pk}/change/")
        self.assertContains(response, "活动阶段")
        self.assertContains(response, "推荐名额")
        self.assertContains(response, "环翠区")
        self.assertEqual(self.client.get("/admin/campaign/campaign/add/").status_code, 200)
