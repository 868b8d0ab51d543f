from celery import shared_task

from campaign.system import complete_probe


@shared_task
def complete_worker_probe(probe_id: int) -> None:
    complete_probe(probe_id)
