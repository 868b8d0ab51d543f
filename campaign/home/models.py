"""A worker round trip an administrator triggers from the system status page."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class WorkerProbe(models.Model):
    """A round trip through the task queue, so an administrator can see the worker is alive."""

    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"probe {self.pk} {self.requested_at:%Y-%m-%d %H:%M:%S}"
