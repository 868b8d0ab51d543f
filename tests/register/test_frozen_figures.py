"""Register figures edited after a submission froze them (issue 16): they stay editable, and
the community's page says what changed since and that the office re-checks it."""

from django.urls import reverse

from campaign.pipeline.models import RegisterFigures, Status
from tests.base import CampaignTestCase
from tests.builders import submission_at


class EditedAfterSubmissionTests(CampaignTestCase):
    def test_the_register_page_shows_old_and_new(self) -> None:
        submission = submission_at(self.campaign, self.dongbei, Status.FORWARDED, actor=self.staff)
        self.login(self.staff)
        url = reverse("community_detail", args=[self.dongbei.code])
        self.assertNotContains(self.client.get(url), "提交后已修改")
        self.dongbei.full_time_workers = 4
        self.dongbei.work_funds = 50_000
        self.dongbei.save()
        page = self.client.get(url).content.decode()
        self.assertIn("提交后已修改", page)
        self.assertIn("<td>专职工作者人数</td><td>6</td><td>4</td>", page)
        self.assertIn("<td>年度社区工作经费（元）</td><td>80000</td><td>50000</td>", page)
        figures = RegisterFigures.objects.get(submission=submission)
        self.assertEqual((figures.full_time_workers, figures.work_funds), (6, 80_000))

    def test_the_edit_form_warns_and_the_frozen_figures_stay(self) -> None:
        submission = submission_at(self.campaign, self.gumo, Status.SUBMITTED, actor=self.staff)
        self.login(self.staff)
        url = reverse("community_edit", args=[self.gumo.code])
        form = self.client.get(url)
        self.assertContains(form, "评审以提交时的基础数据为准")
        data = {
            field.html_name: "" if field.value() is None else field.value()
            for field in form.context["form"]
        }
        response = self.client.post(url, {**data, "full_time_workers": "9"}, follow=True)
        self.assertContains(response, "须由领导小组办公室复核后才会采用")
        self.assertContains(response, "<td>专职工作者人数</td><td>4</td><td>9</td>", html=False)
        figures = RegisterFigures.objects.get(submission=submission)
        self.assertEqual((figures.full_time_workers, figures.staffing_result), (4, "fail"))
        self.gumo.refresh_from_db()
        self.assertEqual(self.gumo.full_time_workers, 9)
