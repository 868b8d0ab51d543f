"""Export jobs: a workbook requested in the browser, written by a worker, downloaded by the
person who asked for it until it expires."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    SHORTLIST = "shortlist", _("入围名单")
    MATRIX = "matrix", _("得分明细")
    SURVEY = "survey", _("满意度调查统计")
    AUDIT_LOG = "audit_log", _("操作日志")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    EXPIRED = "expired", _("已过期")


class ExportJob(models.Model):
    """One requested workbook: who asked, with which parameters, how far it got, and the private
    file once it is complete."""

    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.CASCADE, related_name="+", verbose_name=_("创建活动")
    )
    kind = models.CharField(_("导出内容"), max_length=20, choices=ExportKind.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=ExportState.choices, default=ExportState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    stored_name = models.CharField(_("存储位置"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    expires_at = models.DateTimeField(_("下载截止时间"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
