"""A resident answers the satisfaction survey by one-time code on the public phone page
(campaign/survey/answering.py, campaign/survey_public_views.py)."""

import datetime
import re
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaign.pipeline.models import CampaignPhase, Phase, Status, Submission
from campaign.survey import answer_store, answering, codes
from campaign.survey.actions import OptionRow, SurveySettings, TierRow, do_save_survey_settings
from campaign.survey.defaults import config_for, default_options, default_questions
from campaign.survey.models import (
    Channel,
    Quality,
    SurveyCode,
    SurveyConfig,
    SurveyOption,
    SurveyPointTier,
    SurveyQuestion,
    SurveyResponse,
)
from tests.base import CampaignTestCase
from tests.builders import open_every_phase, submission_at

# One answer per default question (7 satisfaction, by option position: 1 满意 … 4 不了解; then
# 3 awareness: 1 是, 2 否).
PATTERN = "1234121121"


def answers(pattern: str = PATTERN, **overrides: str) -> dict[str, str]:
    data = {f"q{n}": digit for n, digit in enumerate(pattern, start=1) if digit != "-"}
    data.update(overrides)
    return data


def stamp_ago(token: str, seconds: int) -> str:
    return answering.start_stamp(token, timezone.now() - datetime.timedelta(seconds=seconds))


def build_survey(case: Any) -> None:
    """东北村社区 in the survey with every phase open, the default questionnaire and three
    codes, as attributes of ``case`` (a test class or a test)."""
    open_every_phase(case.campaign)
    case.submission = submission_at(
        case.campaign, case.dongbei, Status.SURVEYING, actor=case.office
    )
    case.config = config_for(case.campaign)
    case.survey_codes = codes.create_codes(case.submission, 3, case.office)


