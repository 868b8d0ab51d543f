"""A real Celery worker (started by `make test`) takes tasks queued after commit."""

import time
from unittest import skipUnless

from django.conf import settings
from django.test import TransactionTestCase
from django.urls import reverse

from campaign.home.models import WorkerProbe
from campaign.home.system import do_request_worker_probe
from campaign.kernel.roles import Role
from tests.base import make_user
from tests.runner import on_real_stack


@skipUnless(on_real_stack(), "needs the Redis broker and worker that make test starts")
class WorkerRoundTripTests(TransactionTestCase):
    def wait_for_completion(self, probe: WorkerProbe, seconds: float = 30) -> WorkerProbe:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            probe.refresh_from_db()
            if probe.completed_at is not None:
                return probe
            time.sleep(0.2)
        raise AssertionError("the Celery worker did not complete the probe (see its log)")

    def test_a_task_queued_on_commit_is_run_by_the_worker(self) -> None:
        self.assertFalse(settings.CELERY_TASK_ALWAYS_EAGER)
        admin = make_user("ops", Role.SYSTEM_ADMIN)
        probe = do_request_worker_probe(actor=admin)
        probe = self.wait_for_completion(probe)
        self.assertTrue(probe.worker)
        assert probe.completed_at is not None
        self.assertGreaterEqual(probe.completed_at, probe.requested_at)

    def test_the_status_page_reports_the_round_trip(self) -> None:
        admin = make_user("ops", Role.SYSTEM_ADMIN)
        self.client.force_login(admin)
        self.client.post(reverse("worker_probe"))
        self.wait_for_completion(WorkerProbe.objects.get())
        self.assertContains(self.client.get(reverse("system_status")), "完成")
