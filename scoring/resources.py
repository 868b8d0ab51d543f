"""Ad-hoc lists for the admin's export actions (django-import-export): score snapshots, rules
versions and export jobs, with Chinese column headers.

Every cell passes through one gate (``export_field``): text a spreadsheet would run as a
formula is defused the way the project's own workbooks defuse it, numbers and dates stay
native so they sort and sum in Excel, and times are written in local time (Excel has no time
zones). The admin's format (``NativeXLSX``) therefore skips the library's own formula escaping,
which would turn every number into text."""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import resources, widgets
from import_export.fields import Field
from import_export.formats.base_formats import XLSX
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from campaign.kernel.auth import display_name
from campaign.pipeline.rates import interval_percent
from communities.sheets import defuse
from scoring.engine.models import ScoreSnapshot, ScoringRules
from scoring.exports.models import ExportJob


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: defused text, local naive time, native numbers."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        return defuse(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


class NativeXLSX(XLSX):
    """XLSX written as the resource gives it: the cells are already defused and typed."""

    def export_data(self, dataset: Any, **kwargs: Any) -> Any:
        return dataset.export(self.get_title(), **kwargs)


class NativeWidget(widgets.Widget):
    """The value as the model holds it; ``cell`` makes it spreadsheet-ready."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return value


def column(name: Any, attribute: str | None = None) -> Field:
    return Field(attribute=attribute, column_name=name, widget=NativeWidget())


class DefusedResource(resources.ModelResource):
    def export_field(self, field: Field, instance: Any, **kwargs: Any) -> Any:
        return cell(super().export_field(field, instance, **kwargs))


class ScoreSnapshotResource(DefusedResource):
    campaign = column(_("创建活动"), "campaign__name")
    stage = column(_("阶段"))
    district = column(_("区市"), "district__name")
    code = column(_("社区代码"), "submission__community__code")
    community = column(_("社区名称"), "submission__community__name")
    total = column(_("总分"), "total")
    items_scored = column(_("已计分小项数"), "items_scored")
    satisfaction_points = column(_("群众满意得分"), "satisfaction_points")
    satisfied = column(_("满意份数"), "satisfied")
    valid = column(_("有效问卷"), "valid")
    sample_size = column(_("规定样本量"), "sample_size")
    rate = column(_("满意率（%）"))
    interval = column(_("95%区间（%）"))
    short_sample = column(_("样本不足"))
    veto_count = column(_("否决单位数"), "veto_count")
    city_rank = column(_("全市排名"), "city_rank")
    district_rank = column(_("区市内排名"), "district_rank")
    outcome = column(_("入围结果"))
    rules = column(_("规则版本"), "rules__version")
    computed_at = column(_("计算时间"), "computed_at")

    class Meta:
        model = ScoreSnapshot
        fields = [
            "campaign",
            "stage",
            "district",
            "code",
            "community",
            "total",
            "items_scored",
            "satisfaction_points",
            "satisfied",
            "valid",
            "sample_size",
            "rate",
            "interval",
            "short_sample",
            "veto_count",
            "city_rank",
            "district_rank",
            "outcome",
            "rules",
            "computed_at",
        ]
        export_order = fields

    def dehydrate_stage(self, snapshot: ScoreSnapshot) -> str:
        return str(snapshot.get_stage_display())

    def dehydrate_outcome(self, snapshot: ScoreSnapshot) -> str:
        return str(snapshot.get_outcome_display())

    def dehydrate_rate(self, snapshot: ScoreSnapshot) -> float | None:
        percent = snapshot.satisfaction_percent
        return None if percent is None else float(percent)

    def dehydrate_interval(self, snapshot: ScoreSnapshot) -> str:
        # The rate is never read without its sample: 2 of 30 is not 100 %.
        bounds = interval_percent(snapshot.satisfied or 0, snapshot.valid or 0)
        return "" if bounds is None else f"{bounds[0]}–{bounds[1]}"

    def dehydrate_short_sample(self, snapshot: ScoreSnapshot) -> str:
        return str(_("是")) if snapshot.short_sample else ""


class ScoringRulesResource(DefusedResource):
    campaign = column(_("创建活动"), "campaign__name")
    version = column(_("版本"), "version")
    satisfaction_item = column(_("满意度计分小项"), "satisfaction_item__code")
    min_total = column(_("最低总分"), "min_total")
    min_satisfaction = column(_("最低满意率（%）"))
    district_quota = column(_("每区市入围名额"), "district_quota")
    city_cap = column(_("全市入围总数"), "city_cap")
    exclude_short_sample = column(_("样本不足不入围"))
    note = column(_("说明"), "note")
    created_at = column(_("设定时间"), "created_at")
    created_by = column(_("设定人"))

    class Meta:
        model = ScoringRules
        fields = [
            "campaign",
            "version",
            "satisfaction_item",
            "min_total",
            "min_satisfaction",
            "district_quota",
            "city_cap",
            "exclude_short_sample",
            "note",
            "created_at",
            "created_by",
        ]
        export_order = fields

    def dehydrate_min_satisfaction(self, rules: ScoringRules) -> float | None:
        percent = rules.min_satisfaction_percent
        return None if percent is None else float(percent)

    def dehydrate_exclude_short_sample(self, rules: ScoringRules) -> str:
        return str(_("是") if rules.exclude_short_sample else _("否"))

    def dehydrate_created_by(self, rules: ScoringRules) -> str:
        return display_name(rules.created_by) if rules.created_by else ""


class ExportJobResource(DefusedResource):
    campaign = column(_("创建活动"), "campaign__name")
    kind = column(_("导出内容"))
    requested_by = column(_("申请人"))
    requested_at = column(_("申请时间"), "requested_at")
    state = column(_("状态"))
    progress = column(_("进度（%）"), "progress")
    attempts = column(_("尝试次数"), "attempts")
    finished_at = column(_("完成时间"), "finished_at")
    file_name = column(_("文件名"), "file_name")
    size = column(_("大小（字节）"), "size")
    expires_at = column(_("下载截止时间"), "expires_at")
    error = column(_("失败原因"), "error")

    class Meta:
        model = ExportJob
        fields = [
            "campaign",
            "kind",
            "requested_by",
            "requested_at",
            "state",
            "progress",
            "attempts",
            "finished_at",
            "file_name",
            "size",
            "expires_at",
            "error",
        ]
        export_order = fields

    def dehydrate_kind(self, job: ExportJob) -> str:
        return str(job.get_kind_display())

    def dehydrate_state(self, job: ExportJob) -> str:
        return str(job.get_state_display())

    def dehydrate_requested_by(self, job: ExportJob) -> str:
        return display_name(job.requested_by) if job.requested_by else ""
