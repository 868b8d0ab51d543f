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


class TimetablePageTests(CampaignTestCase):
    """The office's forms on the timetable; a refused one keeps what was typed."""

    def setUp(self) -> None:
        super().setUp()
        self.later = datetime.date.today() + datetime.timedelta(days=200)
        self.url = reverse("campaign_schedule", args=[2020])

    def test_nothing_of_the_selection_ends_after_october(self) -> None:
        schedule = default_schedule(D(2026, 7, 1))
        selection = [p for p in schedule if p not in (Phase.SELF_ASSESSMENT, Phase.PUBLICATION)]
        self.assertIn(Phase.RECOMMENDATION, selection)
        for phase in selection:
            self.assertLessEqual(schedule[phase][1], D(2026, 10, 31), phase)
        self.assertGreater(schedule[Phase.PUBLICATION][0], D(2026, 10, 31))

    def test_a_refused_change_of_dates_keeps_what_was_typed(self) -> None:
        self.login(self.office)
        start, end = self.later, self.later - datetime.timedelta(days=3)
        response = self.client.post(
            reverse("phase_dates", args=[2020, "publication"]),
            {"starts_on": f"{start}", "ends_on": f"{end}", "reason": "领导小组会议改期"},
        )
        self.assertContains(response, "截止日期：不能早于开始日期。", status_code=400)
        page = response.content.decode()
        row = page[page.index('id="phase-publication"') :]
        row = row[: row.index("</tr>")]
        self.assertIn("<details open>", row)
        self.assertIn(f'value="{start}"', row)
        self.assertIn(f'value="{end}"', row)
        self.assertIn('value="领导小组会议改期"', row)
        dates = CampaignPhase.objects.get(campaign=self.campaign, phase=Phase.PUBLICATION)
        self.assertNotEqual(dates.starts_on, start)
        self.assertFalse(AuditEvent.objects.filter(action="campaign.set_phase_dates").exists())

    def test_a_date_that_is_no_date_is_refused_naming_its_field(self) -> None:
        self.login(self.office)
        response = self.client.post(
            reverse("phase_dates", args=[2020, "publication"]),
            {"starts_on": "2026-02-30", "ends_on": f"{self.later}", "reason": "改期"},
        )
        self.assertContains(response, "开始日期：", status_code=400)
        self.assertContains(response, 'value="2026-02-30"', status_code=400)

    def test_a_refused_extension_keeps_what_was_typed(self) -> None:
        self.login(self.office)
        dates = CampaignPhase.objects.get(campaign=self.campaign, phase=Phase.SELF_ASSESSMENT)
        earlier = dates.ends_on - datetime.timedelta(days=1)
        response = self.client.post(
            reverse("phase_extend", args=[2020, "self_assessment"]),
            {"ends_on": f"{earlier}", "reason": "台风影响"},
        )
        self.assertContains(response, "必须晚于原截止日期", status_code=400)
        page = response.content.decode()
        row = page[page.index('id="phase-self_assessment"') :]
        self.assertIn(f'value="{earlier}"', row[: row.index("</tr>")])
        self.assertIn('value="台风影响"', row[: row.index("</tr>")])

    def test_only_the_office_sets_dates(self) -> None:
        data = {"starts_on": f"{self.later}", "ends_on": f"{self.later}", "reason": "改期"}
        for user in (self.district_admin, self.leader, self.reviewer):
            with self.subTest(user=user.username):
                self.login(user)
                url = reverse("phase_dates", args=[2020, "publication"])
                self.assertEqual(self.client.post(url, data).status_code, 403)
                self.assertNotContains(self.client.get(self.url), url)
        self.login(self.office)
        self.assertContains(self.client.get(self.url), url)
        dates = CampaignPhase.objects.get(campaign=self.campaign, phase=Phase.PUBLICATION)
        self.assertNotEqual(dates.starts_on, self.later)
