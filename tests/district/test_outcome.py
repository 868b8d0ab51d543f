"""The district sees what became of its communities and why (issue 16), and its refused forms
keep what was typed."""

from django.urls import reverse

from campaign.decision.models import DecisionMeeting
from campaign.district.actions import do_recommend
from campaign.pipeline.models import Status, Submission
from tests.base import CampaignTestCase, make_community
from tests.builders import open_every_phase, submission_at, today


class OutcomePageTests(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        open_every_phase(self.campaign)

    def declined(self) -> Submission:
        from campaign.decision.actions import do_decide

        submission = submission_at(
            self.campaign, self.dongbei, Status.AWAITING_DECISION, actor=self.office
        )
        meeting = DecisionMeeting.objects.create(
            campaign=self.campaign, held_on=today(), title="领导小组会议", recorded_by=self.leader
        )
        do_decide(
            submission.pk, False, meeting.pk, "综合得分排名靠后，本次暂不命名。", actor=self.leader
        )
        return submission

    def url(self, code: str) -> str:
        return reverse("submission_outcome", args=[2020, code])

    def test_the_district_reads_the_leading_groups_reason(self) -> None:
        """The decline reason was stored but shown only to the office and the leader."""
        self.declined()
        for user in (self.staff, self.district_admin):
            self.login(user)
            page = self.client.get(self.url(self.dongbei.code))
            self.assertContains(page, "综合得分排名靠后，本次暂不命名。")
            self.assertContains(page, "研究不通过")
            self.assertContains(page, "领导小组未通过")
            self.assertContains(page, "有效问卷50份")

    def test_the_offices_rejection_reason_and_revision_requests(self) -> None:
        from campaign.audit.actions import do_reject

        submission = submission_at(self.campaign, self.dongbei, Status.FORWARDED, actor=self.staff)
        do_reject(submission.pk, "服务中心面积不足，不符合创建条件。", actor=self.office)
        self.login(self.staff)
        page = self.client.get(self.url(self.dongbei.code))
        self.assertContains(page, "服务中心面积不足，不符合创建条件。")
        self.assertContains(page, "审核未通过")

    def test_another_district_and_an_outsider_get_nothing(self) -> None:
        self.declined()
        for user in (self.other_staff, self.other_admin):
            self.login(user)
            self.assertEqual(self.client.get(self.url(self.dongbei.code)).status_code, 404)
        # City roles who read the submission read its outcome too.
        for user in (self.office, self.leader, self.reviewer):
            self.login(user)
            self.assertEqual(self.client.get(self.url(self.dongbei.code)).status_code, 200)
        self.client.logout()
        self.assertEqual(self.client.get(self.url(self.dongbei.code)).status_code, 302)


class RecommendFormTests(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        open_every_phase(self.campaign)

    def test_a_refused_recommendation_keeps_the_typed_reason(self) -> None:
        """A rank error lost the typed reason."""
        first = submission_at(self.campaign, self.dongbei, Status.SUBMITTED, actor=self.staff)
        submission_at(self.campaign, self.gumo, Status.SUBMITTED, actor=self.staff)
        self.campaign.quotas.filter(district=self.huancui).update(quota=2)
        do_recommend(first.pk, 1, "党建引领突出。", actor=self.district_admin)
        self.login(self.district_admin)
        response = self.client.post(
            reverse("submission_recommend", args=[2020, self.gumo.code]),
            {"rank": "1", "reason": "智慧社区建设成效明显，居民评价高。"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "排序第1位已给了东北村社区", status_code=400)
        self.assertContains(
            response, ">智慧社区建设成效明显，居民评价高。</textarea>", status_code=400
        )
        self.assertContains(response, '<option value="1" selected>', status_code=400)

    def test_places_used_stay_counted_as_candidates_move_on(self) -> None:
        self.campaign.quotas.filter(district=self.huancui).update(quota=3)
        submission_at(self.campaign, self.dongbei, Status.SURVEYING, actor=self.staff)
        submission_at(
            self.campaign,
            make_community("371002001002", "东南村社区"),
            Status.NAMED,
            actor=self.staff,
        )
        self.login(self.district_admin)
        page = self.client.get(reverse("district_review", args=[2020]))
        self.assertEqual(page.context["recommended"], 2)
        self.assertContains(page, "<b>2</b>已列入推荐")
