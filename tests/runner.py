"""The suite runs against real PostgreSQL, Redis and a Celery worker (started by `make test`).
Running it without them is refused, so a PostgreSQL-only test can never be silently skipped;
ALLOW_SQLITE_TESTS=1 permits a quick local loop on SQLite that does skip those tests."""

import logging
import os
import warnings
from typing import Any

from django.conf import settings
from django.db import connection
from django.test.runner import DiscoverRunner

os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop


class StackTestRunner(DiscoverRunner):
    def setup_test_environment(self, **kwargs: Any) -> None:
        if os.environ.get("ALLOW_SQLITE_TESTS") != "1" and not on_real_stack():
            raise SystemExit(
                "The test suite needs PostgreSQL, Redis and a Celery worker: run `make test`.\n"
                "(ALLOW_SQLITE_TESTS=1 runs a partial suite on SQLite for a quick check.)"
            )
        super().setup_test_environment(**kwargs)
        # Denied requests are expected by the hundreds here; keep the output for real problems.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        # Hashed static names need collectstatic; tests and the browser tests use the finders.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


def on_real_stack() -> bool:
    return connection.vendor == "postgresql" and bool(settings.REDIS_URL)
