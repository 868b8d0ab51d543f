"""No audit work lost (issue 16, defects 6 and 7): a stale save is refused and says who saved
what; each item saves itself; a return carries the requests on the page; a refused form keeps
what was typed."""

import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from campaign.audit.actions import AuditRow, AuditRowsRefused, do_audit_items
from campaign.kernel.roles import Role
from campaign.pipeline.models import ItemAudit, Phase, Status
from tests.audit.test_audit import ReviewTestCase, article
from tests.base import PASSWORD, make_user
from tests.builders import self_score


class LostUpdateTests(ReviewTestCase):
    def test_a_save_on_an_older_page_is_refused_and_says_who_saved(self) -> None:
        item = self.item("2.1")
        do_audit_items(
            self.sub.pk, {item.pk: AuditRow(score=self_score(item), version=0)}, actor=self.office
        )
        second_auditor = make_user("office2", Role.OFFICE_AUDITOR)
        with self.assertRaises(AuditRowsRefused) as caught:
            do_audit_items(
                self.sub.pk,
                # Opened before the first save: version 0.
                {item.pk: AuditRow(score=Decimal(0), reason="材料不全", version=0)},
                actor=second_auditor,
            )
        self.assertIn(item.pk, caught.exception.stale)
        problem = caught.exception.by_item[item.pk]
        self.assertRegex(problem, r"^office已于\d\d-\d\d \d\d:\d\d将本项审核得分改为1\.5，")
        audit = ItemAudit.objects.get(submission=self.sub, item=item)
        self.assertEqual((audit.audited_score, audit.version), (self_score(item), 1))

    def test_two_auditors_on_the_same_page_the_second_save_is_refused(self) -> None:
        """Both got "saved" and the later silently overwrote (10 of 10 trials)."""
        make_user("office2", Role.OFFICE_AUDITOR)
        url = reverse("review_audit", args=[2020, self.dongbei.code])
        first, second = Client(), Client()
        first.login(username="office", password=PASSWORD)
        second.login(username="office2", password=PASSWORD)
        pages = [c.get(url).content.decode() for c in (first, second)]
        versions = [re.search(r'name="version-3.1" value="(\d+)"', p)[1] for p in pages]  # type: ignore[index]
        self.assertEqual(versions, ["0", "0"])
        saved = first.post(
            url, {"score-3.1": "3", "reason-3.1": "缺台账", "version-3.1": versions[0]}
        )
        self.assertEqual(saved.status_code, 302)
        refused = second.post(
            url, {"score-3.1": "4", "reason-3.1": "材料完整", "version-3.1": versions[1]}
        )
        self.assertEqual(refused.status_code, 400)
        card = article(refused.content.decode(), "3.1")
        self.assertIn("将本项审核得分改为3，您的修改未保存", card)
        self.assertIn('value="4"', card)  # what the second auditor typed stays on the page
        self.assertIn("材料完整", card)
        audit = ItemAudit.objects.get(submission=self.sub, item=self.item("3.1"))
        self.assertEqual((audit.audited_score, audit.reason, audit.comment), (3, "缺台账", ""))
        # Having read who saved what, the second auditor may save over it deliberately.
        self.assertIn('name="version-3.1" value="1"', card)
        again = second.post(url, {"score-3.1": "4", "reason-3.1": "材料完整", "version-3.1": "1"})
        self.assertEqual(again.status_code, 302)
        audit.refresh_from_db()
        self.assertEqual((audit.audited_score, audit.version), (4, 2))