class AnsweringTests(CampaignTestCase):
    submission: Submission
    config: SurveyConfig
    survey_codes: list[SurveyCode]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_survey(cls)

    def setUp(self) -> None:
        super().setUp()
        self.code = self.survey_codes[0]
        self.url = reverse("survey_answer", args=[self.code.token])
        # As on survey day: this process has read the campaign's questionnaire already.
        answer_store.forget_forms()
        answering.load_questionnaire(self.survey_codes[2].token)

    def submit(self, data: dict[str, str], seconds: int | None = 120) -> Any:
        if seconds is not None:
            data = {answering.STAMP_FIELD: stamp_ago(self.code.token, seconds), **data}
        return self.client.post(self.url, data)

    def test_a_good_submission_stores_one_questionnaire(self) -> None:
        page = self.client.get(self.url)
        self.assertEqual(page.status_code, 200)
        content = page.content.decode()
        self.assertIn(self.config.notice, content)
        self.assertIn("东北村社区", content)
        self.assertIn("环翠区", content)
        self.assertIn("您对社区办事效率是否满意？", content)
        self.assertIn("不了解", content)
        self.assertEqual(page["Cache-Control"], "no-store")

        response = self.submit(answers())
        self.assertRedirects(response, reverse("survey_thanks"))
        stored = SurveyResponse.objects.get()
        self.assertEqual(stored.code, self.code)
        self.assertEqual(stored.submission, self.submission)
        self.assertEqual(stored.channel, Channel.CODE)
        self.assertEqual(stored.collector, "")
        self.assertEqual(stored.pattern, PATTERN)
        self.assertEqual(stored.quality, Quality.CLEAN)
        self.assertFalse(stored.too_fast)
        self.assertIsNotNone(stored.started_at)
        assert stored.duration_seconds is not None
        self.assertTrue(120 <= stored.duration_seconds <= 150, stored.duration_seconds)
        fourth = SurveyOption.objects.get(campaign=self.campaign, position=int(PATTERN[3]))
        self.assertEqual(fourth.label, "不了解")
        thanks = self.client.get(reverse("survey_thanks"))
        self.assertContains(thanks, "提交成功，感谢您的参与！")

    def test_missing_answers_come_back_with_the_chosen_ones_kept(self) -> None:
        stamp = stamp_ago(self.code.token, 60)
        data = answers("12-4-21121", q6="9")
        response = self.client.post(self.url, {**data, answering.STAMP_FIELD: stamp})
        self.assertEqual(response.status_code, 400)
        content = response.content.decode()
        self.assertIn("请回答第3题。", content)
        self.assertIn("请回答第5题。", content)
        self.assertIn("第6题的答案无效，请从选项中重新选择。", content)
        self.assertNotIn("请回答第1题。", content)
        self.assertIn("有3道题需要您补充", content)
        checked = re.findall(r'name="(q\d+)" value="(\d)" checked', content)
        self.assertEqual(
            checked,
            [
                ("q1", "1"),
                ("q2", "2"),
                ("q4", "4"),
                ("q7", "1"),
                ("q8", "1"),
                ("q9", "2"),
                ("q10", "1"),
            ],
        )
        # The first stamp rides along, so the time counts from when the page was first served.
        self.assertIn(f'value="{stamp}"', content)
        self.assertFalse(SurveyResponse.objects.exists())

        response = self.client.post(self.url, {**answers(), answering.STAMP_FIELD: stamp})
        self.assertRedirects(response, reverse("survey_thanks"))
        self.assertGreaterEqual(SurveyResponse.objects.get().duration_seconds or 0, 60)

    def test_a_used_code_is_refused(self) -> None:
        self.assertEqual(self.submit(answers()).status_code, 302)
        for response in (self.client.get(self.url), self.submit(answers("3333333222"))):
            self.assertContains(response, "这个调查码已经使用过", status_code=410)
            self.assertContains(response, "此调查码已使用", status_code=410)
        self.assertEqual(SurveyResponse.objects.get().pattern, PATTERN)

    def test_a_voided_code_is_refused(self) -> None:
        SurveyCode.objects.filter(pk=self.code.pk).update(voided_at=timezone.now())
        # Refused whatever the answers, and whether or not the process knows the questionnaire.
        responses = [
            self.client.get(self.url),
            self.submit(answers()),
            self.submit(answers("12-4")),
        ]
        answer_store.forget_forms()
        responses.append(self.submit(answers()))
        for response in responses:
            self.assertContains(response, "这个调查码已作废", status_code=410)
        self.assertFalse(SurveyResponse.objects.exists())

    def move_survey_phase(self, starts: int, ends: int) -> None:
        today = timezone.localdate()
        CampaignPhase.objects.filter(campaign=self.campaign, phase=Phase.SURVEY).update(
            starts_on=today + datetime.timedelta(days=starts),
            ends_on=today + datetime.timedelta(days=ends),
        )

    def test_codes_work_only_within_the_survey_phase(self) -> None:
        self.move_survey_phase(1, 10)
        for response in (self.client.get(self.url), self.submit(answers())):
            self.assertContains(response, "当前不在调查时间内", status_code=403)
        self.move_survey_phase(-10, -1)
        for response in (self.client.get(self.url), self.submit(answers())):
            self.assertContains(response, "当前不在调查时间内", status_code=410)
        self.assertFalse(SurveyResponse.objects.exists())
        self.move_survey_phase(0, 0)  # both ends inclusive
        self.assertEqual(self.submit(answers()).status_code, 302)

    def test_a_community_whose_survey_ended_is_closed(self) -> None:
        self.submission.status = Status.JOINT_REVIEW
        self.submission.save(update_fields=["status"])
        for response in (self.client.get(self.url), self.submit(answers())):
            self.assertContains(response, "该社区的满意度调查已经结束", status_code=410)
        self.assertFalse(SurveyResponse.objects.exists())

    def test_an_unknown_code_is_not_found(self) -> None:
        unknown = "ABCDEFGHJKMN"
        self.assertFalse(SurveyCode.objects.filter(token=unknown).exists())
        for url in (reverse("survey_answer", args=[unknown]), "/s/not-a-code/"):
            for response in (self.client.get(url), self.client.post(url, answers())):
                self.assertContains(response, "没有找到这个调查码", status_code=404)
                self.assertContains(response, reverse("survey_start"), status_code=404)
        self.assertFalse(SurveyResponse.objects.exists())

    def test_answering_too_fast_flags_the_questionnaire(self) -> None:
        self.submit(answers(), seconds=5)
        stored = SurveyResponse.objects.get()
        self.assertEqual((stored.quality, stored.too_fast), (Quality.FLAGGED, True))
        self.assertIn(stored.duration_seconds, (5, 6))

    def test_a_stamp_the_server_did_not_sign_is_ignored(self) -> None:
        token = self.code.token
        genuine = stamp_ago(token, 5)
        value, signature = genuine.rsplit(":", 1)
        # A phone claiming it started ten minutes ago: the signature no longer matches.
        earlier = str(int(value.split(".")[1]) - 600)
        forged = [
            f"{token}.{earlier}:{signature}",
            "",
            "garbage",
            stamp_ago(self.survey_codes[1].token, 300),  # signed, but for another code
        ]
        for stamp in forged:
            with self.subTest(stamp=stamp):
                SurveyResponse.objects.all().delete()
                self.client.post(self.url, {**answers(), answering.STAMP_FIELD: stamp})
                stored = SurveyResponse.objects.get()
                self.assertIsNone(stored.duration_seconds)
                self.assertIsNone(stored.started_at)
                self.assertEqual((stored.quality, stored.too_fast), (Quality.CLEAN, False))

    def test_a_typed_code_leads_to_its_questionnaire(self) -> None:
        token = self.code.token
        typed = "-".join(token[i : i + 4] for i in (0, 4, 8)).lower()
        target = reverse("survey_answer", args=[token])
        self.assertContains(self.client.get(reverse("survey_start")), 'name="code"')
        self.assertRedirects(self.client.get(reverse("survey_start"), {"code": typed}), target)
        self.assertRedirects(
            self.client.post(reverse("survey_start"), {"code": f" {typed} "}), target
        )
        self.assertRedirects(self.client.get(f"/s/{typed}/"), target)
        response = self.client.get(reverse("survey_start"), {"code": "12345"})
        self.assertContains(response, "调查码由12位字母和数字组成", status_code=400)
        self.assertContains(response, 'value="12345"', status_code=400)
        # Posting to the typed address stores against the same code.
        self.client.post(f"/s/{typed}/", answers())
        self.assertEqual(SurveyResponse.objects.get().code, self.code)

    def test_the_page_asks_for_no_personal_data(self) -> None:
        content = self.client.get(self.url).content.decode()
        inputs = re.findall(r"<(input|textarea|select)\b([^>]*)>", content)
        names = {re.search(r'name="([^"]+)"', attrs)[1] for _tag, attrs in inputs}  # type: ignore[index]
        self.assertEqual(names, {"t", *(f"q{n}" for n in range(1, 11))})
        kinds = {re.search(r'type="([^"]+)"', attrs)[1] for _tag, attrs in inputs}  # type: ignore[index]
        self.assertEqual(kinds, {"hidden", "radio"})
        for asked in ("姓名", "手机", "电话号码", "住址", "身份证"):
            self.assertNotIn(f"请输入{asked}", content)

    def test_the_pages_set_no_cookie_and_need_no_csrf_token(self) -> None:
        resident = Client(enforce_csrf_checks=True)
        for response in (
            resident.get(self.url),
            resident.get(reverse("survey_start")),
            resident.post(self.url, {answering.STAMP_FIELD: stamp_ago(self.code.token, 90)}),
            resident.post(
                self.url, {**answers(), answering.STAMP_FIELD: stamp_ago(self.code.token, 90)}
            ),
            resident.get(reverse("survey_thanks")),
        ):
            self.assertEqual(dict(response.cookies), {})
            self.assertNotIn("Cookie", response.get("Vary", ""))
            self.assertEqual(response["Cache-Control"], "no-store")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(SurveyResponse.objects.count(), 1)

    def test_the_answer_post_costs_one_statement(self) -> None:
        data = {**answers(), answering.STAMP_FIELD: stamp_ago(self.code.token, 90)}
        # One INSERT … SELECT that checks the code and stores the questionnaire. The test's
        # transaction adds a savepoint and its release around it (in production it commits
        # alone).
        with self.assertNumQueries(1 + 2):
            response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 302)
        # The page and a refusal: one query each.
        with self.assertNumQueries(1):
            self.client.get(reverse("survey_answer", args=[self.survey_codes[1].token]))
        with self.assertNumQueries(1):
            self.assertEqual(self.client.get(self.url).status_code, 410)
        # A used code's POST is refused by the unique column, not by a read first: the insert
        # that fails (inside its savepoint, rolled back and released) and the lookup that says
        # why.
        with self.assertNumQueries(1 + 3 + 1):
            self.assertEqual(self.client.post(self.url, data).status_code, 410)

    def test_a_process_reads_the_questionnaire_once(self) -> None:
        answer_store.forget_forms()
        data = {**answers(), answering.STAMP_FIELD: stamp_ago(self.code.token, 90)}
        # The first answer of a process: the lookup, the questionnaire, the INSERT.
        with self.assertNumQueries(2 + 3):
            self.assertEqual(self.client.post(self.url, data).status_code, 302)
        token = self.survey_codes[1].token
        data = {**answers(), answering.STAMP_FIELD: stamp_ago(token, 90)}
        with self.assertNumQueries(1 + 2):
            self.assertEqual(
                self.client.post(reverse("survey_answer", args=[token]), data).status_code, 302
            )

    def test_the_first_page_creates_the_default_questionnaire(self) -> None:
        for model in (SurveyConfig, SurveyQuestion, SurveyOption, SurveyPointTier):
            model.objects.filter(campaign=self.campaign).delete()
        page = self.client.get(self.url)
        self.assertContains(page, "总体来说，您对本社区的治理和服务是否满意？")
        self.assertEqual(SurveyQuestion.objects.filter(campaign=self.campaign).count(), 10)
        self.assertRedirects(self.submit(answers()), reverse("survey_thanks"))

    def test_saved_settings_reach_the_next_page_and_answer(self) -> None:
        # Processes keep the questionnaire keyed on the settings' updated_at: saving the
        # settings (allowed to change the questions until the first answer is in) must reach
        # the next page and the next answer, here six satisfaction questions (the three
        # awareness questions kept after them) and a longer minimum.
        do_save_survey_settings(
            self.campaign.pk,
            SurveySettings(
                sample_size=30,
                pass_percent=None,
                min_duration_seconds=200,
                cluster_size=5,
                notice=self.config.notice,
                questions=default_questions()[1:],
                overall=6,
                options=[OptionRow(*option) for option in default_options()],
                tiers=[TierRow(Decimal(85), Decimal(8))],
            ),
            actor=self.office,
        )
        page = self.client.get(self.url)
        self.assertNotContains(page, "您对社区工作人员的服务态度是否满意？")
        self.assertNotContains(page, 'name="q10"')
        answer_store.forget_forms()
        answering.load_questionnaire(self.survey_codes[2].token)  # the old one, as a guess
        self.assertRedirects(self.submit(answers()), reverse("survey_thanks"))
        stored = SurveyResponse.objects.get()
        self.assertEqual(stored.pattern, PATTERN[:9])
        self.assertEqual((stored.too_fast, stored.quality), (True, Quality.FLAGGED))

    def test_a_wrong_guess_never_decides_what_the_answers_mean(self) -> None:
        # The first try reads the answers against the questionnaire this process used last.
        # Guessed wrong (another campaign, or an older version of the settings with fewer
        # questions), the database refuses the guess and the answers are read again.
        real = answering.load_questionnaire(self.code.token).form
        assert real is not None
        older = SurveyConfig(
            id=real.config.id,
            campaign_id=real.campaign_id,
            updated_at=real.version - datetime.timedelta(hours=1),
            min_duration_seconds=0,
        )
        elsewhere = SurveyConfig(
            id=0, campaign_id=0, updated_at=real.version, min_duration_seconds=0
        )
        for n, config in enumerate((older, elsewhere)):
            with self.subTest(campaign=config.campaign_id):
                guess = answer_store.Form(config, real.questions[:3], real.options, frozenset({1}))
                answer_store._latest[:] = [guess]
                token = self.survey_codes[n].token
                data = {**answers("1" * 10), answering.STAMP_FIELD: stamp_ago(token, 10)}
                self.assertEqual(self.client.post(f"/s/{token}/", data).status_code, 302)
                stored = SurveyResponse.objects.get(code__token=token)
                self.assertEqual((stored.pattern, stored.too_fast), ("1" * 10, True))
        # Read against the real questionnaire, an answer missing from the guess is missing.
        answer_store._latest[:] = [guess]
        token = self.survey_codes[2].token
        response = self.client.post(f"/s/{token}/", answers("111"))
        self.assertContains(response, "有7道题需要您补充", status_code=400)

    def test_answering_through_the_domain_api(self) -> None:
        token = self.survey_codes[2].token
        outcome = answering.submit_answers(token, answers("111111111"), stamp_ago(token, 40))
        self.assertFalse(outcome.stored)
        self.assertEqual(list(outcome.errors), [10])
        outcome = answering.submit_answers(token, answers("2222222222"), stamp_ago(token, 40))
        self.assertTrue(outcome.stored)
        outcome = answering.submit_answers(token, answers("2222222222"), stamp_ago(token, 40))
        self.assertTrue(outcome.refused)
        assert outcome.questionnaire is not None
        self.assertIs(outcome.questionnaire.state, codes.CodeState.USED)
        self.assertEqual(SurveyResponse.objects.filter(code__token=token).count(), 1)
