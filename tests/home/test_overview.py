from django.urls import reverse

from campaign.pipeline.models import DistrictQuota, Status
from tests.base import CampaignTestCase
from tests.builders import submission_at


class PlacesUsedTests(CampaignTestCase):
    """The office's 推荐/名额 per district counts every community the district recommended,
    whatever became of it: 乳山市 showed 0/3 with three candidates in the survey."""

    def test_candidates_further_down_the_pipeline_still_use_their_places(self) -> None:
        DistrictQuota.objects.filter(campaign=self.campaign, district=self.huancui).update(quota=3)
        submission_at(self.campaign, self.dongbei, Status.SURVEYING, actor=self.staff)
        submission_at(self.campaign, self.gumo, Status.NAMED, actor=self.staff)
        self.login(self.office)
        response = self.client.get(reverse("home"))
        row = next(r for r in response.context["progress"] if r.district_id == self.huancui.pk)
        self.assertEqual((row.recommended, row.quota), (2, 3))
        self.assertEqual(row.not_started, row.communities - 2)
