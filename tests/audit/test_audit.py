"""The office audit (scores, pass, return for revision, reject) and the survey result."""

from decimal import Decimal
from typing import Any

from django.urls import reverse

from campaign.assessment.actions import do_save_item, do_submit
from campaign.audit.actions import (
    AuditRow,
    AuditRowsRefused,
    do_audit_items,
    do_pass_audit,
    do_reject,
    do_request_revision,
)
from campaign.audit.forms import AuditItemForm
from campaign.kernel.models import AuditEvent
from campaign.pipeline.actions import plain_number
from campaign.pipeline.models import EvidenceFile, ItemAudit, Phase, Status, Submission
from campaign.pipeline.workflow import ActionRefused
from campaign.survey.actions import do_finish_survey
from standards.models import Item
from tests.base import CampaignTestCase, make_community
from tests.builders import open_every_phase, self_score, submission_at


class ReviewTestCase(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        open_every_phase(self.campaign)
        self.items = list(Item.objects.filter(standard=self.standard).order_by("display_order"))
        self.sub = submission_at(self.campaign, self.dongbei, Status.FORWARDED, actor=self.staff)

    def item(self, code: str) -> Item:
        return next(i for i in self.items if i.code == code)

    def audit_all(self, **requests: str) -> None:
        """Every item audited at its self-score; ``requests`` by item code (dots as _)."""
        rows = {
            item.pk: AuditRow(
                score=self_score(item),
                revision_request=requests.get(item.code.replace(".", "_"), ""),
            )
            for item in self.items
            if not item.is_system_scored
        }
        do_audit_items(self.sub.pk, rows, actor=self.office)

    def events(self, action: str) -> int:
        return AuditEvent.objects.filter(action=f"assessment.{action}").count()

    def refresh(self) -> Submission:
        self.sub.refresh_from_db()
        return self.sub


class AuditItemTests(ReviewTestCase):
    def test_a_score_differing_from_the_self_score_needs_a_reason(self) -> None:
        item = self.item("1.1")
        lower = self_score(item) - Decimal("0.5")
        with self.assertRaises(AuditRowsRefused) as caught:
            do_audit_items(self.sub.pk, {item.pk: AuditRow(score=lower)}, actor=self.office)
        self.assertIn("调整理由", caught.exception.by_item[item.pk])
        self.assertFalse(ItemAudit.objects.exists())
        do_audit_items(
            self.sub.pk, {item.pk: AuditRow(score=lower, reason="台账缺两个月")}, actor=self.office
        )
        audit = ItemAudit.objects.get(submission=self.sub, item=item)
        self.assertEqual((audit.round, audit.audited_score), (1, lower))
        # The same score as the self-score needs no reason; a blank score is "not yet audited".
        same = self.item("1.4")
        do_audit_items(
            self.sub.pk,
            {same.pk: AuditRow(score=self_score(same)), self.item("1.5").pk: AuditRow()},
            actor=self.office,
        )
        # And the system's rows of the auto-verified 1.2, 1.3 and 3.2.
        self.assertEqual(ItemAudit.objects.filter(submission=self.sub).count(), 2 + 3)

    def test_a_bad_score_names_the_item_and_nothing_is_saved(self) -> None:
        good, bad = self.item("1.1"), self.item("2.1")
        rows = {
            good.pk: AuditRow(score=self_score(good), comment="材料齐全"),
            # Text that is not a number never gets this far: the page's form refuses it.
            bad.pk: AuditRow(score=Decimal("0.3")),
        }
        with self.assertRaises(AuditRowsRefused) as caught:
            do_audit_items(self.sub.pk, rows, actor=self.office)
        self.assertEqual(list(caught.exception.by_item), [bad.pk])
        self.assertTrue(caught.exception.problems[0].startswith(f"{bad.code} {bad.title}："))
        self.assertFalse(ItemAudit.objects.exists())
        too_high = {bad.pk: AuditRow(score=bad.max_points + 1, reason="x")}
        with self.assertRaises(AuditRowsRefused) as caught:
            do_audit_items(self.sub.pk, too_high, actor=self.office)
        self.assertIn("超过本项分值", caught.exception.by_item[bad.pk])

    def test_the_page_shows_the_errors_beside_the_items_and_keeps_the_input(self) -> None:
        self.login(self.office)
        url = reverse("review_audit", args=[2020, self.dongbei.code])
        response = self.client.post(
            url, {"score-1.1": "1", "comment-1.1": "我的意见", "score-2.1": "abc"}
        )
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertIn("“abc”不是数字", content)
        self.assertIn('value="abc"', content)
        self.assertIn("我的意见", content)
        self.assertFalse(ItemAudit.objects.exists())
        item = self.item("1.1")
        response = self.client.post(url, {"score-1.1": str(self_score(item)), "reason-1.1": ""})
        self.assertRedirects(response, url)
        self.assertEqual(ItemAudit.objects.get(item=item).audited_score, self_score(item))

    def test_the_audit_page_shows_self_assessment_and_evidence(self) -> None:
        evidence = EvidenceFile.objects.create(
            submission=self.sub,
            original_name="台账.pdf",
            kind="pdf",
            size=100,
            sha256="0" * 64,
            stored_name="x/台账.pdf",
            uploaded_by=self.staff,
        )
        self.sub.assessments.get(item=self.item("1.1")).evidence.add(evidence)
        self.login(self.office)
        content = self.client.get(reverse("review_audit", args=[2020, self.dongbei.code]))
        text = content.content.decode()
        self.assertIn(reverse("evidence_file", args=[evidence.pk]), text)
        self.assertIn("1.1 ", text)
        self.assertIn("已按要求落实", text)
        self.assertIn('name="score-3.1"', text)
        # The survey scores 6.1 and the system 1.2: nothing to type for either.
        self.assertNotIn('name="score-6.1"', text)
        self.assertNotIn('name="score-1.2"', text)
        self.assertIn("由满意度调查计分", article(text, "6.1"))
        self.assertIn(reverse("review_pass", args=[2020, self.dongbei.code]), text)


def article(content: str, code: str) -> str:
    """One item's card on the audit page, to check that an error stands beside its item."""
    start = content.index(f'id="item-{code}"')
    return content[start : content.index("</article>", start)]


class AuditFormTests(ReviewTestCase):
    """The rows are parsed by one form per item; every bad row is shown at once, beside its
    field, and nothing is saved."""

    def setUp(self) -> None:
        super().setUp()
        self.login(self.office)
        self.url = reverse("review_audit", args=[2020, self.dongbei.code])
        self.good = {"score-1.1": str(self_score(self.item("1.1"))), "comment-1.1": "材料齐全"}

    def test_the_form_parses_the_score_with_the_self_assessment_rule(self) -> None:
        item = self.item("6.1")
        form = AuditItemForm({"score-6.1": "１２.５分", "reason-6.1": " 核减 "}, item=item)
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.row(), AuditRow(score=Decimal("12.5"), reason="核减"))
        blank = AuditItemForm({"score-6.1": " "}, item=item)
        self.assertTrue(blank.is_valid())
        self.assertIsNone(blank.row().score)
        wrong = AuditItemForm({"score-6.1": "九十", "comment-6.1": "长" * 1001}, item=item)
        self.assertFalse(wrong.is_valid())
        self.assertEqual(wrong.errors["score"], ["“九十”不是数字"])
        self.assertEqual(wrong.errors["comment"], ["不能超过1000字。"])

    def test_a_bad_score_is_shown_beside_its_item_and_nothing_is_saved(self) -> None:
        events = AuditEvent.objects.count()  # 3.1 is worth 4 points
        for typed, problem in (
            ("abc", "“abc”不是数字"),
            ("2.3", "得分最小单位为0.5分，“2.3”不符合"),
            ("5", "得分5超过本项分值4分"),
        ):
            with self.subTest(typed=typed):
                response = self.client.post(
                    self.url, {**self.good, "score-3.1": typed, "reason-3.1": "入户核查"}
                )
                self.assertEqual(response.status_code, 200)
                content = response.content.decode()
                card = article(content, "3.1")
                self.assertIn(f'<p class="error small" id="score-3.1_error">{problem}', card)
                self.assertIn('aria-describedby="score-3.1_error"', card)
                self.assertIn(f'value="{typed}"', card)
                self.assertNotIn("_error", article(content, "1.1"))
                self.assertIn("材料齐全", article(content, "1.1"))
                self.assertIn("有1个小项填写有误，本次审核打分均未保存", content)
        self.assertFalse(ItemAudit.objects.exists())
        self.assertEqual(AuditEvent.objects.count(), events)

    def test_two_bad_rows_show_both_errors_at_once(self) -> None:
        response = self.client.post(
            self.url,
            {**self.good, "score-2.1": "abc", "score-3.1": "99", "comment-3.1": "长" * 1001},
        )
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertIn("有2个小项填写有误", content)
        self.assertIn('id="score-2.1_error">“abc”不是数字', article(content, "2.1"))
        six = article(content, "3.1")
        self.assertIn('id="score-3.1_error">得分99超过本项分值', six)
        self.assertIn('id="comment-3.1_error">不能超过1000字。', six)
        self.assertIn('aria-describedby="comment-3.1_error"', six)
        self.assertFalse(ItemAudit.objects.exists())

    def test_a_missing_reason_refused_by_the_action_is_shown_beside_the_reason(self) -> None:
        item = self.item("2.1")
        lower = plain_number(self_score(item) - Decimal("0.5"))
        response = self.client.post(self.url, {**self.good, "score-2.1": lower})
        self.assertEqual(response.status_code, 400)
        card = article(response.content.decode(), "2.1")
        self.assertIn('id="reason-2.1_error">审核得分', card)
        self.assertIn("请填写调整理由", card)
        self.assertIn('aria-describedby="reason-2.1_error"', card)
        self.assertIn(f'value="{lower}"', card)
        self.assertFalse(ItemAudit.objects.exists())


