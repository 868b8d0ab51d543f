"""Item 6.2 创建知晓与参与 (issue 16): the default questionnaire asks its three awareness
questions (是/否), answered on the phone page and in the firm's workbook, and the survey's end
scores 6.2 from them instead of leaving the office's guess."""

import datetime
import html
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from campaign.kernel.models import AuditEvent
from campaign.survey import answer_store, answering, codes
from campaign.survey.actions import do_finish_survey
from campaign.survey.defaults import config_for, default_questions
from campaign.survey.models import (
    Channel,
    Quality,
    QuestionKind,
    SurveyItemPoints,
    SurveyQuestion,
    SurveyResponse,
)
from standards.models import Item
from tests.survey.test_import import SurveyImportCase, line
from tests.survey.test_office import PAGE_POST, SurveyOfficeTestCase


def questionnaires(submission: Any, answers: dict[str, int]) -> None:
    """``answers`` maps a whole pattern (7 satisfaction answers, then 3 awareness: 1 是, 2 否)
    to how many questionnaires gave it."""
    now = timezone.now()
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            submission=submission,
            channel=Channel.PHONE,
            collector=f"调查员{n}",
            reference=f"A{n:04d}",
            finished_at=now,
            duration_seconds=120,
            pattern=pattern,
        )
        for n, pattern in enumerate(
            pattern for pattern, count in answers.items() for _i in range(count)
        )
    )


def item_points(submission: Any) -> SurveyItemPoints:
    return SurveyItemPoints.objects.get(submission=submission, item__code="6.2")


class AwarenessScoringTests(SurveyOfficeTestCase):
    def test_item_6_2_is_scored_from_the_share_of_yes_against_each_target(self) -> None:
        # 30 valid questionnaires: 24 know of the campaign (80 % of 80 % → 1.5), 12 saw the
        # standard (40 % of 60 % → 2/3 of 1 point), 6 took part (20 % of 30 % → 2/3 of 1.5).
        questionnaires(
            self.sub,
            {
                "1111111111": 6,
                "1111111112": 6,
                "1111111122": 12,
                "1111111222": 6,
            },
        )
        tally = do_finish_survey(self.sub.pk, actor=self.office)
        self.assertFalse(tally.short_sample)
        earned = item_points(self.sub)
        # 1.5 + 0.667 + 1.0 = 3.167 → 3.2
        self.assertEqual(earned.points, Decimal("3.2"))
        self.assertIn("第8题答“是”24份/有效30份（80.0%，目标80%，1.5分）", earned.basis)
        self.assertIn("第9题答“是”12份/有效30份（40.0%，目标60%，1分）", earned.basis)
        self.assertIn("合计3.2分", earned.basis)

    def test_one_question_at_its_target(self) -> None:
        # Only the second question answered 是 by 12 of 30: 1 × 0.4 / 0.6 → 0.7.
        questionnaires(self.sub, {"1111111212": 12, "1111111222": 18})
        do_finish_survey(self.sub.pk, actor=self.office)
        self.assertEqual(item_points(self.sub).points, Decimal("0.7"))

    def test_above_every_target_earns_the_item_and_no_more(self) -> None:
        questionnaires(self.sub, {"1111111111": 30})
        do_finish_survey(self.sub.pk, actor=self.office)
        self.assertEqual(item_points(self.sub).points, Decimal(4))

    def test_excluded_and_not_valid_questionnaires_count_nowhere(self) -> None:
        # 30 valid saying 否 throughout, plus 5 excluded and 5 不了解 overall saying 是.
        questionnaires(self.sub, {"1111111222": 30, "1111111111": 5, "4444444111": 5})
        SurveyResponse.objects.filter(pattern="1111111111").update(
            too_fast=True, quality=Quality.EXCLUDED
        )
        tally = do_finish_survey(self.sub.pk, actor=self.office)
        self.assertEqual(tally.valid, 30)
        self.assertEqual(item_points(self.sub).points, Decimal(0))

    def test_a_short_sample_not_accepted_scores_no_awareness_points_either(self) -> None:
        questionnaires(self.sub, {"1111111111": 2})
        tally = do_finish_survey(self.sub.pk, "调查期已结束", True, actor=self.office)
        self.assertEqual((tally.short_sample, tally.points), (True, Decimal(0)))
        earned = item_points(self.sub)
        self.assertEqual(earned.points, Decimal(0))
        self.assertIn("本项不得分", earned.basis)

    def test_a_short_sample_accepted_scores_them(self) -> None:
        questionnaires(self.sub, {"1111111111": 2})
        do_finish_survey(self.sub.pk, "全社区仅32户", True, True, actor=self.office)
        self.assertEqual(item_points(self.sub).points, Decimal(4))

    def test_the_page_shows_the_yes_no_table_and_the_frozen_points(self) -> None:
        questionnaires(self.sub, {"1111111111": 24, "1111111222": 6})
        self.login(self.office)
        url = reverse("survey_detail", args=[2020, self.gumo.code])
        page = self.client.get(url)
        self.assertContains(page, "知晓与参与题")
        self.assertContains(page, '<th class="num">是</th><th class="num">否</th>', html=False)
        self.assertContains(page, "80.0%（有效问卷30份；95%区间")
        do_finish_survey(self.sub.pk, actor=self.office)
        page = self.client.get(url)
        self.assertContains(page, "6.2 创建知晓与参与：4 分")


