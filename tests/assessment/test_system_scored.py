"""Items nobody self-scores (issue 16): the survey's (6.1, 6.2) and the auto-verified ones
(1.2, 1.3, 3.2), which score themselves from the register figures frozen at submission; and
refused item forms that keep what was typed, the refusal shown inside the item."""

from decimal import Decimal
from typing import Any

from django.urls import reverse

from campaign.assessment.actions import do_submit
from campaign.district.actions import do_return
from campaign.pipeline.models import ItemAssessment, ItemAudit, RegisterFigures, Status
from campaign.pipeline.rates import sample_text
from campaign.survey.models import SurveyItemPoints
from standards.models import Item
from tests.assessment.test_assessment import AssessmentCase
from tests.builders import open_every_phase, submission_at


def article(content: str, code: str) -> str:
    """One item's card on the self-assessment page."""
    start = content.index(f'id="item-{code}"')
    end = content.find('<article class="card assess-item', start)
    return content[start : end if end != -1 else len(content)]


class SystemScoredTests(AssessmentCase):
    def item(self, code: str) -> Item:
        return Item.objects.get(standard=self.standard, code=code)

    def self_scores(self, submission: Any) -> dict[str, Any]:
        rows = ItemAssessment.objects.filter(submission=submission)
        return dict(rows.values_list("item__code", "self_score"))

    def test_submit_succeeds_with_the_survey_items_untouched(self) -> None:
        """6.1 居民满意度 had to be self-scored before the survey existed."""
        submission = self.fill(self.dongbei)
        self.login(self.staff)
        response = self.client.post(reverse("assessment_submit", args=[2020, self.dongbei.code]))
        self.assertRedirects(response, reverse("assessment_list", args=[2020]))
        submission.refresh_from_db()
        self.assertEqual(submission.status, Status.SUBMITTED)
        scores = self.self_scores(submission)
        self.assertNotIn("6.1", scores)
        self.assertNotIn("6.2", scores)
        page = self.client.get(self.detail_url())
        self.assertIn("由满意度调查计分", article(page.content.decode(), "6.2"))

    def test_a_score_typed_on_an_auto_or_survey_item_is_refused_in_the_form(self) -> None:
        """1.2 took 2.5 where the indicator failed and the rule says 0."""
        self.login(self.staff)
        typed = {"score": "2.5", "explanation": "专职工作者4人，正在招聘。", "version": 0}
        for code, words in (("1.2", "自动核验计分"), ("6.1", "由满意度调查计分")):
            with self.subTest(code=code):
                response = self.client.post(self.save_url(code, self.gumo), typed)
                self.assertEqual(response.status_code, 409)
                card = article(response.content.decode(), code)
                self.assertIn('class="error" role="alert"', card)
                self.assertIn(words, card)
                self.assertNotIn('name="score"', card)
                autosave = self.client.post(
                    self.save_url(code, self.gumo), typed, headers={"X-Requested-With": "fetch"}
                )
                self.assertEqual(autosave.status_code, 409)
                self.assertIn(words, autosave.json()["error"])
        self.assertFalse(ItemAssessment.objects.exists())

    def test_an_auto_item_holds_the_computed_score_after_submit(self) -> None:
        """Zero when the indicator fails (古陌社区: 4 full-time workers), full when it passes."""
        full = self.item("1.2").max_points
        failing = self.submitted(self.gumo)
        passing = self.submitted(self.dongbei)
        self.assertEqual(self.self_scores(failing)["1.2"], 0)
        self.assertEqual(self.self_scores(passing)["1.2"], full)
        self.login(self.staff)
        page = self.client.get(self.detail_url(self.gumo))
        card = article(page.content.decode(), "1.2")
        self.assertIn("得0分", card)
        self.assertIn("实际 4 人", card)
        self.assertIn("要求 ≥", card)
        self.assertIn("系统自动核验", card)

    def test_a_draft_shows_the_auto_score_from_the_register_as_it_is(self) -> None:
        self.login(self.staff)
        url = self.detail_url(self.gumo)
        self.assertIn("得0分", article(self.client.get(url).content.decode(), "1.2"))
        self.gumo.full_time_workers = 9
        self.gumo.save()
        full = format(self.item("1.2").max_points.normalize(), "f")
        card = article(self.client.get(url).content.decode(), "1.2")
        self.assertIn(f"得{full}分", card)
        self.assertIn("实际 9 人", card)

    def test_submit_freezes_the_figures_the_page_then_shows(self) -> None:
        submission = self.submitted(self.gumo)
        figures = RegisterFigures.objects.get(submission=submission)
        self.assertEqual((figures.full_time_workers, figures.frozen_by), (4, self.staff))
        self.gumo.full_time_workers = 9
        self.gumo.save()
        self.login(self.staff)
        page = self.client.get(self.detail_url(self.gumo))
        content = page.content.decode()
        card = article(content, "1.2")
        self.assertIn("实际 4 人", card)
        self.assertIn("得0分", card)
        self.assertEqual(self.self_scores(submission)["1.2"], 0)
        self.assertIn("<dt>专职工作者人数</dt><dd>4</dd>", content)
        self.assertIn("须由领导小组办公室复核", content)

    def test_a_resubmission_writes_the_auto_audits_of_the_new_round(self) -> None:
        open_every_phase(self.campaign)
        submission = submission_at(self.campaign, self.gumo, Status.REVISING, actor=self.office)
        self.assertEqual(submission.audit_round, 1)
        # The register corrected while revising: the new round is judged on the new figures.
        self.gumo.full_time_workers = 9
        self.gumo.save()
        do_submit(submission.pk, actor=self.staff)
        submission.refresh_from_db()
        self.assertEqual((submission.status, submission.audit_round), (Status.FORWARDED, 2))
        audits = ItemAudit.objects.filter(submission=submission, round=2)
        scores = dict(audits.values_list("item__code", "audited_score"))
        self.assertEqual(sorted(scores), ["1.2", "1.3", "3.2"])
        self.assertEqual(scores["1.2"], self.item("1.2").max_points)
        self.assertEqual(self.self_scores(submission)["1.2"], self.item("1.2").max_points)
        figures = RegisterFigures.objects.get(submission=submission)
        self.assertEqual(figures.full_time_workers, 9)

    def test_once_the_survey_has_ended_its_items_show_its_figure(self) -> None:
        submission = submission_at(
            self.campaign, self.dongbei, Status.JOINT_REVIEW, actor=self.office
        )
        SurveyItemPoints.objects.create(
            submission=submission,
            item=self.item("6.2"),
            points=Decimal("3.5"),
            basis="知晓创建活动的比例90%，达到目标80%。",
        )
        self.login(self.staff)
        content = self.client.get(self.detail_url()).content.decode()
        rate = sample_text(48, 50, submission.survey_tally.sample_size)
        satisfaction, awareness = article(content, "6.1"), article(content, "6.2")
        self.assertIn("由满意度调查计分", satisfaction)
        self.assertIn(rate, satisfaction)
        self.assertIn("16分", satisfaction)  # the tiers' points
        self.assertIn("3.5分", awareness)
        self.assertIn("知晓创建活动的比例90%", awareness)
        self.assertIn(rate, awareness)
        self.assertNotIn('name="files"', satisfaction)

    def test_a_returned_self_assessment_follows_the_register_again(self) -> None:
        """Returned for correction, the next submission freezes the register anew: the page
        shows what the corrected figures give, beside those of the last submission."""
        submission = self.submitted(self.gumo)
        do_return(submission.pk, "1.2项专职工作者人数有误。", actor=self.district_admin)
        self.gumo.full_time_workers = 9
        self.gumo.save()
        self.login(self.staff)
        content = self.client.get(self.detail_url(self.gumo)).content.decode()
        full = format(self.item("1.2").max_points.normalize(), "f")
        card = article(content, "1.2")
        self.assertIn(f"得{full}分", card)
        self.assertIn("实际 9 人", card)
        self.assertIn("上次提交时的基础数据", content)
        self.assertIn("<dt>专职工作者人数</dt><dd>4</dd>", content)
        self.assertIn("重新提交时将按社区名录中届时的数据重新冻结", content)

    def test_after_submission_the_page_lists_figures_edited_since(self) -> None:
        self.submitted(self.gumo)
        self.gumo.full_time_workers = 9
        self.gumo.save()
        self.login(self.staff)
        content = self.client.get(self.detail_url(self.gumo)).content.decode()
        frozen = content[content.index('id="frozen-figures"') :]
        self.assertIn("提交后已修改", frozen)
        self.assertIn("<td>专职工作者人数</td><td>4</td><td>9</td>", frozen)


class RefusedFormTests(AssessmentCase):
    def test_a_refused_score_keeps_what_was_typed_beside_the_field(self) -> None:
        """Without JavaScript a bad score redirected to the saved values: the typed one was
        gone and the reason stood at the top of a 33-item page."""
        self.login(self.staff)
        typed = {"score": "3.5", "explanation": "已落实。", "version": 0}
        response = self.client.post(self.save_url("2.2"), typed)
        self.assertEqual(response.status_code, 400)
        card = article(response.content.decode(), "2.2")
        self.assertIn('value="3.5"', card)
        self.assertIn('id="error-2.2">得分3.5超过本项分值', card)
        self.assertIn("自评说明已保存，得分未修改", card)
        saved = ItemAssessment.objects.get(item__code="2.2")
        self.assertEqual((saved.self_score, saved.explanation), (None, "已落实。"))