class DecisionTests(ReviewTestCase):
    def test_pass_is_refused_while_items_are_unaudited_then_allowed(self) -> None:
        with self.assertRaisesMessage(ActionRefused, "还有28个小项没有审核打分"):
            do_pass_audit(self.sub.pk, actor=self.office)
        self.audit_all()
        do_pass_audit(self.sub.pk, "材料完整", actor=self.office)
        self.assertEqual(self.refresh().status, Status.SURVEYING)
        self.assertEqual(self.sub.audit_comment, "材料完整")

    def test_return_for_revision_and_resubmission_start_a_new_round(self) -> None:
        with self.assertRaisesMessage(ActionRefused, "至少在一个小项填写修改要求"):
            do_request_revision(self.sub.pk, "请补充材料", actor=self.office)
        self.audit_all(**{"1_1": "补充党组织会议记录"})
        with self.assertRaisesMessage(ActionRefused, "必须填写退回意见"):
            do_request_revision(self.sub.pk, " ", actor=self.office)
        do_request_revision(self.sub.pk, "请按修改要求补充材料", actor=self.office)
        self.assertEqual(self.refresh().status, Status.REVISING)
        # The district sees what to fix on its own assessment page, and may edit.
        self.login(self.staff)
        content = self.client.get(
            reverse("assessment_detail", args=[2020, self.dongbei.code])
        ).content.decode()
        self.assertIn("请按修改要求补充材料", content)
        self.assertIn("补充党组织会议记录", content)
        self.assertIn(reverse("assessment_submit", args=[2020, self.dongbei.code]), content)
        item = self.item("1.1")
        do_save_item(
            self.campaign.pk,
            self.dongbei.pk,
            item.pk,
            score=str(item.max_points),
            explanation="已补充会议记录。",
            expected_version=None,
            actor=self.staff,
        )
        do_submit(self.sub.pk, actor=self.staff)
        self.assertEqual((self.refresh().status, self.sub.audit_round), (Status.FORWARDED, 2))
        first = ItemAudit.objects.filter(submission=self.sub, round=1)
        self.assertEqual(first.count(), 31)  # every item but the survey's two
        self.assertEqual(first.get(item=item).revision_request, "补充党组织会议记录")
        # The new round holds only the system's scores of the auto-verified items so far.
        second = ItemAudit.objects.filter(submission=self.sub, round=2)
        self.assertEqual(sorted(second.values_list("item__code", flat=True)), ["1.2", "1.3", "3.2"])
        # The office's new round starts empty, with round 1 shown beside it.
        self.login(self.office)
        content = self.client.get(
            reverse("review_audit", args=[2020, self.dongbei.code])
        ).content.decode()
        self.assertIn("第1轮审核", content)
        self.assertIn("0/28", content)
        with self.assertRaisesMessage(ActionRefused, "没有审核打分"):
            do_pass_audit(self.sub.pk, actor=self.office)

    def test_reject_needs_a_reason(self) -> None:
        with self.assertRaisesMessage(ActionRefused, "必须填写理由"):
            do_reject(self.sub.pk, "  ", actor=self.office)
        self.assertEqual(self.refresh().status, Status.FORWARDED)
        do_reject(self.sub.pk, "服务中心面积不达标", actor=self.office)
        self.assertEqual(self.refresh().status, Status.REJECTED)
        self.assertEqual(self.sub.audit_comment, "服务中心面积不达标")

    def test_decisions_through_the_pages(self) -> None:
        self.login(self.office)
        audit_url = reverse("review_audit", args=[2020, self.dongbei.code])
        # Refused: the page again, with the message (and what was typed, none here).
        response = self.client.post(reverse("review_reject", args=[2020, self.dongbei.code]))
        self.assertContains(response, "审核不通过时必须填写理由", status_code=400)
        self.assertEqual(self.refresh().status, Status.FORWARDED)
        self.audit_all()
        response = self.client.post(
            reverse("review_pass", args=[2020, self.dongbei.code]), {"comment": ""}
        )
        self.assertRedirects(response, audit_url)
        self.assertEqual(self.refresh().status, Status.SURVEYING)
        # Past the audit the page is read-only and says why.
        content = self.client.get(audit_url).content.decode()
        self.assertNotIn('name="score-1.1"', content)
        self.assertIn("当前状态为“满意度调查中”", content)

    def test_the_office_cannot_act_in_the_wrong_state(self) -> None:
        surveying = submission_at(self.campaign, self.gumo, Status.SURVEYING, actor=self.office)
        item = self.item("1.1")
        for action in (
            lambda: do_audit_items(
                surveying.pk, {item.pk: AuditRow(score=Decimal(1))}, actor=self.office
            ),
            lambda: do_pass_audit(surveying.pk, actor=self.office),
            lambda: do_request_revision(surveying.pk, "改", actor=self.office),
            lambda: do_reject(surveying.pk, "不行", actor=self.office),
            lambda: do_finish_survey(self.sub.pk, actor=self.office),
        ):
            with self.subTest(), self.assertRaisesMessage(ActionRefused, "当前状态为"):
                action()
        # Nor outside the audit phase's dates.
        self.campaign.phases.filter(phase=Phase.AUDIT).update(
            starts_on="2000-01-01", ends_on="2000-01-01"
        )
        with self.assertRaisesMessage(ActionRefused, "已于2000年1月1日截止"):
            do_reject(self.sub.pk, "不行", actor=self.office)
        self.assertEqual(self.refresh().status, Status.FORWARDED)

    def test_every_legal_action_writes_exactly_one_audit_row(self) -> None:
        def once(action: str, run: Any) -> None:
            before = self.events(action)
            total = AuditEvent.objects.count()
            run()
            self.assertEqual(self.events(action), before + 1, action)
            self.assertEqual(AuditEvent.objects.count(), total + 1, action)

        once("audit_item", lambda: self.audit_all(**{"2_1": "补充"}))
        once("request_revision", lambda: do_request_revision(self.sub.pk, "改", actor=self.office))
        rejected = submission_at(self.campaign, self.gumo, Status.FORWARDED, actor=self.staff)
        once("reject", lambda: do_reject(rejected.pk, "不符合条件", actor=self.office))
        other = make_community("371002001093", "审计行社区")
        passing = submission_at(self.campaign, other, Status.FORWARDED, actor=self.staff)
        self.sub = passing
        self.audit_all()
        once("pass_audit", lambda: do_pass_audit(passing.pk, actor=self.office))
        event = AuditEvent.objects.filter(action="assessment.audit_item").order_by("pk").first()
        assert event is not None
        self.assertEqual(event.details["items"]["2.1"]["revision_request"], "补充")


