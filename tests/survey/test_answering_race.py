"""Phones racing on one code (campaign/survey/answering.py): the unique column lets exactly one
questionnaire in. PostgreSQL only: SQLite serialises writers."""

import datetime
import http.client
import threading
from typing import Any
from unittest import skipUnless
from urllib.parse import urlencode, urlsplit

from django.db import connection
from django.test import LiveServerTestCase
from django.urls import reverse
from django.utils import timezone

from campaign.pipeline.actions import do_create_campaign
from campaign.pipeline.models import Campaign
from campaign.survey import answer_store, answering, codes
from campaign.survey.models import SurveyCode, SurveyResponse
from tests.base import ReferenceDataMixin
from tests.runner import on_real_stack
from tests.survey.test_answering import PATTERN, answers, build_survey, stamp_ago


@skipUnless(on_real_stack(), "SQLite serialises writers; only PostgreSQL shows a real race")
class ConcurrentSubmissionTests(ReferenceDataMixin, LiveServerTestCase):
    """Several phones submit the same code at the same moment: the unique column lets exactly
    one questionnaire in, and every other submission is told the code is used."""

    THREADS = 8
    campaign: Campaign
    survey_codes: list[SurveyCode]

    def setUp(self) -> None:
        self.load_reference_data()
        self.create_personas()
        self.create_register()
        self.campaign = do_create_campaign(
            2020,
            "2020年创建活动",
            self.standard.pk,
            starts_on=timezone.localdate() - datetime.timedelta(days=30),
        )
        build_survey(self)
        self.token = self.survey_codes[0].token

    def race(self, submit: Any) -> list[Any]:
        barrier = threading.Barrier(self.THREADS)
        results: list[Any] = [None] * self.THREADS

        def run(n: int) -> None:
            try:
                barrier.wait(timeout=30)
                results[n] = submit(n)
            except Exception as exc:  # reported below; a thread must not die silently
                results[n] = exc
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(n,)) for n in range(self.THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return results

    def test_the_same_code_from_many_threads_counts_once(self) -> None:
        patterns = [str(n % 3 + 1) * 7 + str(n % 2 + 1) * 3 for n in range(self.THREADS)]
        # With the questionnaire known to the process (one INSERT … SELECT) and not (the
        # lookup first, every thread reading the questionnaire too).
        for known, token in (
            (True, self.survey_codes[0].token),
            (False, self.survey_codes[1].token),
        ):
            with self.subTest(questionnaire_known=known):
                answer_store.forget_forms()
                if known:
                    answering.load_questionnaire(self.survey_codes[2].token)
                stamp = stamp_ago(token, 90)

                def submit(n: int, token: str = token, stamp: str = stamp) -> Any:
                    return answering.submit_answers(token, answers(patterns[n]), stamp)

                outcomes = self.race(submit)
                for outcome in outcomes:
                    self.assertIsInstance(outcome, answering.Outcome, outcome)
                self.assertEqual(len([o for o in outcomes if o.stored]), 1)
                refused = [o.questionnaire.state for o in outcomes if not o.stored]
                self.assertEqual(refused, [codes.CodeState.USED] * (self.THREADS - 1))
                self.assertIn(SurveyResponse.objects.get(code__token=token).pattern, patterns)

    def test_the_same_code_over_http_counts_once(self) -> None:
        answering.load_questionnaire(self.survey_codes[2].token)  # as on survey day
        address = urlsplit(self.live_server_url)
        path = reverse("survey_answer", args=[self.token])
        body = urlencode({**answers(), answering.STAMP_FIELD: stamp_ago(self.token, 90)})

        def submit(_n: int) -> int:
            client = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
            try:
                client.request(
                    "POST",
                    path,
                    body,
                    {"Content-Type": "application/x-www-form-urlencoded"},
                )
                reply = client.getresponse()
                reply.read()
                return reply.status
            finally:
                client.close()

        statuses = self.race(submit)
        self.assertEqual(sorted(statuses), [302] + [410] * (self.THREADS - 1), statuses)
        self.assertEqual(SurveyResponse.objects.get(code__token=self.token).pattern, PATTERN)
