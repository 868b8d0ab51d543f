"""A worker round trip an administrator can trigger to see the task queue is alive."""

import socket

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from campaign.home.models import WorkerProbe
from campaign.kernel import audit_log
from campaign.kernel.users import Actor


def do_request_worker_probe(*, actor: Actor, ip: str | None = None) -> WorkerProbe:
    with transaction.atomic(durable=True):
        probe = WorkerProbe.objects.create(requested_by=actor)
        audit_log.record("system.worker_probe", actor=actor, target=probe, ip=ip)
        transaction.on_commit(lambda: complete_worker_probe.delay(probe.pk))
    return probe


def complete_probe(probe_id: int) -> None:
    """Idempotent: a probe answered twice keeps its first answer."""
    WorkerProbe.objects.filter(pk=probe_id, completed_at__isnull=True).update(
        completed_at=timezone.now(), worker=socket.gethostname()
    )


@shared_task(name="campaign.complete_worker_probe")
def complete_worker_probe(probe_id: int) -> None:
    complete_probe(probe_id)
