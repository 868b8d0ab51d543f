"""The office's in-app reminders to member units during the joint review (成员单位联审)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Reminder(models.Model):
    """An in-app reminder from the office to a member unit about its joint-review work."""

    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "standards.MemberUnit", on_delete=models.PROTECT, related_name="reminders"
    )
    message = models.TextField(_("提醒内容"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("催办提醒")
        verbose_name_plural = _("催办提醒")

    def __str__(self) -> str:
        return f"{self.unit} {self.sent_at:%Y-%m-%d}"
