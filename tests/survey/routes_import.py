"""The survey-import routes for the access matrix (tests/survey/test_import.py owns the
behaviour). The office only; every other role is refused (403), whatever the campaign holds.
Without a file the upload page comes back with a message, and without a staged file the
confirmation sends the office back to the upload page, so nothing is imported here."""

from typing import Any

from tests.routes import Route, only

YEAR = lambda case: [case.campaign.year]  # noqa: E731


def no_staged_file(case: Any) -> dict[str, Any]:
    return {"token": "", "sha256": ""}


ROUTES: list[Route] = [
    Route("survey_import", "get", only(200, "office"), args=YEAR),
    Route("survey_import", "post", only(200, "office"), args=YEAR),
    Route("survey_import_confirm", "post", only(302, "office"), args=YEAR, data=no_staged_file),
    Route("survey_import_template", "get", only(200, "office"), args=YEAR),
]
