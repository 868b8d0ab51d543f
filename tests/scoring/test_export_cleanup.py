"""The clean-up every page, poll and task runs first: a RUNNING job whose worker stopped
reporting fails (and its files go), a QUEUED job no worker took up in time fails, a redelivered
task never runs a job twice, and finished files are deleted when they expire."""

import datetime

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from scoring.exports.actions import export_workbook
from scoring.exports.models import ExportJob
from tests.scoring.test_export_jobs import ExportJobCase


class StaleAndExpiredTests(ExportJobCase):
    def make_stale(self, job: ExportJob) -> None:
        long_ago = timezone.now() - datetime.timedelta(seconds=121)
        ExportJob.objects.filter(pk=job.pk).update(
            state="running", attempts=1, progress=37, heartbeat_at=long_ago
        )
        # What a killed worker leaves: its half file, and (killed between the rename and the
        # database update) possibly a whole file the job never recorded.
        (self.root / f"{job.pk}-0a1b.xlsx.part").write_bytes(b"PK\x03\x04half")
        (self.root / f"{job.pk}-2c3d.xlsx").write_bytes(b"PK\x03\x04whole")

    def test_a_running_job_without_a_heartbeat_fails_when_looked_at(self) -> None:
        job = self.request()
        self.make_stale(job)
        status = self.client.get(self.url("export_status", job)).json()
        self.assertEqual((status["state"], status["finished"]), ("failed", True))
        self.assertIn("生成过程中断", status["error"])
        self.assertEqual(list(self.root.iterdir()), [])
        self.assertEqual(self.client.get(self.url("export_download", job)).status_code, 404)
        page = self.client.get(self.url("export_detail", job))
        self.assertContains(page, self.url("export_retry", job))

    def test_a_queued_job_no_worker_took_up_fails_and_may_be_asked_for_again(self) -> None:
        job = self.request("matrix")
        waiting = self.request("survey")
        ExportJob.objects.filter(pk=job.pk).update(
            requested_at=timezone.now() - datetime.timedelta(minutes=61)
        )
        # Put back in the queue for a retry a moment ago: still waiting its turn.
        ExportJob.objects.filter(pk=waiting.pk).update(
            requested_at=timezone.now() - datetime.timedelta(minutes=61),
            heartbeat_at=timezone.now(),
        )
        status = self.client.get(self.url("export_status", job)).json()
        self.assertEqual(status["state"], "failed")
        self.assertIn("排队超过60分钟", status["error"])
        self.assertEqual(ExportJob.objects.get(pk=waiting.pk).state, "queued")
        self.assertNotEqual(self.request("matrix"), job)

    def test_a_redelivered_task_fails_its_stale_job_instead_of_running_it(self) -> None:
        job = self.request()
        self.make_stale(job)
        export_workbook.apply(args=(job.pk,))
        job.refresh_from_db()
        self.assertEqual((job.state, job.attempts, job.stored_name), ("failed", 1, ""))
        self.assertEqual(list(self.root.iterdir()), [])

    def test_a_redelivered_task_of_a_finished_job_changes_nothing(self) -> None:
        job = self.finished()
        export_workbook.apply(args=(job.pk,))
        again = ExportJob.objects.get(pk=job.pk)
        self.assertEqual(
            (again.state, again.attempts, again.stored_name), ("done", 1, job.stored_name)
        )

    def test_expired_files_are_deleted_and_no_longer_offered(self) -> None:
        job = self.finished()
        ExportJob.objects.filter(pk=job.pk).update(
            expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        self.client.get(reverse("export_list", args=[self.campaign.year]))
        job.refresh_from_db()
        self.assertEqual((job.state, job.stored_name), ("expired", ""))
        self.assertEqual(list(self.root.iterdir()), [])
        self.assertEqual(self.client.get(self.url("export_download", job)).status_code, 404)
        self.assertContains(self.client.get(self.url("export_detail", job)), "文件已过期删除")

    @override_settings(EXPORT_EXPIRY_HOURS=2)
    def test_the_expiry_follows_the_setting(self) -> None:
        job = self.finished()
        assert job.expires_at is not None and job.finished_at is not None
        self.assertEqual(job.expires_at - job.finished_at, datetime.timedelta(hours=2))
