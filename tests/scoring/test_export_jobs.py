"""Export jobs in the browser: requested, queued on commit for the exports queue, written by the
task (run here in-process), watched through the status endpoint, downloaded only by the
requester while fresh; failures are retried then reported (the clean-up of stale and expired
jobs: tests/scoring/test_export_cleanup.py). The last test kills a real worker in the middle of an
export."""

import datetime
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any
from unittest import skipUnless
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaign.kernel.models import AuditEvent
from campaign.pipeline.actions import do_create_campaign
from config.celery import app
from scoring.exports.actions import Heartbeat, JobAbandoned, export_workbook
from scoring.exports.models import ExportJob, ExportState
from tests.base import CampaignTestCase, ReferenceDataMixin
from tests.runner import on_real_stack


def use_temporary_export_dir(case: Any) -> Path:
    """Point EXPORT_DIR at a fresh temporary directory until the test ends."""
    existing = getattr(case, "_export_dir", None)
    if existing is not None:
        return Path(existing)
    directory = Path(tempfile.mkdtemp(prefix="export-test-"))
    override = override_settings(EXPORT_DIR=directory)
    override.enable()
    case.addCleanup(override.disable)
    case.addCleanup(shutil.rmtree, directory, True)
    case._export_dir = directory
    return directory


class ExportJobCase(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.root = use_temporary_export_dir(self)
        self.login(self.office)

    def url(self, name: str, job: ExportJob) -> str:
        return reverse(name, args=[self.campaign.year, job.pk])

    def request(self, kind: str = "audit_log") -> ExportJob:
        response = self.client.post(reverse("export_request", args=[self.campaign.year, kind]))
        job = ExportJob.objects.latest("pk")
        self.assertRedirects(
            response, self.url("export_detail", job), fetch_redirect_response=False
        )
        return job

    def finished(self, kind: str = "audit_log") -> ExportJob:
        job = self.request(kind)
        export_workbook.apply(args=(job.pk,))
        job.refresh_from_db()
        return job


class RequestAndDownloadTests(ExportJobCase):
    def test_a_request_is_queued_on_commit_for_the_exports_queue(self) -> None:
        with self.captureOnCommitCallbacks() as callbacks:
            job = self.request("shortlist")
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(
            (job.state, job.kind, job.requested_by), ("queued", "shortlist", self.office)
        )
        route = app.amqp.router.route({}, export_workbook.name, (job.pk,), {})
        self.assertEqual(route["queue"].name, "exports")
        self.assertEqual(
            (export_workbook.max_retries, getattr(export_workbook, "autoretry_for", None)),
            (2, (Exception,)),
        )
        event = AuditEvent.objects.get(action="export.request")
        self.assertEqual((event.actor, event.object_id), (self.office, str(job.pk)))

    def test_the_worker_writes_the_file_and_only_the_requester_downloads_it(self) -> None:
        job = self.finished()
        self.assertEqual((job.state, job.progress, job.attempts), ("done", 100, 1))
        self.assertEqual([p.name for p in self.root.iterdir()], [job.stored_name])
        assert job.expires_at is not None and job.finished_at is not None
        self.assertEqual(job.expires_at - job.finished_at, datetime.timedelta(hours=24))
        status = self.client.get(self.url("export_status", job)).json()
        self.assertEqual(
            status,
            {
                "state": "done",
                "label": "已完成",
                "progress": 100,
                "finished": True,
                "error": "",
                "download_url": self.url("export_download", job),
            },
        )
        self.assertContains(self.client.get(self.url("export_detail", job)), job.file_name)
        response = self.client.get(self.url("export_download", job))
        self.assertEqual(response.status_code, 200)
        self.assertIn("filename*=utf-8''", response["Content-Disposition"])
        self.assertEqual(response["Cache-Control"], "private, no-store")
        workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
        self.assertEqual(workbook.sheetnames, ["操作日志"])
        self.assertTrue(AuditEvent.objects.filter(action="export.download", actor=self.office))
        self.login(self.leader)
        self.assertEqual(self.client.get(self.url("export_download", job)).status_code, 404)
        self.assertEqual(self.client.get(self.url("export_status", job)).status_code, 404)

    def test_the_list_shows_only_the_users_own_jobs_and_what_they_may_request(self) -> None:
        mine = self.request("matrix")
        self.login(self.leader)
        theirs = self.request("survey")
        page = self.client.get(reverse("export_list", args=[self.campaign.year]))
        self.assertContains(page, self.url("export_detail", theirs))
        self.assertNotContains(page, self.url("export_detail", mine))
        self.assertContains(page, reverse("export_request", args=[2020, "shortlist"]))
        # The leading group may export scores but not read the audit log.
        self.assertNotContains(page, reverse("export_request", args=[2020, "audit_log"]))

    def test_the_list_is_paginated_with_a_pinned_query_count(self) -> None:
        url = reverse("export_list", args=[self.campaign.year])
        self.request("matrix")
        # Session, user and profile, the menu's campaign year, the session save (3); then the
        # campaign, the stale/expired clean-up, the count and one page.
        with self.assertNumQueries(6 + 4):
            self.client.get(url)
        ExportJob.objects.bulk_create(
            ExportJob(campaign=self.campaign, kind="matrix", requested_by=self.office)
            for _n in range(45)
        )
        with self.assertNumQueries(6 + 4):
            page = self.client.get(url)
        self.assertContains(page, "第1页，共3页")


class ProgressTests(ExportJobCase):
    def test_a_running_job_reports_its_progress(self) -> None:
        job = self.request()
        ExportJob.objects.filter(pk=job.pk).update(
            state="running", progress=42, heartbeat_at=timezone.now()
        )
        status = self.client.get(self.url("export_status", job)).json()
        self.assertEqual(
            (status["state"], status["label"], status["progress"], status["finished"]),
            ("running", "生成中", 42, False),
        )
        self.assertIsNone(status["download_url"])
        page = self.client.get(self.url("export_detail", job)).content.decode()
        self.assertIn('value="42"', page)
        self.assertIn("scoring/export_progress.js", page)
        self.assertIn('<meta http-equiv="refresh" content="5">', page)
        self.assertEqual(self.client.get(self.url("export_download", job)).status_code, 404)

    def test_progress_is_a_heartbeat_until_the_job_is_no_longer_this_workers(self) -> None:
        job = self.request()
        ExportJob.objects.filter(pk=job.pk).update(state="running", attempts=1)
        job.refresh_from_db()
        heartbeat = Heartbeat(job)
        heartbeat.written_at -= 2
        heartbeat(30, 100)
        job.refresh_from_db()
        self.assertEqual(job.progress, 30)
        assert job.heartbeat_at is not None
        self.assertLess(timezone.now() - job.heartbeat_at, datetime.timedelta(seconds=5))
        ExportJob.objects.filter(pk=job.pk).update(state="failed")
        heartbeat.written_at -= 2
        with self.assertRaises(JobAbandoned):
            heartbeat(60, 100)


class FailureTests(ExportJobCase):
    def test_a_failing_export_is_retried_then_failed_with_a_chinese_error(self) -> None:
        job = self.request()
        not_a_directory = self.root / "occupied"
        not_a_directory.write_text("a file where the export directory should be")
        with (
            override_settings(EXPORT_DIR=not_a_directory / "exports"),
            self.assertLogs("scoring.exports.actions", "ERROR") as logs,
        ):
            export_workbook.apply(args=(job.pk,))
        self.assertEqual(len(logs.records), 3)
        job.refresh_from_db()
        self.assertEqual((job.state, job.attempts), ("failed", 3))
        self.assertIn("生成失败（已尝试3次）", job.error)
        self.assertIn("无法写入导出文件", job.error)
        self.assertEqual([p.name for p in self.root.iterdir()], ["occupied"])
        page = self.client.get(self.url("export_detail", job))
        self.assertContains(page, "生成失败")
        self.assertContains(page, "重新生成")

    def test_a_failed_job_is_asked_for_again_as_a_new_job(self) -> None:
        job = self.request("matrix")
        ExportJob.objects.filter(pk=job.pk).update(state="failed", error="x")
        response = self.client.post(self.url("export_retry", job))
        again = ExportJob.objects.latest("pk")
        self.assertRedirects(
            response, self.url("export_detail", again), fetch_redirect_response=False
        )
        self.assertEqual((again.kind, again.state), ("matrix", "queued"))
        self.assertEqual(ExportJob.objects.get(pk=job.pk).state, "failed")

    def test_a_job_that_has_not_failed_is_not_asked_for_again(self) -> None:
        job = self.request("matrix")
        self.client.post(self.url("export_retry", job))
        self.assertEqual(ExportJob.objects.count(), 1)

    def test_a_second_click_while_a_job_is_unfinished_does_not_queue_it_twice(self) -> None:
        first = self.request("matrix")
        with self.captureOnCommitCallbacks() as callbacks:
            self.assertEqual(self.request("matrix"), first)
        self.assertEqual(callbacks, [])
        self.assertNotEqual(self.request("survey"), first)
        self.assertEqual(AuditEvent.objects.filter(action="export.request").count(), 2)

    def test_a_finished_job_whose_file_is_gone_may_be_asked_for_again(self) -> None:
        job = self.finished()
        (self.root / job.stored_name).unlink()
        page = self.client.get(self.url("export_detail", job))
        self.assertContains(page, "文件已不可下载")
        self.assertEqual(self.client.get(self.url("export_download", job)).status_code, 404)
        self.client.post(self.url("export_retry", job))
        self.assertEqual(ExportJob.objects.latest("pk").state, "queued")
        self.assertEqual(ExportJob.objects.count(), 2)


@skipUnless(on_real_stack(), "needs PostgreSQL, Redis and a Celery worker of its own")
class KilledWorkerTests(ReferenceDataMixin, TransactionTestCase):
    """A worker of this test's own, on a queue of its own, is SIGKILLed in the middle of writing
    a large audit log. The shared worker the stack started is left alone."""

    EVENTS = 60_000
    STALE_SECONDS = 2

    def setUp(self) -> None:
        self.load_reference_data()
        self.create_personas()
        self.campaign = do_create_campaign(
            2020,
            "2020年创建活动",
            self.standard.pk,
            starts_on=timezone.localdate() - datetime.timedelta(days=30),
        )
        start = timezone.now() - datetime.timedelta(days=1)
        AuditEvent.objects.bulk_create(
            (
                AuditEvent(
                    at=start + datetime.timedelta(seconds=n),
                    actor_name="hc_staff",
                    action="assessment.save",
                    comment=f"第{n}条" if n % 2 else "=1+1",
                )
                for n in range(self.EVENTS)
            ),
            batch_size=5000,
        )

    def start_worker(self, queue: str) -> subprocess.Popen[bytes]:
        url = urlsplit(os.environ["DATABASE_URL"])
        test_database = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
        env = {**os.environ, "DATABASE_URL": test_database, "DB_CONN_MAX_AGE": "0"}
        self.worker_log = Path(tempfile.mkstemp(prefix="export-kill-worker-", suffix=".log")[1])
        self.addCleanup(self.worker_log.unlink, True)
        with open(self.worker_log, "wb") as log:
            worker = subprocess.Popen(
                [
                    str(Path(settings.BASE_DIR) / ".venv" / "bin" / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "-Q",
                    queue,
                    "--concurrency",
                    "1",
                    "-P",
                    "prefork",
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--hostname",
                    f"{queue}@%h",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.addCleanup(self.kill, worker)
        self.wait_for(lambda: b" ready." in self.worker_log.read_bytes(), "the worker to start")
        return worker

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)

    def wait_for(self, condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        log = self.worker_log.read_text(errors="replace")[-3000:]
        raise AssertionError(f"timed out waiting for {what}; worker log:\n{log}")

    def job_files(self, job: ExportJob) -> list[str]:
        return sorted(p.name for p in settings.EXPORT_DIR.glob(f"{job.pk}-*"))

    def test_a_worker_killed_mid_export_leaves_a_failed_retryable_job(self) -> None:
        queue = f"export-kill-{uuid4().hex[:8]}"
        worker = self.start_worker(queue)
        job = ExportJob.objects.create(
            campaign=self.campaign, kind="audit_log", requested_by=self.office
        )
        export_workbook.apply_async((job.pk,), queue=queue)
        self.wait_for(
            lambda: ExportJob.objects.filter(pk=job.pk, state="running", progress__gt=0).exists(),
            "the export to report progress",
        )
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        job.refresh_from_db()
        self.assertEqual(job.state, ExportState.RUNNING)
        self.assertLess(job.progress, 100)
        # The half-written workbook exists only under its temporary name.
        files = self.job_files(job)
        self.assertEqual(len(files), 1)
        self.assertTrue(files[0].endswith(".xlsx.part"), files)

        self.client.force_login(self.office)
        status_url = reverse("export_status", args=[2020, job.pk])
        with override_settings(EXPORT_STALE_SECONDS=self.STALE_SECONDS):
            self.assertEqual(self.client.get(status_url).json()["state"], "running")
            time.sleep(self.STALE_SECONDS + 0.5)
            status = self.client.get(status_url).json()
        self.assertEqual((status["state"], status["download_url"]), ("failed", None))
        self.assertIn("生成过程中断", status["error"])
        self.assertEqual(self.job_files(job), [])
        download = reverse("export_download", args=[2020, job.pk])
        self.assertEqual(self.client.get(download).status_code, 404)

        response = self.client.post(reverse("export_retry", args=[2020, job.pk]))
        again = ExportJob.objects.exclude(pk=job.pk).get()
        self.assertEqual(response.status_code, 302)
        # Queued on commit for the shared worker too; whoever claims it first writes it.
        export_workbook.apply(args=(again.pk,))
        self.wait_for(
            lambda: ExportJob.objects.filter(pk=again.pk, state="done").exists(),
            "the new job to finish",
        )
        response = self.client.get(reverse("export_download", args=[2020, again.pk]))
        self.assertEqual(response.status_code, 200)
        data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        sheet = load_workbook(BytesIO(data), read_only=True)["操作日志"]
        # Read-only rows stop at their last filled cell: the comment is the 9th column.
        comments = [row[8:9] for row in sheet.iter_rows(min_row=4, values_only=True)]
        self.assertEqual(comments.count(("'=1+1",)), self.EVENTS // 2)
        self.assertEqual(ExportJob.objects.get(pk=job.pk).state, ExportState.FAILED)
