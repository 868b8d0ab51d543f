"""One small campaign walked through the real actions (issue 16): a survey ended below its
sample size, an auto-verified item whose indicator fails, a register figure edited after
submission, a community cancelled by an upheld objection and one turned down by the leading
group. The shortlist, the decision table, the shortlist workbook and the district's page must
tell the same story about every number and outcome."""

import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaign.assessment.actions import do_save_item, do_submit
from campaign.audit.actions import AuditRow, do_audit_items, do_pass_audit, do_recheck_figures
from campaign.decision import ranking
from campaign.decision.actions import do_decide, do_record_meeting
from campaign.demo.samples import pdf_bytes
from campaign.district.actions import do_forward_district, do_recommend
from campaign.joint.actions import OpinionRow, do_close_review, do_give_opinions
from campaign.kernel.roles import Role
from campaign.pipeline.models import ItemAudit, Submission
from campaign.pipeline.workflow import ActionRefused
from campaign.publication.actions import (
    do_accept_objection,
    do_investigate_objection,
    do_lodge_objection,
    do_publish_notice,
    do_uphold_objection,
)
from campaign.publication.models import PublicNotice
from campaign.survey.actions import do_finish_survey
from communities.actions import do_update_community
from scoring.engine.models import Outcome, ScoreSnapshot, Stage
from scoring.engine.recompute import recompute_campaign
from scoring.engine.scores import item_scores
from scoring.exports import shortlist
from standards.models import Item, MemberUnit, scored_by_people
from tests.base import CampaignTestCase, make_community, make_user
from tests.builders import answer_survey, open_every_phase, self_score


