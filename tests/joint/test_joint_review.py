"""The member units' joint review: opinions within the remit, bounded adjustments, the veto,
reminders and closing the review."""

from decimal import Decimal
from typing import Any

from django.test import override_settings
from django.urls import reverse

from campaign.joint import actions
from campaign.joint.forms import OpinionForm
from campaign.joint.models import Reminder
from campaign.kernel.models import AuditEvent
from campaign.kernel.roles import Role
from campaign.pipeline.models import ItemAudit, Status, Submission, UnitOpinion, UnitVeto
from campaign.pipeline.workflow import ActionRefused
from standards.models import Item, MemberUnit
from tests.base import CampaignTestCase, make_community, make_user
from tests.builders import open_every_phase, submission_at


class JointReviewCase(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        open_every_phase(self.campaign)
        self.candidate = submission_at(
            self.campaign, self.gumo, Status.JOINT_REVIEW, actor=self.office
        )

    def item(self, code: str) -> Item:
        return Item.objects.get(standard=self.standard, code=code)

    def audits(self) -> int:
        return AuditEvent.objects.count()

    def opine(
        self, code: str, agrees: bool = True, reason: str = "", adj: str = "", **kw: Any
    ) -> Any:
        return actions.do_give_opinion(
            self.candidate.pk,
            self.item(code).pk,
            agrees,
            reason,
            Decimal(adj or 0),
            actor=kw.get("actor", self.reviewer),
        )

    def unit_user(self, code: str) -> Any:
        return make_user(f"unit_{code}", Role.UNIT_REVIEWER, unit=MemberUnit.objects.get(code=code))

    def complete_every_unit(self, except_unit: str = "") -> None:
        for item in Item.objects.filter(standard=self.standard).prefetch_related("units"):
            for unit in item.units.all():
                if unit.code != except_unit:
                    UnitOpinion.objects.get_or_create(
                        submission=self.candidate,
                        item=item,
                        unit=unit,
                        defaults={"agrees": True, "updated_by": self.office},
                    )


class OpinionTests(JointReviewCase):
    def test_an_opinion_in_the_remit_is_saved_with_one_audit_row(self) -> None:
        before = self.audits()
        opinion = self.opine("2.1", False, "居民公约未经居民会议表决。")
        self.assertFalse(opinion.agrees)
        self.assertEqual(opinion.unit.code, "mzj")
        self.assertEqual(self.audits(), before + 1)
        event = AuditEvent.objects.latest("pk")
        self.assertEqual(event.action, "assessment.opine")
        self.assertEqual(event.details["items"][0]["item"], "2.1")
        # Giving it again updates the one opinion.
        self.opine("2.1", True)
        self.assertEqual(UnitOpinion.objects.filter(submission=self.candidate).count(), 1)
        self.assertEqual(
            self.candidate.__class__.objects.get(pk=self.candidate.pk).status, "joint_review"
        )

    def test_an_item_outside_the_remit_is_refused_naming_it(self) -> None:
        with self.assertRaises(ActionRefused) as refused:
            self.opine("1.1")  # 市委组织部 alone reviews 1.1
        self.assertIn("1.1 党建引领", refused.exception.message)
        self.assertIn("市民政局", refused.exception.message)
        zzb = self.unit_user("zzb")
        with self.assertRaises(ActionRefused):
            self.opine("2.1", actor=zzb)  # 居民公约 is 市民政局's alone
        self.assertFalse(UnitOpinion.objects.exists())

    def test_disagreement_needs_a_reason(self) -> None:
        with self.assertRaises(ActionRefused) as refused:
            self.opine("2.1", False, "  ")
        self.assertIn("2.1 居民公约", refused.exception.message)
        self.assertIn("理由", refused.exception.message)

    @override_settings(JOINT_REVIEW_MAX_ADJUSTMENT_PERCENT=20)
    def test_the_share_is_rounded_down_to_half_points(self) -> None:
        self.assertEqual(actions.max_adjustment(Decimal(16)), Decimal(3))  # 3.2 → 3
        self.assertEqual(actions.max_adjustment(Decimal(4)), Decimal("0.5"))  # 0.8 → 0.5

    @override_settings(JOINT_REVIEW_MAX_ADJUSTMENT_PERCENT=50)
    def test_adjustments_are_bounded_by_the_share_and_by_the_points(self) -> None:
        # 3.1: 4 points, audited 3; half of 4 is 2.
        with self.assertRaises(ActionRefused) as refused:
            self.opine("3.1", False, "服务体系不健全。", "-2.5")
        self.assertIn("3.1 社区服务体系", refused.exception.message)
        self.assertIn("50%", refused.exception.message)
        self.assertEqual(self.opine("3.1", False, "服务体系不健全。", "-2").adjustment, -2)
        self.assertEqual(self.opine("3.1", True, "服务有特色，酌情加分。", "+1").adjustment, 1)
        # Text that is not a number never gets this far: the page's form refuses it.
        with self.assertRaisesMessage(ActionRefused, "以0.5分为单位"):
            self.opine("3.1", False, "理由", "0.3")
        with self.assertRaises(ActionRefused) as refused:
            self.opine("3.1", True, "", "1")
        self.assertIn("调整分数时必须填写理由", refused.exception.message)
        # Within the share but outside 0..max.
        ItemAudit.objects.filter(submission=self.candidate, item__code="3.1").update(
            audited_score=Decimal("3.5")
        )
        with self.assertRaises(ActionRefused) as refused:
            self.opine("3.1", True, "加分", "1")
        self.assertIn("0～4", refused.exception.message)
        ItemAudit.objects.filter(submission=self.candidate, item__code="3.1").update(
            audited_score=Decimal(1)
        )
        with self.assertRaises(ActionRefused):
            self.opine("3.1", False, "减分", "-1.5")
        self.assertEqual(self.opine("3.1", False, "减分", "-1").adjustment, -1)

    def test_items_the_survey_or_the_system_scores_are_not_adjusted(self) -> None:
        """A unit could adjust 6.1 and scoring silently ignored it."""
        for code, words in (("6.1", "由满意度调查计分"), ("1.2", "由系统自动核验计分")):
            with self.subTest(code=code), self.assertRaisesMessage(ActionRefused, words):
                self.opine(code, False, "入户核查满意率偏低。", "-1")
        # An opinion without an adjustment is still the unit's to give.
        self.assertFalse(self.opine("6.1", False, "入户核查满意率偏低。").agrees)

    def test_several_items_are_saved_together_or_not_at_all(self) -> None:
        rows = [
            actions.OpinionRow(self.item("2.1").pk, True),
            actions.OpinionRow(self.item("3.4").pk, False, ""),  # no reason
        ]
        before = self.audits()
        with self.assertRaises(ActionRefused) as refused:
            actions.do_give_opinions(self.candidate.pk, rows, actor=self.reviewer)
        self.assertIn("3.4", refused.exception.message)
        self.assertFalse(UnitOpinion.objects.exists())
        rows[1] = actions.OpinionRow(self.item("3.4").pk, False, "错时上下班制度未落实。")
        actions.do_give_opinions(self.candidate.pk, rows, actor=self.reviewer)
        self.assertEqual(UnitOpinion.objects.count(), 2)
        self.assertEqual(self.audits(), before + 1)

    def test_opinions_only_during_the_joint_review(self) -> None:
        decided = submission_at(
            self.campaign, self.dongbei, Status.AWAITING_DECISION, actor=self.office
        )
        with self.assertRaises(ActionRefused):
            actions.do_give_opinion(
                decided.pk, self.item("2.1").pk, True, "", Decimal(0), actor=self.reviewer
            )

    def test_the_office_and_the_leading_group_cannot_opine(self) -> None:
        for actor in (self.office, self.leader):
            with self.subTest(actor=actor.username), self.assertRaises(ActionRefused):
                self.opine("2.1", actor=actor)
        self.assertFalse(UnitOpinion.objects.exists())


class VetoTests(JointReviewCase):
    def test_veto_and_lift_each_write_one_audit_row(self) -> None:
        with self.assertRaises(ActionRefused):
            actions.do_veto(self.candidate.pk, " ", actor=self.reviewer)
        before = self.audits()
        actions.do_veto(self.candidate.pk, "社区存在重大信访问题。", actor=self.reviewer)
        self.assertEqual(self.audits(), before + 1)
        self.assertEqual(UnitVeto.objects.get().unit.code, "mzj")
        with self.assertRaises(ActionRefused):
            actions.do_veto(self.candidate.pk, "再次否决", actor=self.reviewer)
        actions.do_lift_veto(self.candidate.pk, actor=self.reviewer)
        self.assertFalse(UnitVeto.objects.exists())
        lifted = AuditEvent.objects.latest("pk")
        self.assertEqual(lifted.action, "assessment.lift_veto")
        self.assertEqual(lifted.details["reason"], "社区存在重大信访问题。")
        self.assertEqual(self.audits(), before + 2)
        with self.assertRaises(ActionRefused):
            actions.do_lift_veto(self.candidate.pk, actor=self.reviewer)

    def test_one_unit_cannot_lift_another_units_veto(self) -> None:
        actions.do_veto(self.candidate.pk, "重大问题", actor=self.reviewer)
        with self.assertRaises(ActionRefused):
            actions.do_lift_veto(self.candidate.pk, actor=self.unit_user("zzb"))
        self.assertTrue(UnitVeto.objects.exists())

    def test_veto_pages(self) -> None:
        self.login(self.reviewer)
        url = reverse("joint_review_veto", args=[2020, self.gumo.code])
        self.assertRedirects(
            self.client.post(url, {"reason": "重大问题"}),
            reverse("joint_review_detail", args=[2020, self.gumo.code]),
        )
        page = self.client.get(reverse("joint_review_detail", args=[2020, self.gumo.code]))
        self.assertContains(page, "重大问题")
        self.assertContains(page, reverse("joint_review_lift_veto", args=[2020, self.gumo.code]))
        self.client.post(reverse("joint_review_lift_veto", args=[2020, self.gumo.code]))
        self.assertFalse(UnitVeto.objects.exists())


class CloseTests(JointReviewCase):
    def test_close_is_refused_while_a_unit_is_behind(self) -> None:
        self.complete_every_unit(except_unit="mzj")
        with self.assertRaises(ActionRefused) as refused:
            actions.do_close_review(self.candidate.pk, actor=self.office)
        self.assertIn("市民政局", refused.exception.message)
        self.assertNotIn("市委组织部", refused.exception.message)
        self.login(self.office)
        response = self.client.post(
            reverse("joint_review_close", args=[2020, self.gumo.code]), follow=True
        )
        self.assertContains(response, "以下成员单位尚未完成联审：市民政局")

    def test_close_moves_to_the_decision_when_every_unit_is_done(self) -> None:
        self.complete_every_unit()
        before = self.audits()
        actions.do_close_review(self.candidate.pk, actor=self.office)
        self.assertEqual(
            Submission.objects.get(pk=self.candidate.pk).status, Status.AWAITING_DECISION
        )
        self.assertEqual(self.audits(), before + 1)
        self.assertEqual(AuditEvent.objects.latest("pk").action, "assessment.close_review")

    def test_the_leading_group_cannot_close(self) -> None:
        self.complete_every_unit()
        with self.assertRaises(ActionRefused):
            actions.do_close_review(self.candidate.pk, actor=self.leader)
        self.login(self.leader)
        url = reverse("joint_review_close", args=[2020, self.gumo.code])
        self.assertEqual(self.client.post(url).status_code, 403)
        self.assertEqual(Submission.objects.get(pk=self.candidate.pk).status, Status.JOINT_REVIEW)


class ReminderTests(JointReviewCase):
    def test_the_office_reminds_a_unit_which_sees_and_reads_it(self) -> None:
        mzj = MemberUnit.objects.get(code="mzj")
        self.opine("2.1")
        before = self.audits()
        reminder = actions.do_remind_unit(self.campaign.pk, mzj.pk, actor=self.office)
        self.assertIn("13", reminder.message)  # 14 items in the remit, one done
        self.assertEqual(self.audits(), before + 1)
        self.assertEqual(AuditEvent.objects.latest("pk").action, "review.remind")
        with self.assertRaises(ActionRefused):
            actions.do_remind_unit(self.campaign.pk, mzj.pk, actor=self.reviewer)
        self.login(self.reviewer)
        page = self.client.get(reverse("joint_review_list", args=[2020]))
        self.assertContains(page, reminder.message)
        self.client.post(reverse("joint_review_reminders_read", args=[2020]))
        self.assertIsNotNone(Reminder.objects.get().read_at)
        self.assertNotContains(
            self.client.get(reverse("joint_review_list", args=[2020])), reminder.message
        )

    def test_a_unit_that_is_done_needs_no_reminder(self) -> None:
        self.complete_every_unit()
        self.login(self.office)
        response = self.client.post(
            reverse("joint_review_remind", args=[2020, "mzj"]), {"message": ""}
        )
        self.assertContains(response, "无需提醒", status_code=400)
        self.assertFalse(Reminder.objects.exists())


class PageTests(JointReviewCase):
    def test_the_list_shows_the_units_progress(self) -> None:
        self.opine("2.1")
        self.login(self.reviewer)
        page = self.client.get(reverse("joint_review_list", args=[2020]))
        self.assertContains(page, "古陌社区")
        self.assertContains(page, "1/14")
        self.login(self.office)
        self.assertRedirects(
            self.client.get(reverse("joint_review_list", args=[2020])),
            reverse("joint_review_matrix", args=[2020]),
        )

    def test_the_detail_page_shows_only_the_remit_and_saves_the_posted_items(self) -> None:
        self.login(self.reviewer)
        url = reverse("joint_review_detail", args=[2020, self.gumo.code])
        page = self.client.get(url)
        self.assertContains(page, "2.1 居民公约")
        self.assertNotContains(page, "1.1 党建引领")
        response = self.client.post(
            url,
            {
                "agrees-2.1": "yes",
                "agrees-3.4": "no",
                "reason-3.4": "未落实",
                "adjustment-3.4": "-0.5",
                "agrees-1.1": "no",  # not in the remit: not even read
            },
        )
        self.assertRedirects(response, url)
        self.assertEqual(
            dict(UnitOpinion.objects.values_list("item__code", "adjustment")),
            {"2.1": Decimal(0), "3.4": Decimal("-0.5")},
        )
        refused = self.client.post(url, {"agrees-2.1": "no", "reason-2.1": ""})
        self.assertEqual(refused.status_code, 409)
        self.assertContains(refused, "不同意审核结果时必须填写理由", status_code=409)

    def test_saved_opinions_are_shown_in_the_form(self) -> None:
        self.opine("3.4", False, "未落实", "-0.5")
        self.login(self.reviewer)
        page = self.client.get(reverse("joint_review_detail", args=[2020, self.gumo.code]))
        card = article(page.content.decode(), "3.4")
        self.assertIn('value="no" id="agrees-3.4_1" checked', card)
        self.assertIn('<label for="agrees-3.4_1">', card)
        self.assertIn('value="-0.5"', card)
        self.assertIn('<label for="adjustment-3.4">', card)
        self.assertIn('<label for="reason-3.4">', card)

    def test_a_unit_without_items_sees_a_clear_message(self) -> None:
        unit = MemberUnit.objects.create(code="tyj", name="市体育局", display_order=30)
        user = make_user("unit_tyj", Role.UNIT_REVIEWER, unit=unit)
        self.login(user)
        self.assertContains(
            self.client.get(reverse("joint_review_list", args=[2020])), "无需填写联审意见"
        )
        detail = self.client.get(reverse("joint_review_detail", args=[2020, self.gumo.code]))
        self.assertContains(detail, "无需填写联审意见")

    def test_district_roles_and_the_office_cannot_open_the_review_page(self) -> None:
        url = reverse("joint_review_detail", args=[2020, self.gumo.code])
        for user in (self.staff, self.district_admin, self.office, self.leader, self.sysadmin):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(url).status_code, 403)
                self.assertEqual(self.client.post(url, {"agrees-2.1": "yes"}).status_code, 403)
        self.assertFalse(UnitOpinion.objects.exists())

    def test_the_matrix_shows_cells_and_does_not_grow_with_candidates(self) -> None:
        self.opine("2.1", False, "理由")
        actions.do_veto(self.candidate.pk, "重大问题", actor=self.reviewer)
        self.login(self.office)
        url = reverse("joint_review_matrix", args=[2020])
        page = self.client.get(url)
        self.assertContains(page, "1/14")
        self.assertContains(page, "异1")
        self.assertContains(page, "尚未完成")
        self.login(self.leader)
        leader_page = self.client.get(url)
        self.assertEqual(leader_page.status_code, 200)
        self.assertNotContains(leader_page, reverse("joint_review_remind", args=[2020, "mzj"]))
        self.login(self.office)
        # session, user, menu campaign and session save (6); campaign, phases, count, page,
        # units, cells, totals, vetoes (8).
        with self.assertNumQueries(14):
            self.client.get(url)
        for n in range(3):
            community = make_community(f"371002001{n + 200:03d}", f"联审社区{n}")
            submission_at(self.campaign, community, Status.JOINT_REVIEW, actor=self.office)
        with self.assertNumQueries(14):
            self.client.get(url)


