"""The public notice, objections, naming and the upward recommendation: the actions, the office's
pages and the public pages (no login, no personal data)."""

import datetime
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client, SimpleTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.kernel.models import AuditEvent
from campaign.pipeline.models import Status, Submission
from campaign.pipeline.workflow import ActionRefused, today
from campaign.publication.actions import (
    admit_objection_attempt,
    do_accept_objection,
    do_dismiss_objection,
    do_investigate_objection,
    do_lodge_objection,
    do_name_communities,
    do_publish_notice,
    do_recommend_upward,
    do_uphold_objection,
    rate_key,
)
from campaign.publication.models import Objection, ObjectionStatus, PublicNotice
from campaign.publication.notice import configured_holidays, notice_period
from communities.models import Community
from tests.assessment.test_evidence import pdf_bytes, upload_file, use_temporary_evidence_dir
from tests.base import CampaignTestCase, make_community
from tests.builders import open_every_phase, submission_at

D = datetime.date
ADDRESSES = ("127.0.0.1", "10.1.1.1", "10.2.2.2", "10.8.8.8", "10.9.9.9")
CONTACT = "市民政局社区治理科，电话 0631-5200000"


class NoticePeriodTests(SimpleTestCase):
    def test_a_friday_start_ends_the_next_thursday(self) -> None:
        self.assertEqual(notice_period(D(2024, 3, 1), 5, set()), (D(2024, 3, 1), D(2024, 3, 7)))

    def test_a_saturday_start_moves_to_monday(self) -> None:
        self.assertEqual(notice_period(D(2024, 3, 2), 5, set()), (D(2024, 3, 4), D(2024, 3, 8)))

    def test_a_holiday_in_the_middle_is_skipped(self) -> None:
        holidays = {D(2024, 3, 5)}
        self.assertEqual(notice_period(D(2024, 3, 1), 5, holidays), (D(2024, 3, 1), D(2024, 3, 8)))

    def test_a_start_on_a_holiday_moves_to_the_next_working_day(self) -> None:
        # 2024-10-01..07: National Day week, and Saturday 10-12 worked in its place (调休).
        self.assertEqual(notice_period(D(2024, 10, 1), 5, set()), (D(2024, 10, 8), D(2024, 10, 12)))

    def test_the_state_councils_make_up_working_days_count(self) -> None:
        # 2026: National Day 10-01..07, Saturday 10-10 worked in its place. The weekday count
        # ended on 10-12 and left the notice two days open too long.
        self.assertEqual(notice_period(D(2026, 9, 29), 5, set()), (D(2026, 9, 29), D(2026, 10, 10)))

    def test_a_year_the_calendar_has_not_published_uses_weekdays_and_the_override(self) -> None:
        # 2030-10-01 is a Tuesday; the configured holidays stand in for the unpublished calendar.
        week = {D(2030, 10, day) for day in range(1, 8)}
        self.assertEqual(notice_period(D(2030, 10, 1), 5, week), (D(2030, 10, 8), D(2030, 10, 14)))
        self.assertEqual(notice_period(D(2030, 10, 1), 5, set()), (D(2030, 10, 1), D(2030, 10, 7)))

    @override_settings(NOTICE_WORKING_DAYS=3, NOTICE_HOLIDAYS=["2024-03-04", " "])
    def test_defaults_come_from_settings(self) -> None:
        self.assertEqual(notice_period(D(2024, 3, 1)), (D(2024, 3, 1), D(2024, 3, 6)))

    def test_a_bad_holiday_fails_clearly(self) -> None:
        with self.assertRaisesMessage(ImproperlyConfigured, "2024-13-01"):
            configured_holidays(["2024-01-01", "2024-13-01"])


