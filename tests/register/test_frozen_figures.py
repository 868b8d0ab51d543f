"""Register figures edited after a submission froze them (issue 16): they stay editable, and
the community's page says what changed since and that the office re-checks it."""

from django.urls import reverse

from campaign.pipeline.models import RegisterFigures, Status, Submission
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

    def test_the_edit_form_shows_what_changed_since_the_submission(self) -> None:
        submission_at(self.campaign, self.gumo, Status.FORWARDED, actor=self.staff)
        self.gumo.full_time_workers = 9
        self.gumo.save()
        self.login(self.staff)
        page = self.client.get(reverse("community_edit", args=[self.gumo.code]))
        self.assertContains(page, "提交后已修改")
        self.assertContains(page, "<td>专职工作者人数</td><td>4</td><td>9</td>", html=False)
        self.assertContains(page, "须由领导小组办公室复核后才会采用")

    def test_a_returned_submission_freezes_the_corrected_figures_when_resubmitted(self) -> None:
        """Returned for correction, nothing awaits the office's re-check: the resubmission
        freezes the register anew."""
        submission = submission_at(self.campaign, self.gumo, Status.SUBMITTED, actor=self.staff)
        Submission.objects.filter(pk=submission.pk).update(status=Status.RETURNED)
        self.gumo.full_time_workers = 9
        self.gumo.save()
        self.login(self.staff)
        page = self.client.get(reverse("community_detail", args=[self.gumo.code]))
        self.assertContains(page, "<td>专职工作者人数</td><td>4</td><td>9</td>", html=False)
        self.assertContains(page, "重新提交时将按现在的数据重新冻结")
        self.assertNotContains(page, "须由领导小组办公室复核")


class RefusedFormTests(CampaignTestCase):
    def test_a_refused_correction_keeps_what_was_typed(self) -> None:
        """Work funds beyond the register's column passed the form and failed on saving."""
        self.login(self.staff)
        url = reverse("community_edit", args=[self.gumo.code])
        form = self.client.get(url).context["form"]
        data = {f.html_name: "" if f.value() is None else f.value() for f in form}
        typed = {**data, "households": "1234", "work_funds_wan": "300000"}
        response = self.client.post(url, typed)
        self.assertEqual(response.status_code, 400)
        bound = response.context["form"]
        self.assertIn("work_funds_wan", bound.errors)
        self.assertContains(response, 'value="1234"', status_code=400)
        self.assertContains(response, 'value="300000"', status_code=400)
        self.gumo.refresh_from_db()
        self.assertNotEqual(self.gumo.households, 1234)
