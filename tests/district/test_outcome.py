"""The district sees what became of its communities and why (issue 16), and its refused forms
keep what was typed."""

from django.core.cache import cache
from django.urls import reverse

from campaign.decision.models import DecisionMeeting
from campaign.district.actions import do_recommend, do_return
from campaign.pipeline.models import ItemAudit, Status, Submission, UnitVeto
from campaign.survey.models import SurveyTally
from standards.models import Item, MemberUnit
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

    def page(self, user: object, code: str = "") -> str:
        self.login(user)
        response = self.client.get(self.url(code or self.dongbei.code))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_districts_own_return_comment(self) -> None:
        submission = submission_at(self.campaign, self.dongbei, Status.SUBMITTED, actor=self.staff)
        do_return(submission.pk, "3.1佐证材料不全，请补充。", actor=self.district_admin)
        page = self.page(self.staff)
        self.assertIn("区市退回意见：3.1佐证材料不全，请补充。", page)
        self.assertIn("退回修改", page)

    def test_the_offices_revision_requests_of_the_round(self) -> None:
        submission = submission_at(self.campaign, self.dongbei, Status.REVISING, actor=self.staff)
        ItemAudit.objects.create(
            submission=submission,
            item=Item.objects.get(standard_id=self.campaign.standard_id, code="2.1"),
            round=submission.audit_round,
            audited_score=1,
            revision_request="居民公约须经居民会议表决，请补充会议记录。",
            updated_by=self.office,
        )
        page = self.page(self.district_admin)
        self.assertIn("市办修改要求", page)
        self.assertIn("2.1 ", page)
        self.assertIn("居民公约须经居民会议表决，请补充会议记录。", page)

    def test_a_short_sample_with_the_offices_reason_and_the_vetoes(self) -> None:
        submission = submission_at(
            self.campaign, self.dongbei, Status.AWAITING_DECISION, actor=self.office
        )
        SurveyTally.objects.filter(submission=submission).update(
            satisfied=11,
            valid=12,
            sample_size=30,
            short_sample=True,
            points=0,
            finish_reason="台风过境，入户调查中止，经办公室研究按实际样本结束。",
        )
        UnitVeto.objects.create(
            submission=submission,
            unit=MemberUnit.objects.get(code="mzj"),
            reason="社区服务中心被挪作他用。",
            vetoed_by=self.reviewer,
        )
        page = self.page(self.staff)
        self.assertIn("有效问卷12份，少于规定30份，样本不足", page)
        self.assertIn("样本不足，不计满意度得分", page)
        self.assertIn("台风过境，入户调查中止，经办公室研究按实际样本结束。", page)
        self.assertIn("成员单位一票否决", page)
        self.assertIn("社区服务中心被挪作他用。", page)

    def test_removal_after_an_upheld_objection_with_its_reason(self) -> None:
        from campaign.publication.actions import (
            ObjectionAction,
            do_handle_objection,
            do_lodge_objection,
            rate_key,
        )

        # The cache may be a shared Redis that outlives the test database.
        cache.delete(rate_key("10.0.0.77"))

        submission = submission_at(self.campaign, self.dongbei, Status.IN_NOTICE, actor=self.office)
        objection = do_lodge_objection(
            submission.notice_id or 0,
            self.dongbei.code,
            "张三",
            "13800000000",
            "服务中心面积与实际不符。",
            [],
            ip="10.0.0.77",
        )
        for action, text in (
            (ObjectionAction.ACCEPT, ""),
            (ObjectionAction.INVESTIGATE, "实地测量面积为320平方米。"),
            (ObjectionAction.UPHOLD, "经核实，服务中心面积不足，异议成立。"),
        ):
            do_handle_objection(objection.pk, action, text, actor=self.office, ip=None)
        page = self.page(self.district_admin)
        self.assertIn("公示异议成立，已取消", page)
        self.assertIn("理由：经核实，服务中心面积不足，异议成立。", page)
        # The objector's name and contact stay with the office.
        self.assertNotIn("张三", page)
        self.assertNotIn("13800000000", page)

    def test_naming_and_the_upward_recommendation(self) -> None:
        submission = submission_at(
            self.campaign, self.dongbei, Status.RECOMMENDED_UPWARD, actor=self.office
        )
        submission.upward_level = "province"
        submission.upward_reason = "群众满意度高，特色鲜明。"
        submission.save()
        page = self.page(self.staff)
        self.assertIn("已于", page)
        self.assertIn("命名", page)
        self.assertIn("已择优向省级推荐", page)
        self.assertIn("群众满意度高，特色鲜明。", page)

    def test_the_assessment_page_links_to_the_outcome(self) -> None:
        self.declined()
        self.login(self.staff)
        page = self.client.get(reverse("assessment_detail", args=[2020, self.dongbei.code]))
        self.assertContains(page, self.url(self.dongbei.code))

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
