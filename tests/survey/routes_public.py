"""Access-matrix routes of the residents' phone page (the behaviour is tested in
tests/survey/test_answering.py). Public: every persona, signed in or not, gets the same answer.

A community of its own in the survey with one code, made on first use with every phase open
(as routes_joint does), so no other list's data is touched. The answer POST carries no answers:
the questionnaire comes back with its errors and the code stays unused for the next persona."""

from typing import Any

from campaign.pipeline.models import Status
from campaign.survey.codes import create_codes
from campaign.survey.defaults import config_for
from tests.base import make_community
from tests.builders import open_every_phase, submission_at
from tests.routes import PERSONAS, Route

SURVEY_COMMUNITY = "371002002081"


def survey_token(case: Any) -> str:
    token: str | None = getattr(case, "_survey_public_token", None)
    if token is None:
        open_every_phase(case.campaign)
        community = make_community(SURVEY_COMMUNITY, "扫码调查社区")  # i18n-data
        submission = submission_at(case.campaign, community, Status.SURVEYING, actor=case.office)
        config_for(case.campaign)
        token = case._survey_public_token = create_codes(submission, 1, case.office)[0].token
    return token


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, status)


ROUTES: list[Route] = [
    Route("survey_start", "get", _all(200), public=True),
    # A code that cannot be one: the form comes back with the error.
    Route("survey_start", "post", _all(400), public=True, data=lambda case: {"code": "123"}),
    Route("survey_answer", "get", _all(200), public=True, args=lambda case: [survey_token(case)]),
    Route("survey_answer", "post", _all(400), public=True, args=lambda case: [survey_token(case)]),
    Route("survey_thanks", "get", _all(200), public=True),
]