class ReviewAccessTests(ReviewTestCase):
    def test_only_the_office_may_post(self) -> None:
        code = self.dongbei.code
        posts = {
            "review_audit": {"score-1.1": "1", "reason-1.1": "x"},
            "review_pass": {},
            "review_revise": {"comment": "改"},
            "review_reject": {"comment": "不行"},
            "survey_finish": {},
        }
        for user in (
            self.staff,
            self.district_admin,
            self.other_staff,
            self.reviewer,
            self.leader,
            self.sysadmin,
        ):
            self.login(user)
            for name, data in posts.items():
                with self.subTest(user=user.username, route=name):
                    response = self.client.post(reverse(name, args=[2020, code]), data)
                    self.assertEqual(response.status_code, 403)
        self.assertEqual(self.refresh().status, Status.FORWARDED)
        self.assertFalse(ItemAudit.objects.exists())

    def test_the_audit_page_is_out_of_scope_for_another_district(self) -> None:
        url = reverse("review_audit", args=[2020, self.dongbei.code])
        for user in (self.other_staff, self.other_admin):
            self.login(user)
            self.assertEqual(self.client.get(url).status_code, 404)
        # The own district reads it, without the office's unfinished scores or any input.
        self.audit_all()
        self.login(self.staff)
        content = self.client.get(url).content.decode()
        self.assertIn("本轮审核结果在审核结束后显示", content)
        self.assertNotIn('name="score-1.1"', content)
        self.assertNotIn(reverse("review_pass", args=[2020, self.dongbei.code]), content)
        self.login(self.leader)
        self.assertNotIn('name="score-1.1"', self.client.get(url).content.decode())

    def test_the_lists_are_for_the_office_and_the_leading_group(self) -> None:
        for user in (self.staff, self.district_admin, self.reviewer, self.sysadmin, self.nobody):
            self.login(user)
            for name in ("review_list", "survey_list"):
                with self.subTest(user=user.username, route=name):
                    self.assertEqual(self.client.get(reverse(name, args=[2020])).status_code, 403)


