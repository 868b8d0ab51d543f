import datetime

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def current(self) -> "Campaign | None":
        """The latest year's campaign, with its standard."""
        return self.select_related("standard").order_by("-year").first()


class Campaign(models.Model):
    """One year's creation campaign; it freezes the standard version it uses."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    standard = models.ForeignKey(
        "standards.Standard",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("创建标准"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("创建活动")
        verbose_name_plural = _("创建活动")

    def __str__(self) -> str:
        return self.name


class Phase(models.TextChoices):
    """The campaign's stages in the order of the press conference (推选典型)."""

    SELF_ASSESSMENT = "self_assessment", _("社区自评")
    RECOMMENDATION = "recommendation", _("区市推荐")
    AUDIT = "audit", _("市办审核")
    SURVEY = "survey", _("满意度调查")
    JOINT_REVIEW = "joint_review", _("成员单位联审")
    DECISION = "decision", _("领导小组研究")
    PUBLICATION = "publication", _("公示公布")


class CampaignPhase(models.Model):
    """The dates of one stage. Both ends are whole days in the campaign's time zone, inclusive:
    a phase ending on 9月30日 is open until midnight."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="phases", verbose_name=_("创建活动")
    )
    phase = models.CharField(_("阶段"), max_length=20, choices=Phase.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("截止日期"))

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("活动阶段")
        verbose_name_plural = _("活动阶段")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "phase"], name="one_date_range_per_phase"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="phase_ends_after_it_starts",
                violation_error_message=_("截止日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} {self.starts_on:%Y-%m-%d}～{self.ends_on:%Y-%m-%d}"

    def is_open_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class DistrictQuota(models.Model):
    """How many communities a district may recommend in a campaign."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("创建活动")
    )
    district = models.ForeignKey(
        "communities.District",
        on_delete=models.PROTECT,
        related_name="quotas",
        verbose_name=_("区市"),
    )
    quota = models.PositiveSmallIntegerField(_("推荐名额"))

    class Meta:
        ordering = ["district__display_order"]
        verbose_name = _("推荐名额")
        verbose_name_plural = _("推荐名额")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "district"], name="one_quota_per_district"),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.quota}"