class PublicationCase(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        open_every_phase(self.campaign)
        # The cache may be a shared Redis that outlives the test database: forget only the
        # addresses these tests post from.
        cache.delete_many([rate_key(ip) for ip in ADDRESSES])
        self.root = use_temporary_evidence_dir(self)

    def at(self, community: Community, status: Status) -> Submission:
        return submission_at(self.campaign, community, status, actor=self.office)

    def lodge(self, submission: Submission, files: list[Any] | None = None, **kw: Any) -> Objection:
        return do_lodge_objection(
            kw.get("notice_id", submission.notice_id or 0),
            submission.community.code,
            kw.get("objector", "张三"),
            kw.get("contact", "13800000000"),
            kw.get("content", "该社区服务中心面积与实际不符。"),
            files or [],
            ip=kw.get("ip", "10.0.0.1"),
        )

    def end_notice(self, submission: Submission) -> None:
        day = today()
        PublicNotice.objects.filter(pk=submission.notice_id or 0).update(
            starts_on=day - datetime.timedelta(days=10), ends_on=day - datetime.timedelta(days=1)
        )

    def stored_files(self) -> list[Path]:
        return [p for p in Path(self.root).rglob("*") if p.is_file()]


class PublishTests(PublicationCase):
    def test_publish_moves_every_approved_community_into_one_notice(self) -> None:
        first, second = (
            self.at(self.dongbei, Status.APPROVED),
            self.at(self.longshan, Status.APPROVED),
        )
        waiting = self.at(self.gumo, Status.AWAITING_DECISION)
        notice = do_publish_notice(
            self.campaign.pk, today(), CONTACT, actor=self.office, ip="1.2.3.4"
        )
        self.assertEqual((notice.starts_on, notice.ends_on), notice_period(today()))
        for submission in (first, second):
            submission.refresh_from_db()
            self.assertEqual(submission.status, Status.IN_NOTICE)
            self.assertEqual(submission.notice, notice)
        waiting.refresh_from_db()
        self.assertEqual(waiting.status, Status.AWAITING_DECISION)
        self.assertEqual(AuditEvent.objects.filter(action="assessment.publish").count(), 2)
        row = AuditEvent.objects.get(action="notice.publish")
        self.assertEqual(row.actor, self.office)
        self.assertEqual(set(row.details["communities"]), {self.dongbei.code, self.longshan.code})

    def test_publish_refuses_without_approved_communities_or_contact(self) -> None:
        with self.assertRaisesMessage(ActionRefused, "没有领导小组研究通过"):
            do_publish_notice(self.campaign.pk, today(), CONTACT, actor=self.office, ip=None)
        self.at(self.dongbei, Status.APPROVED)
        with self.assertRaisesMessage(ActionRefused, "异议受理方式"):
            do_publish_notice(self.campaign.pk, today(), " ", actor=self.office, ip=None)
        with self.assertRaisesMessage(ActionRefused, "领导小组办公室"):
            do_publish_notice(self.campaign.pk, today(), CONTACT, actor=self.leader, ip=None)
        self.assertFalse(PublicNotice.objects.exists())

    def test_the_office_publishes_from_its_page(self) -> None:
        submission = self.at(self.dongbei, Status.APPROVED)
        self.login(self.office)
        page = self.client.get(reverse("publication", args=[2020])).content.decode()
        self.assertIn("东北村社区", page)
        self.assertIn(reverse("notice_publish", args=[2020]), page)
        response = self.client.post(
            reverse("notice_publish", args=[2020]),
            {"starts_on": today().isoformat(), "contact": CONTACT},
        )
        self.assertRedirects(response, reverse("publication", args=[2020]))
        submission.refresh_from_db()
        self.assertEqual(submission.status, Status.IN_NOTICE)

    def test_other_roles_cannot_publish_or_handle(self) -> None:
        submission = self.at(self.dongbei, Status.APPROVED)
        noticed = self.at(self.longshan, Status.IN_NOTICE)
        objection = self.lodge(noticed)
        data = {"starts_on": today().isoformat(), "contact": CONTACT}
        for user in (self.staff, self.district_admin, self.reviewer, self.leader, self.sysadmin):
            with self.subTest(user=user.username):
                self.login(user)
                url = reverse("notice_publish", args=[2020])
                self.assertEqual(self.client.post(url, data).status_code, 403)
                handle = reverse("objection_handle", args=[2020, objection.reference, "accept"])
                self.assertEqual(self.client.post(handle).status_code, 403)
                detail = reverse("objection_detail", args=[2020, objection.reference])
                self.assertEqual(self.client.get(detail).status_code, 403)
                name = reverse("name_communities", args=[2020])
                self.assertEqual(self.client.post(name).status_code, 403)
        submission.refresh_from_db()
        objection.refresh_from_db()
        self.assertEqual(submission.status, Status.APPROVED)
        self.assertEqual(objection.status, ObjectionStatus.RECEIVED)

    def test_the_leading_group_reads_the_page_without_forms(self) -> None:
        noticed = self.at(self.dongbei, Status.IN_NOTICE)
        objection = self.lodge(noticed)
        self.login(self.leader)
        page = self.client.get(reverse("publication", args=[2020])).content.decode()
        self.assertIn(objection.reference, page)
        self.assertNotIn("张三", page)
        self.assertNotIn(reverse("name_communities", args=[2020]), page)


class LodgeTests(PublicationCase):
    def test_an_objection_gets_a_reference_and_keeps_its_evidence(self) -> None:
        noticed = self.at(self.dongbei, Status.IN_NOTICE)
        first = self.lodge(noticed, [upload_file("证据.pdf", pdf_bytes())])
        second = self.lodge(noticed)
        self.assertEqual((first.reference, second.reference), ("YY2020-0001", "YY2020-0002"))
        self.assertEqual(first.kind, "pdf")
        self.assertTrue(first.stored_name.startswith("2020/objections/"))
        self.assertEqual(len(self.stored_files()), 1)
        row = AuditEvent.objects.filter(action="objection.lodge").first()
        assert row is not None
        self.assertIsNone(row.actor)
        self.assertEqual(row.actor_name, "公众")
        self.assertNotIn("张三", str(row.details) + row.comment)

    def test_outside_the_notice_period_is_refused(self) -> None:
        noticed = self.at(self.dongbei, Status.IN_NOTICE)
        self.end_notice(noticed)
        with self.assertRaisesMessage(ActionRefused, "不在公示期内"):
            self.lodge(noticed)
        future = today() + datetime.timedelta(days=3)
        PublicNotice.objects.filter(pk=noticed.notice_id or 0).update(
            starts_on=future, ends_on=future
        )
        with self.assertRaisesMessage(ActionRefused, "不在公示期内"):
            self.lodge(noticed)
        self.assertFalse(Objection.objects.exists())

    def test_a_community_not_in_the_notice_is_refused(self) -> None:
        noticed = self.at(self.dongbei, Status.IN_NOTICE)
        self.at(self.gumo, Status.APPROVED)
        with self.assertRaisesMessage(ActionRefused, "不在本次公示名单中"):
            do_lodge_objection(
                noticed.notice_id or 0, self.gumo.code, "张三", "138", "不实", [], ip=None
            )

    def test_required_fields_and_lengths(self) -> None:
        noticed = self.at(self.dongbei, Status.IN_NOTICE)
        with self.assertRaisesMessage(ActionRefused, "异议人"):
            self.lodge(noticed, objector=" ")
        with self.assertRaisesMessage(ActionRefused, "联系方式"):
            self.lodge(noticed, contact="")
        with self.assertRaisesMessage(ActionRefused, "不能超过"):
            self.lodge(noticed, content="长" * 2001)

    def test_a_renamed_program_is_refused_and_nothing_is_stored(self) -> None:
        noticed = self.at(self.dongbei, Status.IN_NOTICE)
        program = b"MZ\x90\x00" + b"\x00" * 2000
        with self.assertRaisesMessage(ActionRefused, "可执行程序"):
            self.lodge(noticed, [upload_file("证据.pdf", program)])
        self.assertFalse(Objection.objects.exists())
        self.assertEqual(self.stored_files(), [])

    @override_settings(OBJECTIONS_PER_HOUR=2)
    def test_rate_limit_per_address(self) -> None:
        admit_objection_attempt("10.1.1.1")
        admit_objection_attempt("10.1.1.1")
        with self.assertRaisesMessage(ActionRefused, "一小时内最多提交2件"):
            admit_objection_attempt("10.1.1.1")
        admit_objection_attempt("10.2.2.2")

    @override_settings(OBJECTIONS_PER_HOUR=2)
    def test_the_public_form_applies_the_rate_limit(self) -> None:
        self.at(self.dongbei, Status.IN_NOTICE)
        url = reverse("public_objection", args=[2020])
        form = {
            "community": self.dongbei.code,
            "objector": "李四",
            "contact": "13900000000",
            "content": "社区工作者人数不足。",
        }
        for _n in range(2):
            self.assertEqual(self.client.post(url, form, REMOTE_ADDR="10.9.9.9").status_code, 302)
        refused = self.client.post(url, form, REMOTE_ADDR="10.9.9.9")
        self.assertContains(refused, "一小时内最多提交2件", status_code=400)
        self.assertEqual(self.client.post(url, form, REMOTE_ADDR="10.8.8.8").status_code, 302)
        self.assertEqual(Objection.objects.count(), 3)


class ObjectionPathTests(PublicationCase):
    def handle_to_investigated(self, objection: Objection) -> None:
        do_accept_objection(objection.pk, "", actor=self.office, ip=None)
        with self.assertRaisesMessage(ActionRefused, "调查情况"):
            do_investigate_objection(objection.pk, " ", actor=self.office, ip=None)
        do_investigate_objection(objection.pk, "实地查看，面积属实。", actor=self.office, ip=None)

    def test_dismissed_the_community_stays_and_is_named_later(self) -> None:
        noticed = self.at(self.dongbei, Status.IN_NOTICE)
        objection = self.lodge(noticed)
        self.end_notice(noticed)
        with self.assertRaisesMessage(ActionRefused, "暂时没有可以命名"):
            do_name_communities(self.campaign.pk, actor=self.office, ip=None)
        self.handle_to_investigated(objection)
        with self.assertRaisesMessage(ActionRefused, "不能受理"):
            do_accept_objection(objection.pk, "", actor=self.office, ip=None)
        with self.assertRaisesMessage(ActionRefused, "答复意见"):
            do_dismiss_objection(objection.pk, "", actor=self.office, ip=None)
        do_dismiss_objection(objection.pk, "经核实，异议不成立。", actor=self.office, ip=None)
        objection.refresh_from_db()
        self.assertEqual(objection.status, ObjectionStatus.DISMISSED)
        self.assertIsNotNone(objection.closed_at)
        noticed.refresh_from_db()
        self.assertEqual(noticed.status, Status.IN_NOTICE)
        outcome = do_name_communities(self.campaign.pk, actor=self.office, ip=None)
        self.assertEqual([s.pk for s in outcome.named], [noticed.pk])
        noticed.refresh_from_db()
        self.assertEqual((noticed.status, noticed.named_on), (Status.NAMED, today()))
        steps = AuditEvent.objects.filter(action__startswith="objection.").order_by("pk")
        self.assertEqual(
            [(e.action, e.from_state, e.to_state) for e in steps],
            [
                ("objection.lodge", "", "received"),
                ("objection.accept", "received", "accepted"),
                ("objection.investigate", "accepted", "investigated"),
                ("objection.dismiss", "investigated", "dismissed"),
            ],
        )

    def test_upheld_the_community_is_removed_and_never_named(self) -> None:
        noticed = self.at(self.dongbei, Status.IN_NOTICE)
        other = self.at(self.longshan, Status.IN_NOTICE)
        objection = self.lodge(noticed)
        self.handle_to_investigated(objection)
        do_uphold_objection(objection.pk, "经核实，异议成立。", actor=self.office, ip="1.2.3.4")
        noticed.refresh_from_db()
        self.assertEqual(noticed.status, Status.REMOVED)
        removal = AuditEvent.objects.get(action="assessment.remove")
        self.assertEqual((removal.from_state, removal.to_state), ("in_notice", "removed"))
        self.end_notice(other)
        outcome = do_name_communities(self.campaign.pk, actor=self.office, ip=None)
        self.assertEqual([s.pk for s in outcome.named], [other.pk])
        self.client.logout()
        named = self.client.get(reverse("public_named", args=[2020])).content.decode()
        self.assertIn("龙山社区", named)
        self.assertNotIn("东北村社区", named)

    def test_naming_waits_for_the_end_of_the_notice(self) -> None:
        noticed = self.at(self.dongbei, Status.IN_NOTICE)
        with self.assertRaises(ActionRefused) as refused:
            do_name_communities(self.campaign.pk, actor=self.office, ip=None)
        self.assertIn("公示期尚未结束", " ".join(refused.exception.problems))
        noticed.refresh_from_db()
        self.assertEqual(noticed.status, Status.IN_NOTICE)

    def test_the_office_handles_an_objection_on_its_pages(self) -> None:
        noticed = self.at(self.dongbei, Status.IN_NOTICE)
        objection = self.lodge(noticed, [upload_file("证据.pdf", pdf_bytes())])
        self.login(self.office)
        detail = reverse("objection_detail", args=[2020, objection.reference])
        page = self.client.get(detail).content.decode()
        self.assertIn("张三", page)
        self.assertIn("13800000000", page)
        self.assertIn(reverse("objection_handle", args=[2020, objection.reference, "accept"]), page)
        response = self.client.get(reverse("objection_file", args=[2020, objection.reference]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(b"".join(response.streaming_content)[:5], b"%PDF-")  # type: ignore[attr-defined]
        accept = reverse("objection_handle", args=[2020, objection.reference, "accept"])
        self.assertRedirects(self.client.post(accept), detail)
        objection.refresh_from_db()
        self.assertEqual(objection.status, ObjectionStatus.ACCEPTED)
        unknown = reverse("objection_handle", args=[2020, objection.reference, "delete"])
        self.assertEqual(self.client.post(unknown).status_code, 404)


class UpwardTests(PublicationCase):
    def test_recommend_upward(self) -> None:
        named = self.at(self.dongbei, Status.NAMED)
        with self.assertRaisesMessage(ActionRefused, "推荐理由"):
            do_recommend_upward(named.pk, "province", " ", actor=self.office, ip=None)
        with self.assertRaisesMessage(ActionRefused, "省级还是全国"):
            do_recommend_upward(named.pk, "city", "很好", actor=self.office, ip=None)
        self.login(self.office)
        response = self.client.post(
            reverse("recommend_upward", args=[2020, self.dongbei.code]),
            {"level": "province", "reason": "群众满意度高，特色鲜明。"},
        )
        self.assertRedirects(response, reverse("publication", args=[2020]))
        named.refresh_from_db()
        self.assertEqual(
            (named.status, named.upward_level), (Status.RECOMMENDED_UPWARD, "province")
        )
        self.assertTrue(AuditEvent.objects.filter(action="assessment.recommend_upward").exists())
        in_notice = self.at(self.longshan, Status.IN_NOTICE)
        with self.assertRaisesMessage(ActionRefused, "不能择优向上推荐"):
            do_recommend_upward(in_notice.pk, "nation", "好", actor=self.office, ip=None)
        self.client.logout()
        page = self.client.get(reverse("public_named", args=[2020])).content.decode()
        self.assertIn("东北村社区", page)
        self.assertIn("推荐省级", page)


class PublicPageTests(PublicationCase):
    def test_nothing_published_yet(self) -> None:
        for name in ("public_notice", "public_named"):
            with self.subTest(name=name):
                self.assertContains(self.client.get(reverse(name, args=[2020])), "尚未公示")
        self.assertContains(
            self.client.get(reverse("public_objection", args=[2020])), "目前没有处于公示期的社区"
        )
        self.assertEqual(self.client.get(reverse("public_notice", args=[1999])).status_code, 404)

    def test_public_pages_work_anonymously_and_show_no_personal_data(self) -> None:
        noticed = self.at(self.dongbei, Status.IN_NOTICE)
        self.at(self.longshan, Status.NAMED)
        url = reverse("public_objection", args=[2020])
        form = self.client.get(url).content.decode()
        self.assertIn("东北村社区", form)
        self.assertNotIn("龙山社区", form)
        response = self.client.post(
            url,
            {
                "community": self.dongbei.code,
                "objector": "王五",
                "contact": "13700000000",
                "content": "社区居民公约未经居民会议讨论。",
                "evidence": upload_file("证据.pdf", pdf_bytes()),
            },
        )
        objection = Objection.objects.get()
        self.assertEqual(objection.submission, noticed)
        done = reverse("public_objection_done", args=[2020, objection.reference])
        self.assertRedirects(response, done)
        for page in (
            self.client.get(done),
            self.client.get(reverse("public_notice", args=[2020])),
            self.client.get(reverse("public_named", args=[2020])),
        ):
            body = page.content.decode()
            self.assertEqual(page.status_code, 200)
            for private in ("王五", "13700000000", "居民公约未经"):
                self.assertNotIn(private, body)
        notice_page = self.client.get(reverse("public_notice", args=[2020])).content.decode()
        self.assertIn("东北村社区", notice_page)
        self.assertIn("环翠区", notice_page)
        self.assertIn("0631-0000000", notice_page)
        self.assertIn(url, notice_page)
        self.assertIn(objection.reference, self.client.get(done).content.decode())

    def test_old_notices_stay_readable(self) -> None:
        noticed = self.at(self.dongbei, Status.NAMED)
        self.end_notice(noticed)
        page = self.client.get(reverse("public_notice", args=[2020]))
        self.assertContains(page, "东北村社区")
        self.assertContains(page, "公示已结束")
        self.assertNotContains(page, reverse("public_objection", args=[2020]))

    def test_the_objection_form_is_csrf_protected(self) -> None:
        self.at(self.dongbei, Status.IN_NOTICE)
        strict = Client(enforce_csrf_checks=True)
        response = strict.post(
            reverse("public_objection", args=[2020]),
            {"community": self.dongbei.code, "objector": "甲", "contact": "1", "content": "乙"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Objection.objects.exists())


class PublicationQueryTests(PublicationCase):
    def count(self, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def grow(self, n: int, status: Status) -> None:
        for number in range(n):
            code = f"371002003{len(self.grown) + 200:03d}"
            self.grown.append(code)
            community = make_community(code, f"增补社区{number}")
            submission = self.at(community, status)
            if status == Status.IN_NOTICE:
                self.lodge(submission)

    def test_publication_page_is_pinned(self) -> None:
        self.grown: list[str] = []
        self.grow(2, Status.IN_NOTICE)
        self.grow(1, Status.NAMED)
        self.login(self.office)
        url = reverse("publication", args=[2020])
        # per request 6 + campaign, rows count and page, state counts, objections count and
        # page, notices
        with self.assertNumQueries(6 + 7):
            self.client.get(url)
        before = self.count(url)
        self.grow(4, Status.IN_NOTICE)
        self.grow(3, Status.APPROVED)
        self.assertEqual(self.count(url), before)

    def test_public_notice_page_is_pinned(self) -> None:
        self.grown = []
        self.grow(2, Status.IN_NOTICE)
        url = reverse("public_notice", args=[2020])
        # No session for a visitor: campaign, count, one page.
        with self.assertNumQueries(3):
            self.client.get(url)
        self.grow(5, Status.IN_NOTICE)
        self.grow(2, Status.NAMED)
        self.assertEqual(self.count(url), 3)