class AwarenessQuestionnaireTests(SurveyOfficeTestCase):
    def test_without_a_second_survey_item_there_are_no_awareness_questions(self) -> None:
        Item.objects.filter(standard=self.standard, code="6.2").update(
            check_method=Item.CheckMethod.MATERIAL
        )
        config_for(self.campaign)
        questions = SurveyQuestion.objects.filter(campaign=self.campaign)
        self.assertEqual(questions.count(), 7)
        self.assertFalse(questions.filter(kind=QuestionKind.AWARENESS).exists())

    def test_a_campaign_whose_questionnaire_was_written_keeps_it(self) -> None:
        config_for(self.campaign)
        SurveyQuestion.objects.filter(campaign=self.campaign, kind=QuestionKind.AWARENESS).delete()
        config_for(self.campaign)
        self.assertEqual(SurveyQuestion.objects.filter(campaign=self.campaign).count(), 7)
        questionnaires(self.sub, {"1111111": 30})
        do_finish_survey(self.sub.pk, actor=self.office)
        self.assertFalse(SurveyItemPoints.objects.exists())

    def test_the_phone_page_offers_and_accepts_yes_and_no(self) -> None:
        code = codes.create_codes(self.sub, 1, self.office)[0]
        answer_store.forget_forms()
        url = reverse("survey_answer", args=[code.token])
        page = self.client.get(url).content.decode()
        self.assertIn('name="q8" value="1"><span>是</span>', page)
        self.assertIn('name="q8" value="2"><span>否</span>', page)
        self.assertNotIn('name="q8" value="3"', page)
        stamp = answering.start_stamp(code.token, timezone.now() - datetime.timedelta(minutes=2))
        data = {f"q{n}": "1" for n in range(1, 8)} | {"q8": "1", "q9": "2", "q10": "1"}
        refused = self.client.post(url, {**data, "q9": "3", answering.STAMP_FIELD: stamp})
        self.assertContains(refused, "第9题的答案无效，请从选项中重新选择。", status_code=400)
        stored = self.client.post(url, {**data, answering.STAMP_FIELD: stamp})
        self.assertRedirects(stored, reverse("survey_thanks"))
        self.assertEqual(SurveyResponse.objects.get().pattern, "1111111121")