def article(content: str, code: str) -> str:
    """One item's card on the review page, to check that an error stands beside its item."""
    start = content.index(f'id="item-{code}"')
    return content[start : content.index("</article>", start)]


@override_settings(JOINT_REVIEW_MAX_ADJUSTMENT_PERCENT=20)
class OpinionFormTests(JointReviewCase):
    """Each opinion row is parsed by its own form; every bad row is shown at once, beside its
    field, and nothing is saved."""

    def form(self, code: str, **typed: str) -> OpinionForm:
        return OpinionForm({f"{k}-{code}": v for k, v in typed.items()}, item=self.item(code))

    @override_settings(JOINT_REVIEW_MAX_ADJUSTMENT_PERCENT=50)
    def test_the_form_types_the_row(self) -> None:
        # 3.1: 4 points, half of them ±2.
        form = self.form("3.1", agrees="no", reason=" 偏低 ", adjustment="－１.５")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(
            form.row(), actions.OpinionRow(self.item("3.1").pk, False, "偏低", Decimal("-1.5"))
        )
        blank = self.form("3.1", agrees="yes", adjustment=" ")
        self.assertTrue(blank.is_valid(), blank.errors)
        self.assertEqual(blank.row().adjustment, Decimal(0))
        for typed, problem in (
            ("abc", "分数调整应填写数字。"),
            ("0.3", "分数调整以0.5分为单位。"),
            ("2.5", "分数调整不能超过该小项分值的50%，即±2分。"),
            ("1e999999", "分数调整不能超过该小项分值的50%，即±2分。"),
        ):
            with self.subTest(typed=typed):
                form = self.form("3.1", agrees="no", reason="理由", adjustment=typed)
                self.assertEqual(form.errors["adjustment"], [problem])
        self.assertIn("agrees", self.form("3.1", agrees="maybe").errors)
        # The survey's items and the system's take no adjustment; a comment still.
        for code in ("6.1", "1.2"):
            with self.subTest(code=code):
                form = self.form(code, agrees="no", reason="理由", adjustment="0.5")
                self.assertIn("不能调整分数", form.errors["adjustment"][0])
                self.assertTrue(self.form(code, agrees="no", reason="理由").is_valid())

    def test_an_adjustment_beyond_the_bound_is_shown_beside_its_item(self) -> None:
        self.login(self.reviewer)
        url = reverse("joint_review_detail", args=[2020, self.gumo.code])
        before = self.audits()
        response = self.client.post(
            url,
            {
                "agrees-2.1": "yes",
                "agrees-3.1": "no",
                "reason-3.1": "入户核查服务不到位。",
                "adjustment-3.1": "-1",
                "agrees-3.4": "no",
                "reason-3.4": "未落实",
                "adjustment-3.4": "abc",
            },
        )
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertIn("有2个小项填写有误，本次联审意见均未保存", content)
        six = article(content, "3.1")
        self.assertIn(
            '<p class="error small" id="adjustment-3.1_error">分数调整不能超过该小项分值的20%', six
        )
        self.assertIn('aria-describedby="adjustment-3.1_error"', six)
        self.assertIn('value="-1"', six)
        self.assertIn("入户核查服务不到位。", six)
        self.assertIn('id="adjustment-3.4_error">分数调整应填写数字。', article(content, "3.4"))
        self.assertNotIn("_error", article(content, "2.1"))
        self.assertFalse(UnitOpinion.objects.exists())
        self.assertEqual(self.audits(), before)
