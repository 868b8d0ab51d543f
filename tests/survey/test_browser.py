"""A resident answers the satisfaction survey by code on a phone, inside WeChat, with JavaScript
off: the page must work as plain HTML on a 360-pixel screen."""

from typing import Any

from playwright.sync_api import Page, expect

from campaign.pipeline.models import Campaign, Status
from campaign.survey.codes import create_codes, display
from campaign.survey.defaults import config_for
from campaign.survey.models import Channel, SurveyResponse
from tests.browser import SCREENSHOTS, BrowserTestCase
from tests.builders import open_every_phase, submission_at

PHONE_WIDTH = 360
# WeChat's in-app browser on Android (XWEB): what residents scanning a card mostly use.
WECHAT = (
    "Mozilla/5.0 (Linux; Android 12; M2012K11AC Build/SKQ1.211006.001; wv) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile "
    "Safari/537.36 XWEB/5169 MMWEBSDK/20230504 MMWEBID/4587 MicroMessenger/8.0.37.2380"
    "(0x2800253D) WeChat/arm64 Weixin NetType/4G Language/zh_CN ABI/arm64"
)


class ResidentPhoneJourneyTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        campaign = Campaign.objects.get(year=2020)
        open_every_phase(campaign)
        submission = submission_at(campaign, self.dongbei, Status.SURVEYING, actor=self.office)
        self.notice = config_for(campaign).notice
        self.tokens = [code.token for code in create_codes(submission, 2, self.office)]
        self.phone = self.phone_context(javascript=False)
        self.addCleanup(self.phone.close)
        # The base class screenshots self.page when a test fails: make that the phone.
        self.page = self.phone.new_page()
        self.page.set_default_timeout(15_000)

    def phone_context(self, *, javascript: bool) -> Any:
        return self.browser.new_context(
            locale="zh-CN",
            viewport={"width": PHONE_WIDTH, "height": 740},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            user_agent=WECHAT,
            java_script_enabled=javascript,
        )

    def url(self, token: str) -> str:
        return f"{self.live_server_url}/s/{token}/"

    def choose(self, page: Page, question: int, label: str) -> None:
        page.locator(f"#q{question}").get_by_role("radio", name=label, exact=True).check()

    def test_answer_by_code_and_the_code_cannot_be_used_again(self) -> None:
        page = self.page
        page.goto(self.url(self.tokens[0]))
        expect(page.get_by_role("heading", name="社区居民满意度调查")).to_be_visible()
        expect(page.get_by_text("您正在评价的社区")).to_be_visible()
        expect(page.locator(".rated .name")).to_contain_text("东北村社区")
        expect(page.locator(".notice")).to_contain_text(self.notice.split("，")[0])
        expect(page.get_by_text("调查不记名")).to_be_visible()
        expect(page.locator("fieldset.q")).to_have_count(10)
        expect(page.locator("#q1 .num")).to_have_text("1")
        expect(page.get_by_text(display(self.tokens[0]))).to_be_visible()

        # Seven satisfaction questions, then three awareness questions answered 是/否.
        answers = ["满意", "基本满意", "满意", "不满意", "满意", "不了解", "满意", "是", "否", "是"]
        for question, label in enumerate(answers[:-1], start=1):
            self.choose(page, question, label)
        page.get_by_role("button", name="提交问卷").click()
        expect(page.locator("#q10 .error")).to_have_text("请回答第10题。")
        expect(page.get_by_role("alert").first).to_contain_text("有1道题需要您补充")
        for question, label in enumerate(answers[:-1], start=1):
            radio = page.locator(f"#q{question}").get_by_role("radio", name=label, exact=True)
            expect(radio).to_be_checked()
        self.assertFalse(SurveyResponse.objects.exists())
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "survey_phone_missing_answer.png"), full_page=True)

        # The summary links to the question; following it is plain HTML.
        page.get_by_role("link", name="请回答第10题。").click()
        self.choose(page, 10, answers[-1])
        page.get_by_role("button", name="提交问卷").click()
        expect(page.get_by_role("heading", name="提交成功，感谢您的参与！")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "survey_phone_thanks.png"), full_page=True)
        stored = SurveyResponse.objects.get()
        self.assertEqual(stored.pattern, "1213141121")
        self.assertEqual(stored.channel, Channel.CODE)
        self.assertIsNotNone(stored.duration_seconds)

        page.goto(self.url(self.tokens[0]))
        expect(page.get_by_role("heading", name="此调查码已使用")).to_be_visible()
        expect(page.get_by_text("每个调查码只能填写一次")).to_be_visible()
        expect(page.get_by_role("radio")).to_have_count(0)
        page.screenshot(path=str(SCREENSHOTS / "survey_phone_used.png"), full_page=True)
        self.assertEqual(SurveyResponse.objects.count(), 1)
        self.assertEqual(self.phone.cookies(), [])

    def test_a_typed_code_opens_the_questionnaire(self) -> None:
        page = self.page
        page.goto(f"{self.live_server_url}/s/")
        token = self.tokens[1]
        page.get_by_label("调查码").fill(f"{token[:4]}-{token[4:8]} {token[8:]}".lower())
        page.get_by_role("button", name="开始答题").click()
        expect(page.locator(".rated .name")).to_contain_text("东北村社区")
        self.assertEqual(page.url, self.url(token))

    def test_the_pages_fit_a_360_pixel_screen(self) -> None:
        # Measuring the layout needs JavaScript: a second phone with it on reads the sizes.
        measuring = self.phone_context(javascript=True)
        self.addCleanup(measuring.close)
        page = measuring.new_page()
        unknown = self.url("X" * 12)
        for url in (f"{self.live_server_url}/s/", unknown, f"{self.live_server_url}/s/thanks/"):
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            self.assertLessEqual(width, PHONE_WIDTH, url)
        # The questionnaire with every question flagged is the widest and longest page.
        page.goto(self.url(self.tokens[1]))
        page.get_by_role("button", name="提交问卷").click()
        expect(page.locator("fieldset.bad")).to_have_count(10)
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), PHONE_WIDTH)
        # Each answer is a whole-width tap target, well above the 44-pixel guideline.
        options = page.locator("label.opt").all()
        self.assertEqual(len(options), 7 * 4 + 3 * 2)
        for option in options:
            box = option.bounding_box()
            assert box is not None
            self.assertGreaterEqual(box["height"], 44)
            self.assertGreaterEqual(box["width"], PHONE_WIDTH - 60)
        page.screenshot(path=str(SCREENSHOTS / "survey_phone_all_missing.png"))
