"""The office's survey work: settings, one-time codes (generate, print, void), ruling on flagged
questionnaires, and the overview and community pages with their query counts."""

import html
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.kernel.models import AuditEvent
from campaign.pipeline.models import Status
from campaign.pipeline.workflow import ActionRefused
from campaign.survey import codes
from campaign.survey.actions import (
    OptionRow,
    SurveySettings,
    TierRow,
    do_generate_codes,
    do_review_questionnaires,
    do_save_survey_settings,
    do_void_codes,
)
from campaign.survey.defaults import config_for
from campaign.survey.models import (
    Quality,
    QuestionKind,
    SurveyCode,
    SurveyConfig,
    SurveyOption,
    SurveyPointTier,
    SurveyQuestion,
    SurveyResponse,
)
from tests.base import CampaignTestCase, make_community
from tests.builders import answer_survey, open_every_phase, submission_at


def settings_like(campaign: Any, **changes: Any) -> SurveySettings:
    """The campaign's current settings as the form would parse them, with ``changes``."""
    config = config_for(campaign)
    # The page edits the satisfaction questions; the awareness questions are kept as they are.
    questions = list(
        SurveyQuestion.objects.filter(campaign=campaign, kind=QuestionKind.SATISFACTION)
    )
    values: dict[str, Any] = {
        "sample_size": config.sample_size,
        "pass_percent": Decimal(85),
        "min_duration_seconds": 30,
        "cluster_size": 5,
        "notice": config.notice,
        "questions": [q.text for q in questions],
        "overall": len(questions),
        "options": [
            OptionRow(o.label, o.counts_as_satisfied, o.counts_as_valid)
            for o in SurveyOption.objects.filter(campaign=campaign)
        ],
        "tiers": tiers(("85", "8"), ("90", "12"), ("95", "16")),
    }
    values.update(changes)
    return SurveySettings(**values)


def tiers(*rate_points: tuple[str, str]) -> list[TierRow]:
    return [TierRow(Decimal(rate), Decimal(points)) for rate, points in rate_points]


# A valid save from the settings page, in the names the page posts.
PAGE_POST = {
    "sample_size": "35",
    "pass_percent": "90",
    "min_duration_seconds": "40",
    "cluster_size": "6",
    "notice": "调查说明。",
    "overall": "2",
    "question_1": "服务态度",
    "question_2": "总体评价",
    "option_1": "满意",
    "option_1_satisfied": "on",
    "option_1_valid": "on",
    "option_2": "不满意",
    "option_2_valid": "on",
    "tier_1_rate": "90",
    "tier_1_points": "16",
    # Item 6.2's three awareness questions, as the defaults write them.
    "awareness_1": "您是否知道本社区正在开展精致幸福社区创建活动？",
    "awareness_1_target": "80",
    "awareness_1_points": "1.5",
    "awareness_2": "您是否看到过社区公开的创建标准（刊板）？",
    "awareness_2_target": "60",
    "awareness_2_points": "1",
    "awareness_3": "您是否参加过社区创建相关活动或提出过意见建议？",
    "awareness_3_target": "30",
    "awareness_3_points": "1.5",
}


