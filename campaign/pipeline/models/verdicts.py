"""The office's and the member units' verdicts on a submission's items: audited scores per audit
round (市办审核), opinions and vetoes (成员单位联审). Written by those stages, read by every
stage after them and by the scoring engine."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ItemAudit(models.Model):
    """The office's audit of one item in one audit round."""

    submission = models.ForeignKey(
        "campaign.Submission",
        on_delete=models.CASCADE,
        related_name="item_audits",
        verbose_name=_("申报"),
    )
    item = models.ForeignKey(
        "standards.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("小项")
    )
    round = models.PositiveSmallIntegerField(_("审核轮次"))
    audited_score = models.DecimalField(
        _("审核得分"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    # Required when the audited score differs from the self-score.
    reason = models.TextField(_("调整理由"), blank=True)
    comment = models.TextField(_("审核意见"), blank=True)
    # What the district must change, when the office returns the submission for revision.
    revision_request = models.TextField(_("修改要求"), blank=True)
    # Bumped by every save: a save carrying an older number was made on a page opened before
    # someone else's save and is refused rather than overwriting it.
    version = models.PositiveIntegerField(_("版本"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["round", "item__display_order"]
        verbose_name = _("小项审核")
        verbose_name_plural = _("小项审核")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "item", "round"], name="one_audit_per_item_and_round"
            ),
            models.CheckConstraint(
                condition=Q(audited_score__gte=0) | Q(audited_score__isnull=True),
                name="audited_score_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.item.code} #{self.round}"


class UnitOpinion(models.Model):
    """A member unit's opinion on one item of one candidate."""

    submission = models.ForeignKey(
        "campaign.Submission",
        on_delete=models.CASCADE,
        related_name="unit_opinions",
        verbose_name=_("申报"),
    )
    item = models.ForeignKey(
        "standards.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("小项")
    )
    unit = models.ForeignKey(
        "standards.MemberUnit",
        on_delete=models.PROTECT,
        related_name="opinions",
        verbose_name=_("成员单位"),
    )
    agrees = models.BooleanField(_("同意审核结果"))
    reason = models.TextField(_("意见理由"), blank=True)
    adjustment = models.DecimalField(_("分数调整"), max_digits=4, decimal_places=1, default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["item__display_order", "unit__display_order"]
        verbose_name = _("联审意见")
        verbose_name_plural = _("联审意见")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "item", "unit"], name="one_opinion_per_unit_and_item"
            ),
            models.CheckConstraint(
                condition=(Q(agrees=True) & Q(adjustment=0)) | ~Q(reason=""),
                name="disagreement_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.item.code} {self.unit}"


class UnitVeto(models.Model):
    """一票否决: a member unit rules a candidate out, with its reason."""

    submission = models.ForeignKey(
        "campaign.Submission", on_delete=models.CASCADE, related_name="vetoes"
    )
    unit = models.ForeignKey(
        "standards.MemberUnit",
        on_delete=models.PROTECT,
        related_name="vetoes",
        verbose_name=_("成员单位"),
    )
    reason = models.TextField(_("否决理由"))
    vetoed_at = models.DateTimeField(_("否决时间"), auto_now_add=True)
    vetoed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("一票否决")
        verbose_name_plural = _("一票否决")
        constraints = [
            models.UniqueConstraint(fields=["submission", "unit"], name="one_veto_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.unit}"
