"""Every refused form of the publication pages keeps what was typed (issue 16)."""

import datetime

from django.urls import reverse

from campaign.pipeline.models import Status
from campaign.publication.models import ObjectionStatus, PublicNotice
from tests.builders import today
from tests.publication.test_publication import PublicationCase

CONTACT = "书面异议请寄送威海市民政局基层政权建设和社区治理科，电话0631-5200000。"


class KeptTypingTests(PublicationCase):
    def test_a_refused_notice_keeps_its_contact_and_date(self) -> None:
        self.at(self.dongbei, Status.APPROVED)
        self.login(self.office)
        yesterday = today() - datetime.timedelta(days=1)
        response = self.client.post(
            reverse("notice_publish", args=[2020]),
            {"starts_on": yesterday.isoformat(), "contact": CONTACT},
        )
        self.assertContains(response, "公示开始日期不能早于今天。", status_code=400)
        self.assertContains(response, f">{CONTACT}</textarea>", status_code=400)
        self.assertContains(response, f'value="{yesterday.isoformat()}"', status_code=400)
        self.assertFalse(PublicNotice.objects.exists())
        # A date that is no date is named by its field.
        response = self.client.post(
            reverse("notice_publish", args=[2020]), {"starts_on": "2026-13-01", "contact": CONTACT}
        )
        self.assertContains(response, "公示开始日期：", status_code=400)
        self.assertContains(response, f">{CONTACT}</textarea>", status_code=400)

    def test_a_refused_objection_step_keeps_its_text(self) -> None:
        noticed = self.at(self.dongbei, Status.IN_NOTICE)
        objection = self.lodge(noticed)
        self.login(self.office)
        text = "经实地测量，面积与申报一致。" * 200  # longer than the field allows
        response = self.client.post(
            reverse("objection_handle", args=[2020, objection.reference, "accept"]),
            {"text": ""},
        )
        self.assertEqual(response.status_code, 302)
        response = self.client.post(
            reverse("objection_handle", args=[2020, objection.reference, "investigate"]),
            {"text": text},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, f">{text}</textarea>", status_code=400)
        objection.refresh_from_db()
        self.assertEqual(objection.status, ObjectionStatus.ACCEPTED)

    def test_a_refused_upward_recommendation_keeps_its_reason(self) -> None:
        self.at(self.dongbei, Status.NAMED)
        self.login(self.office)
        response = self.client.post(
            reverse("recommend_upward", args=[2020, self.dongbei.code]),
            {"level": "nation", "reason": " "},
        )
        self.assertContains(response, "推荐理由", status_code=400)
        page = response.content.decode()
        row = page[page.index(f'id="row-{self.dongbei.code}"') :]
        self.assertIn("<details open>", row)
        self.assertIn('<option value="nation" selected>', row)
        # The district's own role cannot post here at all.
        self.login(self.district_admin)
        response = self.client.post(
            reverse("recommend_upward", args=[2020, self.dongbei.code]),
            {"level": "nation", "reason": "理由"},
        )
        self.assertEqual(response.status_code, 403)
