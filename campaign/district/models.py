"""A district's recommendation, sent to the office as one list (区市推荐)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DistrictRecommendation(models.Model):
    """A district's recommendation sent to the office; once sent, its submissions are locked."""

    campaign = models.ForeignKey(
        "campaign.Campaign",
        on_delete=models.PROTECT,
        related_name="district_recommendations",
        verbose_name=_("创建活动"),
    )
    district = models.ForeignKey(
        "communities.District",
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("区市"),
    )
    forwarded_at = models.DateTimeField(_("报送时间"))
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报送人"),
    )

    class Meta:
        ordering = ["district__display_order"]
        verbose_name = _("区市推荐")
        verbose_name_plural = _("区市推荐")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "district"], name="one_recommendation_per_district"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.district}"