class SurveyOfficeTestCase(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        open_every_phase(self.campaign)
        self.sub = submission_at(self.campaign, self.gumo, Status.SURVEYING, actor=self.office)

    def events(self, action: str) -> int:
        return AuditEvent.objects.filter(action=action).count()


class SettingsTests(SurveyOfficeTestCase):
    def test_defaults_follow_the_standard(self) -> None:
        config = config_for(self.campaign)
        self.assertEqual(config.sample_size, 30)
        self.assertEqual(str(config.pass_rate), "0.850")
        questions = list(SurveyQuestion.objects.filter(campaign=self.campaign))
        # Seven satisfaction questions, the overall one last, then item 6.2's three awareness
        # questions: ten in all, the most a resident answers.
        self.assertEqual(len(questions), 10)
        self.assertEqual(
            [q.kind for q in questions],
            [QuestionKind.SATISFACTION] * 7 + [QuestionKind.AWARENESS] * 3,
        )
        self.assertTrue(questions[6].is_overall)
        self.assertEqual(
            [(q.item.code, str(q.target_rate), str(q.points)) for q in questions[7:] if q.item],
            [("6.2", "0.800", "1.5"), ("6.2", "0.600", "1.0"), ("6.2", "0.300", "1.5")],
        )
        self.assertEqual(
            [o.label for o in SurveyOption.objects.filter(campaign=self.campaign)],
            ["满意", "基本满意", "不满意", "不了解"],
        )
        self.assertEqual(SurveyPointTier.objects.filter(campaign=self.campaign).count(), 5)

    def test_bad_settings_are_refused_with_the_field_named(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"sample_size": 10}, "“每个社区样本量”应在20到1000之间"),
            ({"pass_percent": Decimal(120)}, "“满意率合格线”应为0到100之间的百分数"),
            ({"questions": []}, "请至少填写一道题目"),
            ({"questions": [f"题{n}" for n in range(11)]}, "题目最多10道"),
            ({"overall": 12}, "“总体评价题”应在1到7之间"),
            (
                {"options": [OptionRow("满意", True, True), OptionRow("满意", False, True)]},
                "答案选项不能重名",
            ),
            (
                {"options": [OptionRow("满意", False, True), OptionRow("不满意", False, True)]},
                "计入满意的选项",
            ),
            ({"tiers": tiers(("85", "10"), ("90", "8"))}, "得分不能越低"),
            ({"tiers": tiers(("85", "8.3"))}, "以0.5分为单位"),
            ({"notice": " "}, "请填写调查说明"),
        ]
        for changes, message in cases:
            with self.subTest(message), self.assertRaisesMessage(ActionRefused, message):
                do_save_survey_settings(
                    self.campaign.pk, settings_like(self.campaign, **changes), actor=self.office
                )
        self.assertEqual(self.events("survey.configure"), 0)
        with self.assertRaisesMessage(ActionRefused, "只有领导小组办公室"):
            do_save_survey_settings(
                self.campaign.pk, settings_like(self.campaign), actor=self.leader
            )

    def test_the_questionnaire_is_fixed_once_answers_arrive(self) -> None:
        changed = settings_like(self.campaign, questions=["您对社区满意吗？"], overall=1)
        do_save_survey_settings(self.campaign.pk, changed, actor=self.office)
        # The awareness questions stay after the one satisfaction question.
        self.assertEqual(
            list(
                SurveyQuestion.objects.filter(campaign=self.campaign).values_list(
                    "position", "kind"
                )
            ),
            [(1, "satisfaction"), (2, "awareness"), (3, "awareness"), (4, "awareness")],
        )
        answer_survey(self.sub, {"满意": 1})
        again = settings_like(self.campaign, questions=["新题目"], overall=1)
        with self.assertRaisesMessage(ActionRefused, "题目和选项不能再修改"):
            do_save_survey_settings(self.campaign.pk, again, actor=self.office)
        # The sample size and the tiers may still change.
        do_save_survey_settings(
            self.campaign.pk,
            settings_like(self.campaign, sample_size=40, tiers=tiers(("80", "6"))),
            actor=self.office,
        )
        config = SurveyConfig.objects.get(campaign=self.campaign)
        self.assertEqual(config.sample_size, 40)
        self.assertEqual(
            list(SurveyPointTier.objects.filter(campaign=self.campaign).values_list("points")),
            [(6,)],
        )
        self.assertEqual(self.events("survey.configure"), 2)

    def test_the_settings_page(self) -> None:
        self.login(self.office)
        url = reverse("survey_settings", args=[2020])
        content = self.client.get(url).content.decode()
        self.assertIn("总体来说，您对本社区的治理和服务是否满意？", content)
        post = PAGE_POST
        self.assertRedirects(self.client.post(url, post), url)
        config = SurveyConfig.objects.get(campaign=self.campaign)
        self.assertEqual((config.sample_size, str(config.pass_rate)), (35, "0.900"))
        overall = SurveyQuestion.objects.get(campaign=self.campaign, is_overall=True)
        self.assertEqual(overall.text, "总体评价")
        # A mistake shows the form again, with what was typed.
        response = self.client.post(url, {**post, "sample_size": "5"})
        self.assertContains(response, "每个社区样本量")
        self.assertContains(response, 'value="服务态度"')


