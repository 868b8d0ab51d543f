"""Issue 16 in the joint review: the survey's and the system's items are shown with their
figures and cannot be adjusted; the matrix shows each candidate's survey with its sample;
refused forms keep what was typed."""

from decimal import Decimal

from django.urls import reverse

from campaign.joint.models import Reminder
from campaign.pipeline.models import UnitOpinion, UnitVeto
from campaign.survey.models import SurveyItemPoints, SurveyTally
from tests.joint.test_joint_review import JointReviewCase, article


class SystemScoredItemsPageTests(JointReviewCase):
    def url(self) -> str:
        return reverse("joint_review_detail", args=[2020, self.gumo.code])

    def test_the_form_shows_the_surveys_and_the_systems_figures_without_an_adjustment(
        self,
    ) -> None:
        """A unit could adjust 6.1 and scoring silently ignored it."""
        SurveyItemPoints.objects.create(
            submission=self.candidate,
            item=self.item("6.2"),
            points=Decimal("3.5"),
            basis="知晓创建活动的居民占88%（目标90%）。",
        )
        self.login(self.reviewer)
        content = self.client.get(self.url()).content.decode()
        six_one = article(content, "6.1")
        self.assertIn("由满意度调查计分", six_one)
        self.assertIn("96.0%（有效问卷50份；95%区间", six_one)
        self.assertNotIn('name="adjustment-6.1"', six_one)
        six_two = article(content, "6.2")
        self.assertIn("由满意度调查计分", six_two)
        self.assertIn("3.5分", six_two)
        self.assertIn("知晓创建活动的居民占88%（目标90%）。", six_two)
        self.assertNotIn('name="adjustment-6.2"', six_two)
        # 古陌's four full-time workers: the staffing rule gives 1.2 nothing.
        one_two = article(content, "1.2")
        self.assertIn("系统自动核验", one_two)
        self.assertIn("<dd>0 <span", one_two)
        self.assertNotIn('name="adjustment-1.2"', one_two)
        # The items people score keep their adjustment.
        self.assertIn('name="adjustment-2.1"', article(content, "2.1"))

    def test_an_adjustment_posted_for_them_is_refused_naming_the_item(self) -> None:
        self.login(self.reviewer)
        for code, words in (("6.1", "由满意度调查计分"), ("1.3", "由系统自动核验计分")):
            with self.subTest(code=code):
                response = self.client.post(
                    self.url(),
                    {
                        f"agrees-{code}": "no",
                        f"reason-{code}": "入户核查情况与结果不符。",
                        f"adjustment-{code}": "-1",
                    },
                )
                # Refused beside the item, with what was typed.
                card = article(response.content.decode(), code)
                self.assertIn(f'id="adjustment-{code}_error">本项{words}，不能调整分数', card)
                self.assertIn("入户核查情况与结果不符。", card)
        self.assertFalse(UnitOpinion.objects.exists())
        # Agreement and a comment remain the unit's to give.
        response = self.client.post(
            self.url(), {"agrees-6.1": "no", "reason-6.1": "入户核查满意率偏低。"}
        )
        self.assertEqual(response.status_code, 302)
        opinion = UnitOpinion.objects.get(item__code="6.1")
        self.assertEqual((opinion.agrees, opinion.adjustment), (False, 0))


class MatrixSurveyTests(JointReviewCase):
    def test_the_matrix_shows_each_candidates_survey_with_its_sample(self) -> None:
        self.login(self.office)
        url = reverse("joint_review_matrix", args=[2020])
        self.assertContains(self.client.get(url), "96.0%（有效问卷50份；95%区间")
        SurveyTally.objects.filter(submission=self.candidate).update(
            satisfied=9,
            valid=10,
            sample_size=30,
            short_sample=True,
            points=0,
            finish_reason="小区封闭管理，入户受阻。",
        )
        page = self.client.get(url)
        self.assertContains(page, "有效问卷10份，少于规定30份，样本不足")
        self.assertContains(page, "小区封闭管理，入户受阻。")
        self.assertContains(page, "由满意度调查计分")
        # The leading group reads the matrix too; a member unit is sent to its own list.
        self.login(self.leader)
        self.assertContains(self.client.get(url), "有效问卷10份")
        self.login(self.staff)
        self.assertEqual(self.client.get(url).status_code, 403)


class KeptTypingTests(JointReviewCase):
    def test_a_refused_veto_keeps_its_reason(self) -> None:
        self.login(self.reviewer)
        reason = "社区服务中心被挪作他用。" + "情况严重。" * 200
        response = self.client.post(
            reverse("joint_review_veto", args=[2020, self.gumo.code]), {"reason": reason}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "不能超过", status_code=400)
        self.assertContains(response, f">{reason}</textarea>", status_code=400)
        self.assertFalse(UnitVeto.objects.exists())

    def test_a_refused_reminder_keeps_its_message(self) -> None:
        self.login(self.office)
        message = "请尽快完成联审。" * 200
        response = self.client.post(
            reverse("joint_review_remind", args=[2020, "mzj"]), {"message": message}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, f">{message}</textarea>", status_code=400)
        self.assertFalse(Reminder.objects.exists())
