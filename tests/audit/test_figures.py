"""Register figures edited after submission (issue 16, defect 4): shown old → new on the audit
page, re-checked by the office before it may pass."""

from typing import Any

from django.urls import reverse

from campaign.audit.actions import do_pass_audit, do_recheck_figures
from campaign.kernel.models import AuditEvent
from campaign.pipeline.models import ItemAudit, RegisterFigures, Status
from campaign.pipeline.signals import submission_scores_changed
from campaign.pipeline.workflow import ActionRefused
from tests.audit.test_audit import ReviewTestCase, article
from tests.builders import submission_at


class FiguresEditedAfterSubmissionTests(ReviewTestCase):
    def setUp(self) -> None:
        super().setUp()
        # The register is edited after the district forwarded the submission.
        self.dongbei.full_time_workers = 3
        self.dongbei.save()
        self.url = reverse("review_audit", args=[2020, self.dongbei.code])

    def test_the_page_shows_old_and_new_and_the_pass_waits_for_a_recheck(self) -> None:
        self.audit_all()
        with self.assertRaisesMessage(ActionRefused, "专职工作者人数 6→3"):
            do_pass_audit(self.sub.pk, actor=self.office)
        self.assertEqual(self.refresh().status, Status.FORWARDED)
        self.login(self.office)
        content = self.client.get(self.url).content.decode()
        self.assertIn("提交后已修改", content)
        self.assertIn("<td>6</td><td>3</td>", content.replace("\n", ""))
        # Until re-checked, 1.2 is scored on the submitted figures and says so.
        card = article(content, "1.2")
        self.assertIn("提交后已修改", card)
        self.assertIn("实际 6", card)

    def test_the_recheck_rescores_the_auto_items_and_logs_old_and_new(self) -> None:
        self.audit_all()
        self.login(self.office)
        response = self.client.post(
            reverse("review_recheck_figures", args=[2020, self.dongbei.code])
        )
        self.assertRedirects(response, self.url)
        figures = RegisterFigures.objects.get(submission=self.sub)
        self.assertEqual((figures.full_time_workers, figures.staffing_result), (3, "fail"))
        self.assertIsNotNone(figures.rechecked_at)
        staffing = ItemAudit.objects.get(submission=self.sub, item__code="1.2", round=1)
        self.assertEqual((staffing.audited_score, staffing.version), (0, 2))
        event = AuditEvent.objects.filter(action="assessment.audit_item").latest("pk")
        self.assertEqual(event.details["figures"]["full_time_workers"], ["6", "3"])
        self.assertIn("专职工作者人数 6→3", event.comment)
        self.assertNotIn("提交后已修改的社区基础数据", self.client.get(self.url).content.decode())
        do_pass_audit(self.sub.pk, actor=self.office)
        self.assertEqual(self.refresh().status, Status.SURVEYING)

    def test_the_recheck_asks_for_the_scores_to_be_recomputed(self) -> None:
        changed: list[int] = []

        def receiver(sender: Any, submission_id: int, **kwargs: Any) -> None:
            changed.append(submission_id)

        submission_scores_changed.connect(receiver)
        self.addCleanup(submission_scores_changed.disconnect, receiver)
        do_recheck_figures(self.sub.pk, actor=self.office)
        self.assertIn(self.sub.pk, changed)

    def test_only_the_office_rechecks_and_only_while_auditing(self) -> None:
        recheck = reverse("review_recheck_figures", args=[2020, self.dongbei.code])
        for user in (self.staff, self.district_admin, self.leader, self.reviewer):
            self.login(user)
            self.assertEqual(self.client.post(recheck).status_code, 403, user)
        self.dongbei.full_time_workers = 6
        self.dongbei.save()
        with self.assertRaisesMessage(ActionRefused, "没有修改，无需复核"):
            do_recheck_figures(self.sub.pk, actor=self.office)
        surveying = submission_at(self.campaign, self.gumo, Status.SURVEYING, actor=self.office)
        with self.assertRaisesMessage(ActionRefused, "当前状态为"):
            do_recheck_figures(surveying.pk, actor=self.office)
        self.assertIsNone(RegisterFigures.objects.get(submission=self.sub).rechecked_at)

    def test_a_submission_without_frozen_figures_has_nothing_to_recheck(self) -> None:
        RegisterFigures.objects.filter(submission=self.sub).delete()
        with self.assertRaisesMessage(ActionRefused, "没有提交时的社区基础数据"):
            do_recheck_figures(self.sub.pk, actor=self.office)
        self.login(self.office)
        self.assertNotContains(self.client.get(self.url), "提交后已修改")