class LabelledInputs(HTMLParser):
    """The page's inputs a person fills in, and the ids its <label for=…> elements name."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.label_targets: set[str | None] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("input", "textarea", "select") and attributes.get("type") != "hidden":
            self.inputs.append(attributes)
        if tag == "label":
            self.label_targets.add(attributes.get("for"))


class SettingsPageTests(SurveyOfficeTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = reverse("survey_settings", args=[2020])
        self.login(self.office)
        self.client.get(self.url)  # writes the defaults that nothing may change

    def post(self, **changes: str) -> str:
        response = self.client.post(self.url, {**PAGE_POST, **changes})
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def assert_nothing_saved(self) -> None:
        config = SurveyConfig.objects.get(campaign=self.campaign)
        self.assertEqual((config.sample_size, config.min_duration_seconds), (30, 30))
        self.assertEqual(SurveyQuestion.objects.filter(campaign=self.campaign).count(), 10)
        self.assertEqual(SurveyPointTier.objects.filter(campaign=self.campaign).count(), 5)
        self.assertEqual(self.events("survey.configure"), 0)

    def error_beside(self, page: str, input_id: str, error_id: str = "") -> str:
        """The error shown beside the input, which must be the one the input points at."""
        error_id = error_id or f"{input_id}_error"
        tag = re.search(f'<(input|textarea)[^>]* id="{input_id}"[^>]*>', page)
        assert tag is not None, f"no input {input_id}"
        self.assertIn('aria-invalid="true"', tag.group())
        described_by = re.search('aria-describedby="([^"]*)"', tag.group())
        assert described_by is not None, f"{input_id} points at no error"
        self.assertIn(error_id, described_by.group(1).split())
        error = re.search(f'<p class="error small" id="{error_id}">(.*?)</p>', page)
        assert error is not None, f"no error beside {input_id}"
        return html.unescape(error.group(1))

    def summary(self, page: str) -> str:
        found = re.search('<div class="error" role="alert" id="problems">(.*?)</div>', page, re.S)
        assert found is not None, "no summary above the form"
        return html.unescape(found.group(1))

    def test_a_non_number_sample_size_is_shown_beside_it_and_nothing_is_saved(self) -> None:
        page = self.post(sample_size="三十")
        self.assertEqual(self.error_beside(page, "id_sample_size"), "应为整数。")
        self.assertIn('value="三十"', page)
        summary = self.summary(page)
        self.assertIn("有 1 处需要修改", summary)
        self.assertIn('<a href="#id_sample_size">每个社区样本量：应为整数。</a>', summary)
        self.assert_nothing_saved()

    def test_a_bad_tier_is_shown_beside_it_and_nothing_is_saved(self) -> None:
        cases = [
            ({"tier_1_points": "8.3"}, "id_tier_1_points", "应在0到100之间，以0.5分为单位。"),
            ({"tier_1_rate": "百分之九十"}, "id_tier_1_rate", "应为0到100之间的百分数"),
            ({"tier_2_rate": "95"}, "id_tier_2_points", "请填写该档的得分。"),
        ]
        for changes, input_id, message in cases:
            with self.subTest(input_id):
                page = self.post(**changes)
                self.assertIn(message, self.error_beside(page, input_id))
        self.assert_nothing_saved()

    def test_every_problem_of_one_save_is_shown_at_once(self) -> None:
        page = self.post(
            sample_size="abc",
            pass_percent="120",
            min_duration_seconds="-1",
            notice=" ",
            question_2="题" * 101,
            option_1="选" * 21,
            tier_1_rate="85.55",
            tier_1_points="x",
        )
        expected = {
            "id_sample_size": "应为整数。",
            "id_pass_percent": "应为0到100之间的百分数，最多一位小数。",
            "id_min_duration_seconds": "不能小于0。",
            "id_notice": "请填写调查说明，告诉居民调查的目的和隐私保护。",
            "id_question_2": "不能超过100字（现有101字）。",
            "id_option_1": "不能超过20字（现有21字）。",
            "id_tier_1_rate": "应为0到100之间的百分数，最多一位小数。",
            "id_tier_1_points": "应为分数，如 8 或 8.5。",
        }
        for input_id, message in expected.items():
            with self.subTest(input_id):
                self.assertEqual(self.error_beside(page, input_id), message)
        summary = self.summary(page)
        self.assertIn(f"有 {len(expected)} 处需要修改", summary)
        for input_id, message in expected.items():
            self.assertIn(f'href="#{input_id}"', summary)
            self.assertIn(message, summary)
        self.assertIn("每个社区样本量：应为整数。", summary)
        self.assert_nothing_saved()

    def test_the_overall_question_must_be_a_filled_row(self) -> None:
        page = self.post(overall="5")
        self.assertIn("没有填写题目", self.error_beside(page, "id_overall_4", "id_overall_error"))
        self.assertIn('href="#id_overall_0"', self.summary(page))
        self.assert_nothing_saved()

    def test_the_actions_refusal_is_shown_above_the_form_with_what_was_typed(self) -> None:
        page = self.post(tier_2_rate="95", tier_2_points="10")
        self.assertIn("满意率越高，得分不能越低", self.summary(page))
        self.assertIn('value="95"', page)
        self.assert_nothing_saved()

    def test_blank_rows_are_skipped_and_the_chosen_row_stays_the_overall_one(self) -> None:
        post = {**PAGE_POST, "question_2": "", "question_4": "总体评价", "overall": "4"}
        post.update(pass_percent="88.5%", tier_3_rate="95", tier_3_points="20")
        self.assertRedirects(self.client.post(self.url, post), self.url)
        questions = SurveyQuestion.objects.filter(
            campaign=self.campaign, kind=QuestionKind.SATISFACTION
        )
        self.assertEqual(
            [(q.text, q.is_overall) for q in questions], [("服务态度", False), ("总体评价", True)]
        )
        awareness = SurveyQuestion.objects.filter(campaign=self.campaign, kind="awareness")
        self.assertEqual([q.position for q in awareness], [3, 4, 5])
        config = SurveyConfig.objects.get(campaign=self.campaign)
        self.assertEqual(str(config.pass_rate), "0.885")
        tiers_saved = SurveyPointTier.objects.filter(campaign=self.campaign)
        self.assertEqual(
            [(str(t.min_rate), t.points) for t in tiers_saved], [("0.900", 16), ("0.950", 20)]
        )

    def unlabelled_inputs(self) -> list[dict[str, str | None]]:
        found = LabelledInputs()
        found.feed(self.client.get(self.url).content.decode())
        self.assertGreater(len(found.inputs), 40)
        return [
            attributes
            for attributes in found.inputs
            if not attributes.get("aria-label") and attributes.get("id") not in found.label_targets
        ]

    def test_every_input_is_labelled(self) -> None:
        self.assertEqual(self.unlabelled_inputs(), [])
        answer_survey(self.sub, {"满意": 1})  # the questions and options are now read-only
        self.assertEqual(self.unlabelled_inputs(), [])


class CodeTests(SurveyOfficeTestCase):
    def test_codes_are_unguessable_and_typeable(self) -> None:
        made = do_generate_codes(self.sub.pk, "40", actor=self.office)
        tokens = [c.token for c in made]
        self.assertEqual(len(set(tokens)), 40)
        for token in tokens:
            self.assertRegex(token, f"^[{codes.ALPHABET}]{{12}}$")
        shown = codes.display(tokens[0])
        self.assertRegex(shown, r"^\w{4}-\w{4}-\w{4}$")
        self.assertEqual(codes.normalize(f" {shown.lower()} "), tokens[0])
        self.assertEqual(codes.normalize("O0O0-1111-IIII"), "")
        self.assertEqual(self.events("assessment.issue_codes"), 1)
        for bad in ("0", "501", "x"):
            with self.subTest(bad), self.assertRaisesMessage(ActionRefused, "生成数量"):
                do_generate_codes(self.sub.pk, bad, actor=self.office)

    def test_only_a_surveyed_community_gets_codes(self) -> None:
        forwarded = submission_at(self.campaign, self.dongbei, Status.FORWARDED, actor=self.staff)
        with self.assertRaisesMessage(ActionRefused, "当前状态为"):
            do_generate_codes(forwarded.pk, "5", actor=self.office)
        with self.assertRaises(ActionRefused):
            do_generate_codes(self.sub.pk, "5", actor=self.staff)
        self.assertFalse(SurveyCode.objects.exists())

    def test_voiding(self) -> None:
        made = do_generate_codes(self.sub.pk, "4", actor=self.office)
        used = made[0]
        SurveyResponse.objects.create(
            submission=self.sub, code=used, channel="code", finished_at=used.created_at, pattern="1"
        )
        with self.assertRaisesMessage(ActionRefused, "请填写作废原因"):
            do_void_codes(self.sub.pk, None, " ", actor=self.office)
        with self.assertRaisesMessage(ActionRefused, "已使用或已作废"):
            do_void_codes(self.sub.pk, [codes.display(used.token)], "遗失", actor=self.office)
        self.assertEqual(
            do_void_codes(self.sub.pk, [codes.display(made[1].token)], "遗失", actor=self.office),
            1,
        )
        self.assertIs(codes.state_of(SurveyCode.objects.get(pk=made[1].pk)), codes.CodeState.VOIDED)
        self.assertEqual(do_void_codes(self.sub.pk, None, "调查结束", actor=self.office), 2)
        self.assertIs(codes.state_of(SurveyCode.objects.get(pk=used.pk)), codes.CodeState.USED)
        counts = codes.counts_by_state([self.sub.pk])[self.sub.pk]
        self.assertEqual(counts, {"total": 4, "used": 1, "voided": 3, "unused": 0})

    def test_expiry_follows_the_survey_phase(self) -> None:
        code = do_generate_codes(self.sub.pk, "1", actor=self.office)[0]
        self.assertIs(codes.state_of(code), codes.CodeState.OPEN)
        self.campaign.phases.filter(phase="survey").update(
            starts_on="2000-01-01", ends_on="2000-01-02"
        )
        code = SurveyCode.objects.select_related("submission__campaign").get(pk=code.pk)
        self.assertIs(codes.state_of(code), codes.CodeState.EXPIRED)
        self.assertIn("2000年1月2日", codes.refusal_text(codes.CodeState.EXPIRED, code))

    def test_the_printed_sheet(self) -> None:
        made = do_generate_codes(self.sub.pk, "3", actor=self.office)
        do_void_codes(self.sub.pk, [made[2].token], "遗失", actor=self.office)
        self.login(self.office)
        with self.settings(SURVEY_PUBLIC_BASE_URL="https://survey.example.gov.cn"):
            response = self.client.get(reverse("survey_codes_print", args=[2020, self.gumo.code]))
        content = response.content.decode()
        self.assertEqual(content.count("<svg"), 2)
        self.assertIn(codes.display(made[0].token), content)
        self.assertNotIn(codes.display(made[2].token), content)
        self.assertIn("https://survey.example.gov.cn/s/", content)
        self.assertIn("古陌社区", content)


class QualityReviewTests(SurveyOfficeTestCase):
    def test_ruling_on_flagged_questionnaires(self) -> None:
        fast, slow = answer_survey(self.sub, {"满意": 2})
        SurveyResponse.objects.filter(pk=fast.pk).update(too_fast=True, quality=Quality.FLAGGED)
        with self.assertRaisesMessage(ActionRefused, "只能核定本社区被标记的问卷"):
            do_review_questionnaires(self.sub.pk, {slow.pk: True}, actor=self.office)
        other = submission_at(self.campaign, self.longshan, Status.SURVEYING, actor=self.office)
        theirs = answer_survey(other, {"满意": 1})[0]
        SurveyResponse.objects.filter(pk=theirs.pk).update(in_cluster=True, quality="flagged")
        with self.assertRaisesMessage(ActionRefused, "只能核定本社区被标记的问卷"):
            do_review_questionnaires(self.sub.pk, {theirs.pk: True}, actor=self.office)
        self.assertEqual(
            do_review_questionnaires(self.sub.pk, {fast.pk: False}, actor=self.office), (0, 1)
        )
        fast.refresh_from_db()
        self.assertEqual((fast.quality, fast.reviewed_by), (Quality.KEPT, self.office))
        # A ruling may be changed while the survey runs.
        do_review_questionnaires(self.sub.pk, {fast.pk: True}, actor=self.office)
        fast.refresh_from_db()
        self.assertEqual(fast.quality, Quality.EXCLUDED)
        self.assertEqual(self.events("assessment.review_survey"), 2)

    def test_the_review_form(self) -> None:
        flagged = answer_survey(self.sub, {"不满意": 1})[0]
        SurveyResponse.objects.filter(pk=flagged.pk).update(in_cluster=True, quality="flagged")
        self.login(self.office)
        detail = reverse("survey_detail", args=[2020, self.gumo.code])
        self.assertContains(self.client.get(detail), "相同答案聚集")
        response = self.client.post(
            reverse("survey_review", args=[2020, self.gumo.code]), {f"r{flagged.pk}": "exclude"}
        )
        self.assertRedirects(response, detail + "#quality", fetch_redirect_response=False)
        flagged.refresh_from_db()
        self.assertEqual(flagged.quality, Quality.EXCLUDED)


class PageTests(SurveyOfficeTestCase):
    def test_the_overview_shows_rate_interval_points_and_warnings(self) -> None:
        answer_survey(self.sub, {"满意": 20, "基本满意": 4, "不满意": 1})
        self.login(self.office)
        content = self.client.get(reverse("survey_list", args=[2020])).content.decode()
        row = re.search(rf'<tr id="survey-{self.gumo.code}">.*?</tr>', content, re.S)
        assert row is not None
        text = row.group(0)
        self.assertIn("96.0%", text)  # 24 / 25
        # The rate with its sample, as every page shows it (pipeline.rates.sample_text).
        self.assertIn("96.0%（有效问卷25份，少于规定30份，样本不足；95%区间 80.5%–99.3%）", text)
        self.assertIn("样本不足", text)  # 25 < 30
        self.assertIn(">16<", text.replace(" ", "").replace("\n", ""))
        self.assertIn(reverse("survey_detail", args=[2020, self.gumo.code]), text)
        self.login(self.leader)
        content = self.client.get(reverse("survey_list", args=[2020])).content.decode()
        self.assertIn("96.0%", content)
        self.assertNotIn(reverse("survey_detail", args=[2020, self.gumo.code]), content)

    def test_the_community_page(self) -> None:
        answer_survey(self.sub, {"满意": 3, "不了解": 1})
        self.login(self.office)
        content = self.client.get(reverse("survey_detail", args=[2020, self.gumo.code]))
        self.assertContains(content, "各题答案分布")
        self.assertContains(content, "少于规定样本量 30 份")
        self.assertContains(content, "总体评价选择不计入有效的选项 1 份")

    def test_generating_through_the_page(self) -> None:
        self.login(self.office)
        response = self.client.post(
            reverse("survey_generate_codes", args=[2020, self.gumo.code]), {"count": "5"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(SurveyCode.objects.filter(submission=self.sub).count(), 5)

    def test_page_queries_do_not_grow_with_rows(self) -> None:
        self.login(self.office)
        url = reverse("survey_list", args=[2020])
        detail = reverse("survey_detail", args=[2020, self.gumo.code])

        def count(path: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(path).status_code, 200)
            return len(queries)

        answer_survey(self.sub, {"满意": 2})
        first = (count(url), count(detail))
        for n in range(3):
            community = make_community(f"37100200100{n + 2}", f"增加社区{n}")
            more = submission_at(self.campaign, community, Status.SURVEYING, actor=self.office)
            answer_survey(more, {"满意": 3, "不满意": 1})
            do_generate_codes(more.pk, "2", actor=self.office)
        answer_survey(self.sub, {"满意": 5})
        flagged = SurveyResponse.objects.filter(submission=self.sub)[:3]
        SurveyResponse.objects.filter(pk__in=[r.pk for r in flagged]).update(
            too_fast=True, quality="flagged"
        )
        # Session, user and profile, the campaign and its phases, the survey scheme (4), the
        # page of candidates (2), their figures (1), codes (1), the district figures (1)...
        self.assertEqual(first, (18, 17))
        self.assertEqual((count(url), count(detail)), first)
        with self.assertNumQueries(18):
            self.client.get(url)
