"""Sending the district's list: the places it used, and the auto-verified items audited by the
system for the office (issue 16)."""

from decimal import Decimal

from django.urls import reverse

from campaign.district.actions import do_forward_district, do_recommend
from campaign.pipeline.models import ItemAudit, RegisterFigures, Status
from tests.base import CampaignTestCase, make_community
from tests.builders import open_every_phase, submission_at


class ForwardTests(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        open_every_phase(self.campaign)
        self.campaign.quotas.filter(district=self.huancui).update(quota=3)

    def test_forwarding_leaves_the_office_the_auto_items_audited(self) -> None:
        """The office found 1.2, 1.3 and 3.2 unaudited and had to type them."""
        gumo = submission_at(self.campaign, self.gumo, Status.SUBMITTED, actor=self.staff)
        do_recommend(gumo.pk, 1, "服务阵地完善。", actor=self.district_admin)
        # A register edited after submission does not count: the frozen figures do.
        self.gumo.full_time_workers = 9
        self.gumo.save()
        do_forward_district(self.campaign.pk, self.huancui.pk, actor=self.district_admin)
        audits = {
            a.item.code: a
            for a in ItemAudit.objects.filter(submission=gumo, round=1).select_related("item")
        }
        self.assertEqual(sorted(audits), ["1.2", "1.3", "3.2"])
        # 古陌's four full-time workers at submission: the staffing rule gives 1.2 nothing.
        self.assertEqual(audits["1.2"].audited_score, Decimal(0))
        self.assertIn("系统自动核验", audits["1.2"].comment)
        self.assertEqual(audits["1.3"].audited_score, Decimal(3))
        self.assertEqual(audits["1.2"].updated_by, self.district_admin)

    def test_a_submission_without_frozen_figures_is_forwarded_as_it_is(self) -> None:
        dongbei = submission_at(self.campaign, self.dongbei, Status.SUBMITTED, actor=self.staff)
        RegisterFigures.objects.filter(submission=dongbei).delete()
        do_recommend(dongbei.pk, 1, "党建引领突出。", actor=self.district_admin)
        do_forward_district(self.campaign.pk, self.huancui.pk, actor=self.district_admin)
        dongbei.refresh_from_db()
        self.assertEqual(dongbei.status, Status.FORWARDED)
        self.assertFalse(ItemAudit.objects.filter(submission=dongbei).exists())


class PlacesTests(CampaignTestCase):
    """The district's 推荐/名额: a place stays used whatever becomes of the community."""

    def setUp(self) -> None:
        super().setUp()
        open_every_phase(self.campaign)
        self.campaign.quotas.filter(district=self.huancui).update(quota=2)

    def test_a_forwarded_community_in_the_survey_still_uses_its_place(self) -> None:
        submission_at(self.campaign, self.dongbei, Status.SURVEYING, actor=self.staff)
        submission_at(self.campaign, self.gumo, Status.REJECTED, actor=self.staff)
        submission_at(
            self.campaign, make_community("371002001003", "西北村社区"), Status.DRAFT, actor=None
        )
        self.login(self.district_admin)
        page = self.client.get(reverse("district_review", args=[2020]))
        self.assertEqual(page.context["recommended"], 2)
        self.assertContains(page, "<b>2</b>已列入推荐")
        # The other district's count is its own.
        self.login(self.other_admin)
        page = self.client.get(reverse("district_review", args=[2020]))
        self.assertEqual(page.context["recommended"], 0)
