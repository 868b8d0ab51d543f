"""The suite runs against real PostgreSQL, Redis and a Celery worker (started by `make test`).
Running it without them is refused, so a PostgreSQL-only test can never be silently skipped;
ALLOW_SQLITE_TESTS=1 permits a quick local loop on SQLite that does skip those tests."""

import logging
import os
import time
import warnings
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.test import TransactionTestCase
from django.test.runner import DiscoverRunner
from django.test.utils import override_settings

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
        # Personas are created and log in by the hundreds: hash their passwords the fast way
        # (as Django's testing docs advise); production keeps PBKDF2.
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ).enable()
        # Denied requests are expected by the hundreds here; keep the output for real problems.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        # Hashed static names need collectstatic; tests and the browser tests use the finders.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        teardown = TransactionTestCase._fixture_teardown  # type: ignore[attr-defined]
        TransactionTestCase._fixture_teardown = _retried_on_deadlock(teardown)  # type: ignore[attr-defined]


def _retried_on_deadlock(teardown: Callable[[Any], None]) -> Callable[[Any], None]:
    """A TransactionTestCase's actions really commit, so the real worker may still be
    recomputing their scores while the test empties the tables; PostgreSQL then breaks the
    deadlock by failing one side. When that is the emptying, do it again (the worker's task
    finds its rows gone and stops)."""

    def teardown_retried(case: Any) -> None:
        for attempt in range(1, 6):
            try:
                teardown(case)
                return
            except CommandError as exc:  # flush's wrapping of the database's error
                if "deadlock detected" not in str(exc.__cause__) or attempt == 5:
                    raise
                time.sleep(0.2 * attempt)

    return teardown_retried


def on_real_stack() -> bool:
    return connection.vendor == "postgresql" and bool(settings.REDIS_URL)
