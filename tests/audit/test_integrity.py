"""No audit work lost, nothing typed that the survey or the system scores (issue 16)."""

from decimal import Decimal

from django.urls import reverse

from campaign.audit.actions import AuditRow, AuditRowsRefused, do_audit_items, do_pass_audit
from campaign.kernel.models import AuditEvent
from campaign.kernel.roles import Role
from campaign.pipeline.models import ItemAudit, RegisterFigures, Status
from campaign.pipeline.workflow import ActionRefused
from tests.audit.test_audit import ReviewTestCase
from tests.base import make_user
from tests.builders import self_score


class LostUpdateTests(ReviewTestCase):
    def test_a_save_on_an_older_page_is_refused_and_says_who_saved(self) -> None:
        """Two auditors saving the same item: the later silently overwrote (10 of 10)."""
        item = self.item("2.1")
        do_audit_items(
            self.sub.pk,
            {item.pk: AuditRow(score=self_score(item), version=0)},
            actor=self.office,
        )
        second_auditor = make_user("office2", Role.OFFICE_AUDITOR)
        second_auditor_page = 0  # opened before the first save
        with self.assertRaises(AuditRowsRefused) as caught:
            do_audit_items(
                self.sub.pk,
                {
                    item.pk: AuditRow(
                        score=Decimal(0), reason="材料不全", version=second_auditor_page
                    )
                },
                actor=second_auditor,
            )
        self.assertIn(item.pk, caught.exception.stale)
        self.assertIn("office已于", caught.exception.by_item[item.pk])
        audit = ItemAudit.objects.get(submission=self.sub, item=item)
        self.assertEqual((audit.audited_score, audit.version), (self_score(item), 1))

    def test_the_page_carries_each_rows_version(self) -> None:
        self.login(self.office)
        url = reverse("review_audit", args=[2020, self.dongbei.code])
        self.client.post(url, {"score-2.1": "1", "reason-2.1": "缺台账", "version-2.1": "0"})
        response = self.client.post(url, {"score-2.1": "2", "version-2.1": "0"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "您的修改未保存", status_code=400)
        self.assertContains(response, 'value="2"', status_code=400)  # what was typed stays
        self.assertContains(response, 'name="version-2.1" value="1"', status_code=400)


class AutosaveTests(ReviewTestCase):
    def url(self, code: str) -> str:
        return reverse("review_item_save", args=[2020, self.dongbei.code, code])

    def test_one_item_is_saved_on_its_own_and_answers_json(self) -> None:
        self.login(self.office)
        item = self.item("2.1")
        response = self.client.post(
            self.url("2.1"), {"score-2.1": str(self_score(item)), "version-2.1": "0"}
        )
        self.assertEqual(response.json()["ok"], True)
        self.assertEqual(response.json()["version"], 1)
        stale = self.client.post(self.url("2.1"), {"score-2.1": "0", "version-2.1": "0"})
        self.assertEqual(stale.status_code, 409)
        self.assertTrue(stale.json()["stale"])
        bad = self.client.post(self.url("2.1"), {"score-2.1": "9", "version-2.1": "1"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("超过本项分值", bad.json()["error"])

    def test_only_the_office_autosaves_and_only_in_scope(self) -> None:
        for user, status in ((self.staff, 403), (self.reviewer, 403), (self.other_admin, 403)):
            self.login(user)
            response = self.client.post(self.url("2.1"), {"score-2.1": "1"})
            self.assertEqual(response.status_code, status, user)
        self.assertFalse(ItemAudit.objects.filter(item=self.item("2.1")).exists())


class ReturnForRevisionTests(ReviewTestCase):
    def test_the_requests_typed_on_the_page_go_with_the_return(self) -> None:
        """Requests typed, then 退回修改 clicked before 保存: they were thrown away."""
        self.login(self.office)
        response = self.client.post(
            reverse("review_revise", args=[2020, self.dongbei.code]),
            {"comment": "请补充材料", "score-1.1": "", "request-1.1": "补充党组织会议记录"},
        )
        self.assertEqual(response.status_code, 302)
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, Status.REVISING)
        audit = ItemAudit.objects.get(submission=self.sub, item=self.item("1.1"))
        self.assertEqual(audit.revision_request, "补充党组织会议记录")


class SystemScoredItemTests(ReviewTestCase):
    def test_the_office_does_not_type_what_the_survey_or_the_system_scores(self) -> None:
        for code, words in (("1.2", "自动核验"), ("6.1", "由满意度调查计分")):
            with self.subTest(code=code), self.assertRaises(AuditRowsRefused) as caught:
                do_audit_items(
                    self.sub.pk,
                    {self.item(code).pk: AuditRow(score=Decimal("2.5"), reason="抽查")},
                    actor=self.office,
                )
            self.assertIn(words, caught.exception.by_item[self.item(code).pk])

    def test_a_pass_needs_neither_survey_item_and_scores_the_auto_items(self) -> None:
        """6.1 and 6.2 had to be audited before a pass."""
        self.audit_all()
        do_pass_audit(self.sub.pk, actor=self.office)
        audits = ItemAudit.objects.filter(submission=self.sub)
        self.assertFalse(audits.filter(item__code__in=["6.1", "6.2"]).exists())
        self.assertEqual(audits.get(item__code="1.2").audited_score, 3)


class FiguresEditedAfterSubmissionTests(ReviewTestCase):
    def test_the_office_rechecks_them_before_passing(self) -> None:
        self.dongbei.full_time_workers = 3
        self.dongbei.save()
        self.audit_all()
        with self.assertRaisesMessage(ActionRefused, "专职工作者人数 6→3"):
            do_pass_audit(self.sub.pk, actor=self.office)
        self.login(self.office)
        page = self.client.get(reverse("review_audit", args=[2020, self.dongbei.code]))
        self.assertContains(page, "提交后已修改")
        self.client.post(reverse("review_recheck_figures", args=[2020, self.dongbei.code]))
        figures = RegisterFigures.objects.get(submission=self.sub)
        self.assertEqual((figures.full_time_workers, figures.staffing_result), (3, "fail"))
        self.assertIsNotNone(figures.rechecked_at)
        staffing = ItemAudit.objects.get(submission=self.sub, item__code="1.2", round=1)
        self.assertEqual(staffing.audited_score, 0)
        event = AuditEvent.objects.filter(action="assessment.audit_item").latest("pk")
        self.assertEqual(event.details["figures"]["full_time_workers"], ["6", "3"])
        do_pass_audit(self.sub.pk, actor=self.office)
        self.sub.refresh_from_db()
        self.assertEqual(self.sub.status, Status.SURVEYING)