class AwarenessSettingsTests(SurveyOfficeTestCase):
    """The settings page edits the awareness questions' text, target and points; the item
    each scores stays the standard's."""

    def setUp(self) -> None:
        super().setUp()
        self.url = reverse("survey_settings", args=[2020])
        self.login(self.office)
        self.client.get(self.url)  # writes the defaults

    def awareness(self) -> list[tuple[int, str, str, str, str]]:
        return [
            (q.position, q.text, q.item.code if q.item else "", str(q.target_rate), str(q.points))
            for q in SurveyQuestion.objects.filter(
                campaign=self.campaign, kind=QuestionKind.AWARENESS
            ).select_related("item")
        ]

    def test_the_page_edits_text_target_and_points(self) -> None:
        page = self.client.get(self.url)
        self.assertContains(page, 'name="awareness_2_target" value="60.0"')
        self.assertContains(page, "6.2 创建知晓与参与")
        # Seven rows for the satisfaction questions: the three awareness questions make ten.
        self.assertContains(page, 'name="question_7"')
        self.assertNotContains(page, 'name="question_8"')
        post = {
            **PAGE_POST,
            "awareness_2": "您是否在社区公开栏看到过创建标准？",
            "awareness_2_target": "50%",
            "awareness_2_points": "0.5",
        }
        self.assertRedirects(self.client.post(self.url, post), self.url)
        self.assertEqual(
            self.awareness(),
            [
                (3, "您是否知道本社区正在开展精致幸福社区创建活动？", "6.2", "0.800", "1.5"),
                (4, "您是否在社区公开栏看到过创建标准？", "6.2", "0.500", "0.5"),
                (5, "您是否参加过社区创建相关活动或提出过意见建议？", "6.2", "0.300", "1.5"),
            ],
        )
        event = AuditEvent.objects.get(action="survey.configure")
        self.assertEqual(
            event.details["awareness"][1], ["您是否在社区公开栏看到过创建标准？", "0.5", "0.5"]
        )

    def test_bad_rows_are_shown_beside_them_and_nothing_is_saved(self) -> None:
        post = {
            **PAGE_POST,
            "awareness_1": " ",
            "awareness_2_target": "0",
            "awareness_3_points": "1.3",
        }
        page = self.client.post(self.url, post)
        self.assertEqual(page.status_code, 200)
        content = html.unescape(page.content.decode())
        self.assertIn("设置没有保存，有 3 处需要修改", content)
        self.assertIn("知晓与参与第1题：请填写题目。", content)
        self.assertIn("知晓与参与第2题目标比例：目标比例应大于0。", content)
        self.assertIn("知晓与参与第3题分值：应在0到100之间，以0.5分为单位。", content)
        self.assertIn('name="awareness_3_points" value="1.3"', content)
        self.assertEqual(
            [row[3:] for row in self.awareness()],
            [("0.800", "1.5"), ("0.600", "1.0"), ("0.300", "1.5")],
        )

    def test_points_beyond_the_items_are_refused(self) -> None:
        post = {**PAGE_POST, "awareness_1_points": "2", "awareness_2_points": "1.5"}
        content = html.unescape(self.client.post(self.url, post).content.decode())
        self.assertIn("知晓与参与题分值合计5分，超过6.2 创建知晓与参与的4分", content)
        self.assertIn('name="awareness_1_points" value="2"', content)
        self.assertFalse(AuditEvent.objects.filter(action="survey.configure").exists())

    def test_once_answers_are_in_only_targets_and_points_change(self) -> None:
        questionnaires(self.sub, {"1111111111": 1})
        page = self.client.get(self.url)
        self.assertContains(page, 'name="awareness_1" value="您是否知道本社区正在开展')
        self.assertRegex(page.content.decode(), r'<input[^>]*name="awareness_1"[^>]*readonly')
        renamed = {**PAGE_POST, "awareness_1": "新题目"}
        content = html.unescape(self.client.post(self.url, renamed).content.decode())
        self.assertIn("题目和选项不能再修改", content)
        # The page's questions as saved, with a new target: the target is a scoring rule.
        saved = {
            **PAGE_POST,
            **{f"question_{n}": text for n, text in enumerate(default_questions(), start=1)},
            "overall": "7",
            "option_3": "不满意",
            "option_3_valid": "on",
            "option_4": "不了解",
            "option_2": "基本满意",
            "option_2_satisfied": "on",
            "awareness_3_target": "25",
        }
        self.assertRedirects(self.client.post(self.url, saved), self.url)
        self.assertEqual(self.awareness()[2][3:], ("0.250", "1.5"))
        self.assertEqual(SurveyQuestion.objects.filter(campaign=self.campaign).count(), 10)


class AwarenessWorkbookTests(SurveyImportCase):
    def test_the_firms_workbook_round_trips_yes_and_no(self) -> None:
        data = self.filled_template(
            [
                line(self.dongbei, "A1", "1121311121"),
                line(self.dongbei, "A2", "2222224212"),
            ]
        )
        self.run_import(data)
        self.assertEqual(
            list(SurveyResponse.objects.order_by("reference").values_list("pattern", flat=True)),
            ["1121311121", "2222224212"],
        )

    def test_anything_but_yes_or_no_is_refused_with_row_and_column(self) -> None:
        row = line(self.dongbei, "A1")
        row[7 + 8] = "满意"  # question 9, an awareness question
        self.assertEqual(
            self.problems(self.filled_template([row])),
            ["第2行“第9题”：“满意”不是可选答案，应为是、否之一。"],
        )
        self.assertFalse(SurveyResponse.objects.exists())
