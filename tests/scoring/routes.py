"""The shortlist routes for the access matrix (tests/scoring/test_shortlist.py owns the
behaviour): the office, the leading group and the system administrator read; only the office
sets rules. The rules posted here are blank, which is a valid "no thresholds" version."""

from tests.routes import Route, only

YEAR = lambda case: [case.campaign.year]  # noqa: E731

ROUTES: list[Route] = [
    Route("shortlist", "get", only(200, "office", "leader", "sysadmin"), args=YEAR),
    Route("shortlist_rules", "post", only(302, "office"), args=YEAR),
]
