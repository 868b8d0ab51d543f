"""A survey ended below its sample size (issue 16): 2 of 30 questionnaires gave 100 %, the full
16 points and a place on the shortlist."""

from decimal import Decimal

from django.urls import reverse

from campaign.kernel.models import AuditEvent
from campaign.pipeline.models import Status
from campaign.pipeline.workflow import ActionRefused
from campaign.survey.actions import do_finish_survey
from campaign.survey.models import SurveyTally
from tests.builders import answer_survey
from tests.survey.test_office import SurveyOfficeTestCase


class ShortSampleTests(SurveyOfficeTestCase):
    def setUp(self) -> None:
        super().setUp()
        answer_survey(self.sub, {"满意": 2})  # 2 of the 30 required

    def test_it_does_not_end_without_a_reason_and_a_confirmation(self) -> None:
        with self.assertRaisesMessage(ActionRefused, "须填写结束说明"):
            do_finish_survey(self.sub.pk, actor=self.office)
        with self.assertRaisesMessage(ActionRefused, "确认在样本不足的情况下结束调查"):
            do_finish_survey(self.sub.pk, "调查期已结束", actor=self.office)
        self.assertFalse(SurveyTally.objects.exists())

    def test_a_short_sample_earns_no_points_unless_the_office_accepts_it(self) -> None:
        tally = do_finish_survey(self.sub.pk, "调查期已结束，入户率低", True, actor=self.office)
        self.assertEqual((tally.satisfied, tally.valid, tally.sample_size), (2, 2, 30))
        self.assertEqual((tally.short_sample, tally.short_sample_scored), (True, False))
        self.assertEqual(tally.points, Decimal(0))
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, Status.JOINT_REVIEW)

    def test_the_office_may_accept_a_short_sample_with_its_reason(self) -> None:
        tally = do_finish_survey(
            self.sub.pk, "全社区仅32户，已逐户走访", True, True, actor=self.office
        )
        self.assertEqual((tally.short_sample_scored, tally.points), (True, Decimal(16)))
        self.assertEqual(tally.finish_reason, "全社区仅32户，已逐户走访")

    def test_the_page_keeps_what_was_typed_when_the_end_is_refused(self) -> None:
        self.login(self.office)
        url = reverse("survey_finish", args=[2020, self.gumo.code])
        response = self.client.post(url, {"reason": "调查期已结束"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "确认在样本不足的情况下结束调查", status_code=400)
        self.assertContains(response, ">调查期已结束</textarea>", status_code=400)
        self.assertContains(response, "有效问卷 2 份 / 规定样本量 30 份", status_code=400)
        response = self.client.post(url, {"reason": "调查期已结束", "confirmed": "1"})
        self.assertEqual(response.status_code, 302)
        page = self.client.get(reverse("survey_detail", args=[2020, self.gumo.code]))
        self.assertContains(page, "样本不足，不计满意度得分")
        self.assertContains(page, "少于规定30份")

    def test_the_audit_row_keeps_the_reason_and_the_flags(self) -> None:
        do_finish_survey(self.sub.pk, "调查期已结束", True, actor=self.office)
        event = AuditEvent.objects.filter(details__has_key="short_sample").get()
        self.assertEqual(
            {k: event.details[k] for k in ("short_sample", "short_sample_scored", "reason")},
            {"short_sample": True, "short_sample_scored": False, "reason": "调查期已结束"},
        )
        self.assertEqual((event.details["sample_size"], event.details["points"]), (30, "0"))

    def test_the_end_comes_after_the_surveys_work_with_the_sample_beside_it(self) -> None:
        self.login(self.office)
        page = self.client.get(reverse("survey_detail", args=[2020, self.gumo.code]))
        content = page.content.decode()
        self.assertContains(page, "有效问卷 2/规定 30 份")
        finish = content.index('id="finish"')
        for work in ('id="quality"', 'id="codes"', "生成调查码"):
            self.assertLess(content.index(work), finish, work)
        self.assertIn('name="confirmed" value="1"', content[finish:])

    def test_the_overview_shows_the_sample_and_the_reason_once_ended(self) -> None:
        do_finish_survey(self.sub.pk, "入户率低", True, actor=self.office)
        self.login(self.office)
        page = self.client.get(reverse("survey_list", args=[2020]))
        self.assertContains(page, "100.0%（有效问卷2份，少于规定30份，样本不足；95%区间")
        self.assertContains(page, "样本不足，不计满意度得分")
        self.assertContains(page, "结束说明：入户率低")