class IntegrityScenarioTests(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        open_every_phase(self.campaign)
        # 环翠区: 东北村 (meets every indicator), 古陌 (four full-time workers: 1.2 fails),
        # 西城 (the one cancelled after an objection); 文登区: 龙山.
        self.xicheng = make_community("371002001002", "西城社区")
        self.campaign.quotas.update(quota=3)
        self.people_items = list(
            Item.objects.filter(scored_by_people(), standard=self.standard).order_by(
                "display_order"
            )
        )

    def submit(self, community: Any, actor: Any) -> Submission:
        for item in self.people_items:
            do_save_item(
                self.campaign.pk,
                community.pk,
                item.pk,
                score=str(self_score(item)),
                explanation="已落实，见佐证材料。",
                expected_version=None,
                actor=actor,
            )
        return do_submit(Submission.objects.get(community=community).pk, actor=actor)

    def audit(self, submission: Submission) -> None:
        rows = {item.pk: AuditRow(score=self_score(item)) for item in self.people_items}
        do_audit_items(submission.pk, rows, actor=self.office)

    def review(self, submission: Submission) -> None:
        for unit in MemberUnit.objects.filter(items__standard=self.standard).distinct():
            reviewer = make_user(f"u{unit.pk}_{submission.pk}", Role.UNIT_REVIEWER, unit=unit)
            items = Item.objects.filter(standard=self.standard, units=unit)
            do_give_opinions(
                submission.pk,
                [OpinionRow(item_id=i.pk, agrees=True) for i in items],
                actor=reviewer,
            )
        do_close_review(submission.pk, actor=self.office)

    def test_every_page_and_file_tells_the_same_story(self) -> None:
        # Self-assessment and the districts' lists.
        dongbei, gumo, xicheng = (
            self.submit(c, self.staff) for c in (self.dongbei, self.gumo, self.xicheng)
        )
        longshan = self.submit(self.longshan, self.other_staff)
        for rank, submission in enumerate((dongbei, gumo, xicheng), start=1):
            do_recommend(submission.pk, rank, "创建成效明显。", actor=self.district_admin)
        do_recommend(longshan.pk, 1, "创建成效明显。", actor=self.other_admin)
        do_forward_district(self.campaign.pk, self.huancui.pk, actor=self.district_admin)
        do_forward_district(self.campaign.pk, self.wendeng.pk, actor=self.other_admin)

        # 东北村's register is corrected after its submission: the office must re-check it.
        do_update_community(self.dongbei.pk, {"full_time_workers": 4}, actor=self.staff)
        candidates = (dongbei, gumo, xicheng, longshan)
        for submission in candidates:
            self.audit(submission)
        with self.assertRaisesMessage(ActionRefused, "专职工作者人数 6→4"):
            do_pass_audit(dongbei.pk, actor=self.office)
        do_recheck_figures(dongbei.pk, actor=self.office)
        for submission in candidates:
            do_pass_audit(submission.pk, actor=self.office)

        # The survey: 古陌 gets 2 of the 30 questionnaires required and ends short.
        for submission in (dongbei, xicheng, longshan):
            answer_survey(submission)  # 48 of 50 satisfied
            do_finish_survey(submission.pk, actor=self.office)
        answer_survey(gumo, {"满意": 2})
        do_finish_survey(gumo.pk, "调查期已满，住户多外出。", True, actor=self.office)

        for submission in candidates:
            self.review(submission)
        meeting = do_record_meeting(
            self.campaign.pk,
            timezone.localdate(),
            "领导小组会议",
            SimpleUploadedFile("纪要.pdf", pdf_bytes()),
            actor=self.leader,
        )
        for submission in (dongbei, xicheng, longshan):
            do_decide(submission.pk, True, meeting.pk, "", actor=self.leader)
        do_decide(
            gumo.pk, False, meeting.pk, "满意度调查样本不足，本次不予命名。", actor=self.leader
        )
        notice = do_publish_notice(
            self.campaign.pk,
            timezone.localdate(),
            "市民政局，电话0631-5200000",
            actor=self.office,
            ip=None,
        )
        PublicNotice.objects.filter(pk=notice.pk).update(
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + datetime.timedelta(days=6),
        )
        objection = do_lodge_objection(
            notice.pk, self.xicheng.code, "王某", "13800000000", "服务中心长期不开放。", [], ip=None
        )
        do_accept_objection(objection.pk, "已受理。", actor=self.office, ip=None)
        do_investigate_objection(objection.pk, "现场核实。", actor=self.office, ip=None)
        do_uphold_objection(
            objection.pk, "经核实异议成立，取消其资格。", actor=self.office, ip=None
        )
        recompute_campaign(self.campaign.pk)

        # The shortlist (the joint-stage snapshots).
        joint = {s.submission_id: s for s in ScoreSnapshot.objects.filter(stage=Stage.JOINT)}
        self.assertEqual(joint[dongbei.pk].outcome, Outcome.SHORTLISTED)
        self.assertEqual(joint[longshan.pk].outcome, Outcome.SHORTLISTED)
        self.assertEqual(joint[gumo.pk].outcome, Outcome.DECLINED)
        self.assertEqual(joint[xicheng.pk].outcome, Outcome.CANCELLED)
        self.assertTrue(joint[gumo.pk].short_sample)
        self.assertEqual((joint[gumo.pk].valid, joint[gumo.pk].sample_size), (2, 30))
        self.assertEqual(joint[gumo.pk].satisfaction_points, Decimal(0))

        # The auto-verified items: scored from the figures, 0 where the indicator fails —
        # 古陌 as submitted, 东北村 as re-checked by the office.
        staffing = Item.objects.get(standard=self.standard, code="1.2")
        scores = {
            r.submission_id: r for r in item_scores(self.campaign.pk) if r.item_id == staffing.pk
        }
        self.assertEqual(scores[gumo.pk].joint_score, Decimal(0))
        self.assertEqual(scores[dongbei.pk].joint_score, Decimal(0))
        self.assertEqual(scores[longshan.pk].joint_score, staffing.max_points)
        self.assertEqual(
            ItemAudit.objects.get(submission=dongbei, item=staffing).audited_score, Decimal(0)
        )
        six_one = Item.objects.get(standard=self.standard, code="6.1")
        self.assertFalse(ItemAudit.objects.filter(item=six_one).exists())

        # The decision table: the same totals, the rate never without its sample.
        table = {
            row.submission.pk: row
            for row in ranking.ranking(
                self.campaign, Submission.objects.filter(campaign=self.campaign)
            )
        }
        for pk, snapshot in joint.items():
            self.assertEqual(table[pk].total, snapshot.total)
        self.assertEqual((table[gumo.pk].sample, table[gumo.pk].sample_size), (2, 30))
        self.assertTrue(table[gumo.pk].short_sample)
        self.assertEqual(table[gumo.pk].finish_reason, "调查期已满，住户多外出。")

        # The shortlist workbook: every community's total and outcome as the snapshots say.
        target = BytesIO()
        shortlist.write(self.campaign, target)
        book = load_workbook(BytesIO(target.getvalue()), read_only=True)
        labels = {o.value: str(o.label) for o in Outcome}
        by_code = {}
        for sheet in book.worksheets[1:]:
            for row in sheet.iter_rows(min_row=4, values_only=True):
                if row and row[2]:
                    by_code[row[2]] = row
        for submission in candidates:
            row = by_code[submission.community.code]
            snapshot = joint[submission.pk]
            self.assertEqual(row[-3], float(snapshot.total), submission)
            self.assertEqual(row[-2], labels[snapshot.outcome], submission)
        self.assertIn(2, by_code[self.gumo.code])  # 有效问卷 beside the rate

        # The district reads each outcome and its reason.
        self.login(self.staff)
        page = self.client.get(reverse("submission_outcome", args=[2020, self.gumo.code]))
        self.assertContains(page, "满意度调查样本不足，本次不予命名。")
        self.assertContains(page, "调查期已满，住户多外出。")
        self.assertContains(page, "少于规定30份，样本不足")
        page = self.client.get(reverse("submission_outcome", args=[2020, self.xicheng.code]))
        self.assertContains(page, "经核实异议成立，取消其资格。")
        self.assertContains(page, "公示异议成立，已取消")
        # 龙山 is another district's: not there for 环翠区.
        page = self.client.get(reverse("submission_outcome", args=[2020, self.longshan.code]))
        self.assertEqual(page.status_code, 404)
