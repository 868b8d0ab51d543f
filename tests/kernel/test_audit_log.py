"""The audit log: written by every action, and impossible to rewrite on PostgreSQL."""

from typing import Any
from unittest import skipUnless

from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from campaign.kernel import audit_log
from campaign.kernel.models import AuditEvent
from communities.models import Community
from tests.base import CampaignTestCase


class AppendOnlyTests(CampaignTestCase):
    @skipUnless(
        connection.vendor == "postgresql", "the guard is a PostgreSQL trigger; make test runs it"
    )
    def test_postgresql_refuses_update_and_delete(self) -> None:
        event = audit_log.record(
            "community.update", actor=self.staff, target=self.dongbei, comment="原始记录"
        )
        attempts = {
            "update one": lambda: AuditEvent.objects.filter(pk=event.pk).update(comment="篡改"),
            "save": lambda: AuditEvent.objects.get(pk=event.pk).save(),
            "delete one": lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
            "delete all": lambda: AuditEvent.objects.all().delete(),
            "raw sql": lambda: connection.cursor().execute(
                "UPDATE campaign_auditevent SET comment = 'x'"
            ),
        }
        for name, attempt in attempts.items():
            with (
                self.subTest(name),
                self.assertRaisesMessage(DatabaseError, "append-only"),
                transaction.atomic(),
            ):
                attempt()
        self.assertEqual(AuditEvent.objects.get(pk=event.pk).comment, "原始记录")

    def test_inserting_is_allowed(self) -> None:
        before = AuditEvent.objects.count()
        audit_log.record("community.update", actor=self.staff, target=self.dongbei)
        self.assertEqual(AuditEvent.objects.count(), before + 1)


class CommunityEditTests(CampaignTestCase):
    def form(self, **changes: Any) -> dict[str, Any]:
        c = self.dongbei
        data: dict[str, Any] = {
            "name": c.name,
            "kind": c.kind,
            "construction": c.construction,
            "households": c.households,
            "population": c.population,
            "compounds": c.compounds,
            "service_area": str(c.service_area),
            "full_time_workers": c.full_time_workers,
            "grid_count": c.grid_count,
            "work_funds_wan": "8",
            "party_fund_wan": "20",
            "contact_person": "",
            "contact_phone": "",
        }
        data.update(changes)
        return data

    def test_an_edit_writes_one_audit_row_with_what_changed(self) -> None:
        self.login(self.staff)
        url = reverse("community_edit", args=[self.dongbei.code])
        response = self.client.post(
            url, self.form(households=2450, work_funds_wan="8.82"), follow=True
        )
        self.assertContains(response, "已保存2项修改。")
        self.dongbei.refresh_from_db()
        self.assertEqual((self.dongbei.households, self.dongbei.work_funds), (2450, 88_200))
        event = AuditEvent.objects.get(action="community.update")
        self.assertEqual(
            event.details["changes"], {"households": [2000, 2450], "work_funds": [80_000, 88_200]}
        )
        self.assertEqual((event.actor, event.district), (self.staff, self.huancui))

    def test_saving_without_changes_writes_nothing(self) -> None:
        self.login(self.staff)
        response = self.client.post(
            reverse("community_edit", args=[self.dongbei.code]), self.form(), follow=True
        )
        self.assertContains(response, "没有修改任何内容。")
        self.assertFalse(AuditEvent.objects.filter(action="community.update").exists())

    def test_invalid_figures_are_explained_and_not_saved(self) -> None:
        self.login(self.staff)
        response = self.client.post(
            reverse("community_edit", args=[self.dongbei.code]),
            self.form(households=-1, party_fund_wan="abc"),
        )
        self.assertContains(response, "确保该值大于或等于0", status_code=400)
        self.assertContains(response, "输入一个数字", status_code=400)
        self.assertEqual(Community.objects.get(pk=self.dongbei.pk).households, 2000)

    def test_the_page_shows_hard_indicators_with_required_and_actual_figures(self) -> None:
        self.login(self.staff)
        response = self.client.get(reverse("community_detail", args=[self.gumo.code]))
        content = response.content.decode()
        self.assertIn("专职工作者配备", content)
        self.assertIn("≥ 5 人", content)
        self.assertIn("4 人", content)
        self.assertIn("未达标", content)
        self.assertIn("1.2 社区工作者配备与管理", content)
        self.assertIn("威发〔2018〕39号 二（四）", content)
