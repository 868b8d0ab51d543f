"""The project's URLs plus the benchmark's ceiling: the cheapest Django view that still does
what an answer POST must do at the least — parse a form and store it with one INSERT — behind
the same gunicorn, middleware stack and PostgreSQL as the real answer view."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

CEILING_PATH = "bench/ceiling/"
# Created by the benchmark at setup, not by a migration: the table is not part of the app.
# The unique token mirrors the one-time code's unique constraint on a survey response.
CEILING_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS bench_ceiling (
    id bigserial PRIMARY KEY,
    token varchar(40) NOT NULL UNIQUE,
    pattern varchar(40) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""


@csrf_exempt
@require_POST
def ceiling(request: HttpRequest, token: str) -> HttpResponse:
    pattern = "".join(str(value) for key, value in request.POST.items() if key.startswith("q"))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_ceiling (token, pattern) VALUES (%s, %s)", [token, pattern[:40]]
        )
    return HttpResponseRedirect("/s/thanks/")


urlpatterns = [
    path(f"{CEILING_PATH}<str:token>/", ceiling, name="bench_ceiling"),
    path("", include("config.urls")),
]