class ReviewListTests(ReviewTestCase):
    # Session, user with profile, the menu's campaign year; saving the session (3).
    PER_REQUEST = 6
    # Campaign, counts per state, page count, one page with both totals, the item count.
    LIST = 5

    def grow(self, count: int) -> None:
        for n in range(count):
            community = make_community(f"371002002{n + 100:03d}", f"候选社区{n}")
            submission_at(self.campaign, community, Status.SURVEYING, actor=self.office)

    def test_the_list_shows_totals_and_counts_and_its_queries_are_pinned(self) -> None:
        item = self.item("1.1")
        lower = self_score(item) - 1
        do_audit_items(
            self.sub.pk, {item.pk: AuditRow(score=lower, reason="扣分")}, actor=self.office
        )
        self.login(self.office)
        url = reverse("review_list", args=[2020])
        with self.assertNumQueries(self.PER_REQUEST + self.LIST):
            response = self.client.get(url)
        content = response.content.decode()
        # The system scores the auto-verified items in full here (the register's figures meet
        # every indicator); nobody self-scores the survey's.
        self_total = sum(
            (i.max_points if i.is_auto_scored else self_score(i))
            for i in self.items
            if not i.is_survey_scored
        )
        self.assertIn(format(Decimal(self_total).normalize(), "f"), content)
        self.assertIn("已审 1/28 项", content)
        self.assertIn(format(lower.normalize(), "f"), content)
        self.grow(3)
        with self.assertNumQueries(self.PER_REQUEST + self.LIST):
            response = self.client.get(url)
        self.assertEqual(len(response.context["rows"]), 4)
        filtered = self.client.get(url, {"status": "forwarded"})
        self.assertEqual([s.pk for s, _a in filtered.context["rows"]], [self.sub.pk])
        stats = {value: n for value, _name, n in filtered.context["stats"]}
        self.assertEqual((stats["forwarded"], stats["surveying"], stats["revising"]), (1, 3, 0))
        self.assertContains(filtered, "待审核")
        # District drafts are not the office's to see.
        submission_at(self.campaign, self.longshan, Status.SUBMITTED, actor=self.other_staff)
        self.assertEqual(len(self.client.get(url).context["rows"]), 4)
