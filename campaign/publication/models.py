"""The public notice (公示) and the objections lodged against it (异议)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.pipeline.models import PrivateAttachment


class PublicNotice(models.Model):
    """A published list of approved communities, open for objections during its period."""

    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.PROTECT, related_name="notices"
    )
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示截止"))
    # How to object besides the form: the office's address and telephone.
    contact = models.TextField(_("异议受理方式"))
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="notice_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.starts_on:%Y-%m-%d}～{self.ends_on:%Y-%m-%d}"


class ObjectionStatus(models.TextChoices):
    RECEIVED = "received", _("待受理")
    ACCEPTED = "accepted", _("已受理，调查中")
    INVESTIGATED = "investigated", _("已调查，待结论")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


OPEN_OBJECTION_STATES = frozenset(
    {ObjectionStatus.RECEIVED, ObjectionStatus.ACCEPTED, ObjectionStatus.INVESTIGATED}
)


class Objection(PrivateAttachment):
    """A real-name objection lodged during a public notice. The objector's name and contact are
    seen by the office only and never published."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    submission = models.ForeignKey(
        "campaign.Submission",
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("被异议社区"),
    )
    reference = models.CharField(_("受理编号"), max_length=20, unique=True)
    objector = models.CharField(_("异议人（姓名或单位）"), max_length=100)
    contact = models.CharField(_("联系方式"), max_length=100)
    content = models.TextField(_("异议内容"))
    lodged_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    status = models.CharField(
        _("办理状态"),
        max_length=20,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.RECEIVED,
        db_index=True,
    )
    findings = models.TextField(_("调查情况"), blank=True)
    reply = models.TextField(_("答复意见"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        ordering = ["lodged_at", "pk"]
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_OBJECTION_STATES
