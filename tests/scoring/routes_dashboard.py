"""The dashboard's route for the access matrix (tests/scoring/test_dashboard.py owns the behaviour):
the office, the leading group and the system administrator read it; district roles and
member units are refused (403)."""

from tests.routes import Route, only

YEAR = lambda case: [case.campaign.year]  # noqa: E731

ROUTES: list[Route] = [
    Route("score_dashboard", "get", only(200, "office", "leader", "sysadmin"), args=YEAR),
]
