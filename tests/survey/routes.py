"""The office's survey routes for the access matrix (behaviour in tests/survey/test_office.py).
They use the survey-stage community of tests/audit/routes.py; every POST either works or is
refused with a message, a redirect either way."""

from tests.audit.routes import YEAR, forwarded, surveying
from tests.routes import Route, only

OFFICE_ONLY = only(302, "office")

ROUTES: list[Route] = [
    Route("survey_list", "get", only(200, "office", "leader"), args=YEAR),
    Route("survey_settings", "get", only(200, "office"), args=YEAR),
    # Refused (nothing filled in): the form again with the message.
    Route("survey_settings", "post", only(200, "office"), args=YEAR),
    Route("survey_detail", "get", only(200, "office"), args=surveying),
    Route("survey_codes_print", "get", only(200, "office"), args=surveying),
    Route(
        "survey_generate_codes",
        "post",
        OFFICE_ONLY,
        args=surveying,
        data=lambda case: {"count": "2"},
    ),
    Route(
        "survey_void_codes",
        "post",
        OFFICE_ONLY,
        args=surveying,
        data=lambda case: {"scope": "all", "reason": "调查卡遗失"},
    ),
    Route("survey_review", "post", OFFICE_ONLY, args=surveying),
    # Refused: the forwarded one is not in the survey.
    Route("survey_finish", "post", OFFICE_ONLY, args=forwarded),
]
