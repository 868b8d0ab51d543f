"""Issue 16 in the decision table: the satisfaction rate always with its sample and interval,
a short sample flagged with the office's reason, the survey's items labelled; a refused
decision keeps what was typed."""

from django.urls import reverse

from campaign.decision import ranking
from campaign.pipeline.models import Status, Submission, UnitVeto
from campaign.survey.models import SurveyTally
from scoring.engine.recompute import recompute_campaign
from standards.models import MemberUnit
from tests.decision.test_decision import DecisionCase

REASON = "台风过境，入户调查中止，经办公室研究按实际样本结束。"


class ShortSampleTests(DecisionCase):
    def shorten(self, submission: Submission, *, accepted: bool = False) -> None:
        SurveyTally.objects.filter(submission=submission).update(
            satisfied=12,
            valid=12,
            sample_size=30,
            short_sample=True,
            short_sample_scored=accepted,
            points=16 if accepted else 0,
            finish_reason=REASON,
        )
        recompute_campaign(self.campaign.pk)

    def row(self, submission: Submission) -> ranking.RankedCandidate:
        table = ranking.ranking(self.campaign, Submission.objects.filter(campaign=self.campaign))
        return next(r for r in table if r.submission.pk == submission.pk)

    def test_a_short_sample_is_flagged_with_the_offices_reason(self) -> None:
        """12 of 12 read as a plain 100% beside communities with 50 questionnaires."""
        short = self.at(self.gumo)
        self.at(self.dongbei)
        self.shorten(short)
        row = self.row(short)
        self.assertEqual((row.satisfied, row.sample, row.sample_size), (12, 12, 30))
        self.assertTrue(row.short_sample)
        self.assertEqual(row.finish_reason, REASON)
        for user in (self.leader, self.office):
            self.login(user)
            page = self.client.get(reverse("decision_table", args=[2020])).content.decode()
            cells = page[page.index(f'id="row-{self.gumo.code}"') :]
            cells = cells[: cells.index("</tr>")]
            self.assertIn("100.0%（有效问卷12份，少于规定30份，样本不足；95%区间", cells)
            self.assertIn('<span class="badge warn"', cells)
            self.assertIn(REASON, cells)
            other = page[page.index(f'id="row-{self.dongbei.code}"') :]
            self.assertIn("96.0%（有效问卷50份；95%区间", other[: other.index("</tr>")])

    def test_a_short_sample_the_office_accepted_still_says_so(self) -> None:
        short = self.at(self.gumo)
        self.shorten(short, accepted=True)
        self.assertFalse(self.row(short).short_sample)
        self.login(self.leader)
        page = self.client.get(reverse("decision_table", args=[2020]))
        self.assertContains(page, "有效问卷12份，少于规定30份，样本不足")
        self.assertContains(page, REASON)

    def test_the_survey_category_is_labelled(self) -> None:
        self.at(self.gumo)
        self.login(self.leader)
        page = self.client.get(reverse("decision_table", args=[2020])).content.decode()
        header = page[page.index('title="群众满意"') :]
        self.assertIn("由满意度调查计分", header[: header.index("</th>")])
        other = page[page.index('title="队伍精良"') :]
        self.assertNotIn("由满意度调查计分", other[: other.index("</th>")])
        # Another role reads no table.
        self.login(self.staff)
        self.assertEqual(self.client.get(reverse("decision_table", args=[2020])).status_code, 403)


class KeptTypingTests(DecisionCase):
    def test_a_refused_decision_keeps_the_comment_and_the_meeting(self) -> None:
        self.meeting(title="第1次会议")
        second = self.meeting(title="第2次会议")
        candidate = self.at(self.gumo)
        UnitVeto.objects.create(
            submission=candidate,
            unit=MemberUnit.objects.get(code="gaj"),
            reason="治安隐患",
            vetoed_by=self.office,
        )
        self.login(self.leader)
        response = self.client.post(
            reverse("decision_record", args=[2020, self.gumo.code]),
            {"decision": "approve", "meeting": second.pk, "comment": "综合成绩突出，建议命名。"},
        )
        self.assertContains(response, "市公安局", status_code=400)
        page = response.content.decode()
        row = page[page.index(f'id="row-{self.gumo.code}"') :]
        row = row[: row.index("</tr>")]
        self.assertIn("<details open>", row)
        self.assertIn(">综合成绩突出，建议命名。</textarea>", row)
        self.assertIn(f'<option value="{second.pk}" selected>', row)
        self.assertEqual(Submission.objects.get(pk=candidate.pk).status, Status.AWAITING_DECISION)
