"""The register figures a submission was made on, frozen when it is submitted.

The community register stays editable all year, but a submission is judged on the figures it
was submitted with: the hard indicators (and the items they score) read these rows, and an edit
made afterwards waits for the office to re-check it (``campaign.pipeline.figures``)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.indicators import Status as IndicatorStatus
from communities.models import Community

# The register's figures a submission freezes, in the order the pages show them.
FROZEN_FIGURES = (
    "kind",
    "construction",
    "households",
    "population",
    "full_time_workers",
    "work_funds",
    "party_fund",
    "service_area",
)


def _indicator_result(label: Any) -> "models.CharField[str, str]":
    return models.CharField(label, max_length=10, choices=IndicatorStatus.choices)


class RegisterFigures(models.Model):
    submission = models.OneToOneField(
        "campaign.Submission",
        on_delete=models.CASCADE,
        related_name="register_figures",
        verbose_name=_("申报"),
    )
    kind = models.CharField(_("社区类型"), max_length=10, choices=Community.Kind.choices)
    construction = models.CharField(
        _("建设情况"), max_length=10, choices=Community.Construction.choices
    )
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    full_time_workers = models.PositiveSmallIntegerField(_("专职工作者人数"), null=True, blank=True)
    work_funds = models.PositiveIntegerField(_("年度社区工作经费（元）"), null=True, blank=True)
    party_fund = models.PositiveIntegerField(
        _("年度党组织服务群众专项经费（元）"), null=True, blank=True
    )
    service_area = models.DecimalField(
        _("综合服务设施面积（㎡）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    # The hard indicators' results on these figures (communities.indicators), frozen with them.
    staffing_result = _indicator_result(_("专职工作者配备"))
    work_funds_result = _indicator_result(_("社区工作经费"))
    party_fund_result = _indicator_result(_("党组织服务群众专项经费"))
    service_area_result = _indicator_result(_("综合服务设施面积"))
    frozen_at = models.DateTimeField(_("冻结时间"))
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("冻结人"),
    )
    # Set when the office re-checked figures edited after submission and took them over.
    rechecked_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("复核人"),
    )

    class Meta:
        verbose_name = _("申报时社区基础数据")
        verbose_name_plural = _("申报时社区基础数据")

    def __str__(self) -> str:
        return str(self.submission)
