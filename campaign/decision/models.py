"""The leading group's meetings (领导小组研究); the minutes are a private attachment."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaign.pipeline.models import PrivateAttachment


class DecisionMeeting(PrivateAttachment):
    """A leading-group meeting that decided on candidates; the minutes are its attachment."""

    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField(_("会议日期"))
    title = models.CharField(_("会议名称"), max_length=100)
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("领导小组会议")
        verbose_name_plural = _("领导小组会议")

    def __str__(self) -> str:
        return f"{self.title}（{self.held_on:%Y-%m-%d}）"
