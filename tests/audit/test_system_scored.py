"""Items the office does not type (issue 16, defects 2 and 3): the survey scores 6.1 and 6.2
after the audit; the system scores 1.2, 1.3 and 3.2 from the register figures frozen at
submission."""

from decimal import Decimal

from django.urls import reverse

from campaign.audit.actions import AuditRow, AuditRowsRefused, do_audit_items, do_pass_audit
from campaign.kernel.models import AuditEvent
from campaign.pipeline.models import ItemAudit, RegisterFigures, Status
from campaign.pipeline.workflow import ActionRefused
from tests.audit.test_audit import ReviewTestCase, article
from tests.builders import self_score


class SurveyItemTests(ReviewTestCase):
    def test_the_page_says_the_survey_scores_them_and_has_no_input(self) -> None:
        self.login(self.office)
        content = self.client.get(reverse("review_audit", args=[2020, self.dongbei.code]))
        text = content.content.decode()
        for code in ("6.1", "6.2"):
            card = article(text, code)
            self.assertIn("由满意度调查计分", card)
            self.assertIn("调查结束后计分", card)
            for field in ("score", "reason", "comment", "request"):
                self.assertNotIn(f'name="{field}-{code}"', card)

    def test_a_pass_needs_neither_survey_item(self) -> None:
        """6.1 and 6.2 had to be audited before a pass."""
        self.audit_all()
        do_pass_audit(self.sub.pk, actor=self.office)
        self.assertEqual(self.refresh().status, Status.SURVEYING)
        audits = ItemAudit.objects.filter(submission=self.sub)
        self.assertFalse(audits.filter(item__code__in=["6.1", "6.2"]).exists())

    def test_the_refusal_names_the_items_people_still_have_to_score(self) -> None:
        rows = {
            item.pk: AuditRow(score=self_score(item))
            for item in self.items
            if not item.is_system_scored and item.code != "2.1"
        }
        do_audit_items(self.sub.pk, rows, actor=self.office)
        with self.assertRaisesMessage(ActionRefused, "还有1个小项没有审核打分（2.1）"):
            do_pass_audit(self.sub.pk, actor=self.office)

    def test_nothing_of_a_survey_item_is_stored_from_a_post(self) -> None:
        self.login(self.office)
        url = reverse("review_audit", args=[2020, self.dongbei.code])
        response = self.client.post(url, {"score-6.1": "12", "reason-6.1": "估分"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("由满意度调查计分", article(response.content.decode(), "6.1"))
        response = self.client.post(url, {"score-6.2": "", "request-6.2": "补充宣传"})
        self.assertContains(response, "市办不审核", status_code=400)
        self.assertFalse(ItemAudit.objects.filter(item__code__in=["6.1", "6.2"]).exists())


class AutoItemTests(ReviewTestCase):
    def test_the_page_shows_the_system_score_with_the_figures_and_the_clause(self) -> None:
        self.login(self.office)
        url = reverse("review_audit", args=[2020, self.dongbei.code])
        card = article(self.client.get(url).content.decode(), "1.2")
        self.assertIn("系统自动核验", card)
        self.assertIn("实际 6", card)  # full-time workers, frozen at submission
        self.assertIn("要求 ≥ 5", card)
        self.assertIn("威发〔2018〕39号 二（四）", card)
        self.assertIn("每个社区不少于5人", card)
        self.assertNotIn('name="score-1.2"', card)
        # The office may still ask the district to correct the register.
        self.assertIn('name="request-1.2"', card)

    def test_a_typed_score_is_refused_on_the_page_and_by_the_autosave(self) -> None:
        """1.2 accepted any typed score, e.g. 2.5 where the indicator failed."""
        self.login(self.office)
        url = reverse("review_audit", args=[2020, self.dongbei.code])
        response = self.client.post(
            url, {"score-1.2": "2.5", "reason-1.2": "抽查", "version-1.2": "0"}
        )
        self.assertEqual(response.status_code, 400)
        card = article(response.content.decode(), "1.2")
        self.assertIn("自动核验计分", card)
        save = reverse("review_item_save", args=[2020, self.dongbei.code, "1.2"])
        response = self.client.post(save, {"score-1.2": "2.5", "version-1.2": "0"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("不能手工打分", response.json()["error"])
        self.assertFalse(ItemAudit.objects.filter(audited_score=Decimal("2.5")).exists())

    def test_the_office_types_a_score_for_neither_kind(self) -> None:
        for code, words in (("1.2", "自动核验"), ("6.1", "由满意度调查计分")):
            with self.subTest(code=code), self.assertRaises(AuditRowsRefused) as caught:
                do_audit_items(
                    self.sub.pk,
                    {self.item(code).pk: AuditRow(score=Decimal("2.5"), reason="抽查")},
                    actor=self.office,
                )
            self.assertIn(words, caught.exception.by_item[self.item(code).pk])

    def test_a_revision_request_leaves_the_system_score_and_basis(self) -> None:
        save = reverse("review_item_save", args=[2020, self.dongbei.code, "1.2"])
        self.login(self.office)
        response = self.client.post(
            save, {"request-1.2": "请核实专职工作者人数", "version-1.2": "0"}
        )
        self.assertEqual(response.status_code, 200, response.content)
        audit = ItemAudit.objects.get(submission=self.sub, item__code="1.2")
        self.assertEqual(audit.audited_score, self.item("1.2").max_points)
        self.assertEqual(audit.revision_request, "请核实专职工作者人数")
        self.assertIn("系统自动核验", audit.comment)


class UnscoredRoundTests(ReviewTestCase):
    """A submission forwarded before the system scored its auto items (demo or earlier data):
    the office's first save or pass of the round writes them, a page view never does."""

    def test_a_page_view_writes_nothing_the_first_save_writes_them(self) -> None:
        self.login(self.office)
        url = reverse("review_audit", args=[2020, self.dongbei.code])
        card = article(self.client.get(url).content.decode(), "1.3")
        self.assertIn("保存或审核通过时记入本轮审核", card)
        self.assertFalse(ItemAudit.objects.exists())
        item = self.item("2.1")
        self.client.post(url, {"score-2.1": str(self_score(item)), "version-2.1": "0"})
        auto = ItemAudit.objects.filter(
            submission=self.sub, round=1, item__code__in=["1.2", "1.3", "3.2"]
        )
        self.assertEqual(auto.count(), 3)
        event = AuditEvent.objects.filter(action="assessment.audit_item").latest("pk")
        self.assertEqual(set(event.details["system_scored"]), {"1.2", "1.3", "3.2"})

    def test_a_request_on_an_auto_item_typed_before_they_were_written_is_not_stale(self) -> None:
        """The page showed no row (version 0); the save writes the system's row first."""
        do_audit_items(
            self.sub.pk,
            {self.item("1.3").pk: AuditRow(revision_request="核实户数", version=0)},
            actor=self.office,
        )
        audit = ItemAudit.objects.get(submission=self.sub, item__code="1.3")
        self.assertEqual(audit.revision_request, "核实户数")

    def test_a_pass_writes_them_too(self) -> None:
        rows = {i.pk: AuditRow(score=self_score(i)) for i in self.items if not i.is_system_scored}
        do_audit_items(self.sub.pk, rows, actor=self.office)
        ItemAudit.objects.filter(item__code__in=["1.2", "1.3", "3.2"]).delete()
        do_pass_audit(self.sub.pk, actor=self.office)
        self.assertEqual(ItemAudit.objects.filter(item__code__in=["1.2", "1.3", "3.2"]).count(), 3)

    def test_without_frozen_figures_the_office_scores_auto_items_by_hand(self) -> None:
        """Submitted before figures were frozen: nothing for the system to score them on."""
        RegisterFigures.objects.filter(submission=self.sub).delete()
        self.login(self.office)
        url = reverse("review_audit", args=[2020, self.dongbei.code])
        self.assertIn('name="score-1.2"', article(self.client.get(url).content.decode(), "1.2"))
        with self.assertRaisesMessage(ActionRefused, "还有31个小项没有审核打分"):
            do_pass_audit(self.sub.pk, actor=self.office)
        rows = {
            i.pk: AuditRow(
                score=self_score(i) if not i.is_auto_scored else i.max_points, reason="核验台账"
            )
            for i in self.items
            if not i.is_survey_scored
        }
        do_audit_items(self.sub.pk, rows, actor=self.office)
        do_pass_audit(self.sub.pk, actor=self.office)
        self.assertEqual(self.refresh().status, Status.SURVEYING)
