import datetime
import itertools

from django.urls import reverse

from campaign.kernel.models import AuditEvent
from campaign.pipeline.actions import do_set_phase_dates
from campaign.pipeline.models import CampaignPhase, Phase
from campaign.pipeline.workflow import ActionRefused, default_schedule
from tests.base import CampaignTestCase

D = datetime.date


class DefaultTimetableTests(CampaignTestCase):
    def test_the_selection_runs_within_october(self) -> None:
        """推选典型 in 10月份: the old default ran it to 18 December."""
        schedule = default_schedule(D(2026, 7, 1))
        self.assertEqual(schedule[Phase.SELF_ASSESSMENT], (D(2026, 7, 1), D(2026, 9, 30)))
        for phase in (Phase.AUDIT, Phase.SURVEY, Phase.JOINT_REVIEW, Phase.DECISION):
            starts, ends = schedule[phase]
            self.assertEqual((starts.month, ends.month), (10, 10), phase)
        self.assertEqual(schedule[Phase.DECISION][1], D(2026, 10, 31))
        self.assertEqual(schedule[Phase.PUBLICATION][0], D(2026, 11, 1))
        phases = list(schedule.values())[1:]
        for (_s, earlier_end), (later_start, _e) in itertools.pairwise(phases):
            self.assertEqual(later_start, earlier_end + datetime.timedelta(days=1))


class PhaseDatesTests(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.later = datetime.date.today() + datetime.timedelta(days=200)

    def post(self, phase: str, **data: str) -> None:
        self.login(self.office)
        self.client.post(reverse("phase_dates", args=[2020, phase]), data, follow=True)

    def test_the_office_sets_any_dates_of_a_phase_not_yet_open(self) -> None:
        start, end = self.later, self.later + datetime.timedelta(days=9)
        self.post("publication", starts_on=f"{start}", ends_on=f"{end}", reason="会议改期")
        dates = CampaignPhase.objects.get(campaign=self.campaign, phase=Phase.PUBLICATION)
        self.assertEqual((dates.starts_on, dates.ends_on), (start, end))
        event = AuditEvent.objects.get(action="campaign.set_phase_dates")
        self.assertEqual(event.comment, "会议改期")

    def test_an_open_phase_only_moves_its_deadline(self) -> None:
        with self.assertRaisesMessage(ActionRefused, "已经开始"):
            do_set_phase_dates(
                self.campaign.pk,
                Phase.SELF_ASSESSMENT,
                self.later,
                self.later,
                "提前",
                actor=self.office,
            )

    def test_an_end_before_the_start_is_refused_naming_the_field(self) -> None:
        with self.assertRaisesMessage(ActionRefused, "截止日期：不能早于开始日期。"):
            do_set_phase_dates(
                self.campaign.pk,
                Phase.PUBLICATION,
                self.later,
                self.later - datetime.timedelta(days=1),
                "调整",
                actor=self.office,
            )