class AutosaveTests(ReviewTestCase):
    def url(self, code: str) -> str:
        return reverse("review_item_save", args=[2020, self.dongbei.code, code])

    def test_one_item_is_saved_on_its_own_and_answers_json(self) -> None:
        """The audit was one 132-field form with a single save at the bottom."""
        self.login(self.office)
        item = self.item("2.1")
        response = self.client.post(
            self.url("2.1"), {"score-2.1": str(self_score(item)), "version-2.1": "0"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual((response.json()["ok"], response.json()["version"]), (True, 1))
        self.assertRegex(response.json()["saved_at"], r"^\d\d:\d\d:\d\d$")
        audit = ItemAudit.objects.get(submission=self.sub, item=item)
        self.assertEqual(audit.audited_score, self_score(item))
        bad = self.client.post(self.url("2.1"), {"score-2.1": "9", "version-2.1": "1"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("超过本项分值", bad.json()["error"])
        reason = self.client.post(self.url("2.1"), {"score-2.1": "0", "version-2.1": "1"})
        self.assertEqual(reason.status_code, 400)
        self.assertIn("请填写调整理由", reason.json()["error"])
        self.assertEqual(self.client.post(self.url("9.9"), {"score-9.9": "1"}).status_code, 404)

    def test_a_stale_autosave_is_409_with_who_and_the_current_version(self) -> None:
        self.login(self.office)
        self.client.post(
            self.url("2.1"), {"score-2.1": "0", "reason-2.1": "无", "version-2.1": "0"}
        )
        stale = self.client.post(self.url("2.1"), {"score-2.1": "1", "version-2.1": "0"})
        self.assertEqual(stale.status_code, 409)
        answer = stale.json()
        self.assertEqual((answer["ok"], answer["stale"], answer["version"]), (False, True, 1))
        self.assertIn("将本项审核得分改为0", answer["error"])
        self.assertEqual(ItemAudit.objects.get(item=self.item("2.1")).audited_score, 0)

    def test_the_same_as_self_score_needs_no_reason(self) -> None:
        """What the page's 同自评 sends: the self-score alone."""
        self.login(self.office)
        page = self.client.get(reverse("review_audit", args=[2020, self.dongbei.code]))
        item = self.item("4.1")
        same = format(self_score(item).normalize(), "f")
        self.assertIn(f'data-same-as-self="{same}"', article(page.content.decode(), "4.1"))
        response = self.client.post(
            self.url("4.1"), {"score-4.1": same, "reason-4.1": "", "version-4.1": "0"}
        )
        self.assertEqual(response.status_code, 200, response.content)

    def test_a_closed_phase_is_said_as_such(self) -> None:
        self.campaign.phases.filter(phase=Phase.AUDIT).update(
            starts_on="2000-01-01", ends_on="2000-01-01"
        )
        self.login(self.office)
        response = self.client.post(self.url("2.1"), {"score-2.1": "1", "version-2.1": "0"})
        self.assertEqual(response.status_code, 409)
        self.assertIn("已于2000年1月1日截止", response.json()["error"])

    def test_only_the_office_autosaves_and_only_in_scope(self) -> None:
        for user in (self.staff, self.reviewer, self.other_admin, self.leader):
            self.login(user)
            response = self.client.post(self.url("2.1"), {"score-2.1": "1"})
            self.assertEqual(response.status_code, 403, user)
        self.assertFalse(ItemAudit.objects.filter(item=self.item("2.1")).exists())


class ReturnForRevisionTests(ReviewTestCase):
    def test_the_requests_typed_on_the_page_go_with_the_return(self) -> None:
        """Requests typed, then 退回修改 clicked before 保存: they were thrown away."""
        self.login(self.office)
        response = self.client.post(
            reverse("review_revise", args=[2020, self.dongbei.code]),
            {
                "comment": "请补充材料",
                "score-1.1": "",
                "request-1.1": "补充党组织会议记录",
                "version-1.1": "0",
                "request-1.2": "核实专职工作者人数",
                "version-1.2": "0",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.refresh().status, Status.REVISING)
        requests = dict(
            ItemAudit.objects.filter(submission=self.sub).values_list(
                "item__code", "revision_request"
            )
        )
        self.assertEqual(requests["1.1"], "补充党组织会议记录")
        self.assertEqual(requests["1.2"], "核实专职工作者人数")

    def test_a_refused_return_keeps_its_comment_and_the_rows(self) -> None:
        self.login(self.office)
        response = self.client.post(
            reverse("review_revise", args=[2020, self.dongbei.code]),
            {
                "comment": "材料不全，请补充",
                "score-2.1": "0",
                "comment-2.1": "缺台账",
                "version-2.1": "0",
            },
        )
        # 2.1 lacks its reason: nothing saved, nothing returned, everything typed kept.
        self.assertEqual(response.status_code, 400)
        content = response.content.decode()
        self.assertIn("材料不全，请补充</textarea>", content)
        self.assertIn("缺台账", article(content, "2.1"))
        self.assertEqual(self.refresh().status, Status.FORWARDED)
        # Rows fine but no revision request anywhere: the return is refused, the comment kept.
        response = self.client.post(
            reverse("review_revise", args=[2020, self.dongbei.code]),
            {
                "comment": "材料不全，请补充",
                "comment-2.1": "缺台账",
                "score-2.1": "",
                "version-2.1": "0",
            },
        )
        self.assertContains(response, "至少在一个小项填写修改要求", status_code=400)
        self.assertContains(response, "材料不全，请补充</textarea>", status_code=400)
        self.assertEqual(self.refresh().status, Status.FORWARDED)


class RefusedFormTests(ReviewTestCase):
    def test_a_refused_pass_keeps_its_comment(self) -> None:
        self.login(self.office)
        response = self.client.post(
            reverse("review_pass", args=[2020, self.dongbei.code]), {"comment": "材料齐全，同意"}
        )
        self.assertContains(response, "没有审核打分", status_code=400)
        self.assertContains(response, "材料齐全，同意</textarea>", status_code=400)
        self.assertEqual(self.refresh().status, Status.FORWARDED)
