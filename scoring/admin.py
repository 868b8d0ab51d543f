"""Scores, rules versions and export jobs in the admin: read-only lists to filter, with an
export action (and button) that downloads the filtered or selected rows as a workbook with
Chinese headers. The rows are written by the scoring engine, the office's rules page and the
export jobs; nothing is edited here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from import_export.admin import ExportActionMixin

from scoring.engine.models import ScoreSnapshot, ScoringRules
from scoring.exports.models import ExportJob
from scoring.resources import (
    ExportJobResource,
    NativeXLSX,
    ScoreSnapshotResource,
    ScoringRulesResource,
)


class ReadOnlyExportAdmin(ExportActionMixin, admin.ModelAdmin):
    export_formats = [NativeXLSX]
    # One format and fixed columns: the action and the button download at once.
    skip_export_form = True
    skip_export_form_from_action = True
    show_change_form_export = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScoringRules)
class ScoringRulesAdmin(ReadOnlyExportAdmin):
    resource_classes = [ScoringRulesResource]
    list_display = [
        "campaign",
        "version",
        "min_total",
        "min_satisfaction",
        "district_quota",
        "city_cap",
        "exclude_short_sample",
        "created_at",
        "created_by",
    ]
    list_filter = ["campaign"]
    list_select_related = ["campaign", "created_by", "satisfaction_item"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyExportAdmin):
    resource_classes = [ScoreSnapshotResource]
    list_display = [
        "submission",
        "district",
        "stage",
        "total",
        "satisfied",
        "valid",
        "sample_size",
        "short_sample",
        "veto_count",
        "city_rank",
        "district_rank",
        "outcome",
        "computed_at",
    ]
    list_filter = ["campaign", "stage", "outcome", "district"]
    search_fields = ["submission__community__code", "submission__community__name"]
    list_select_related = ["campaign", "district", "rules", "submission__community"]
    ordering = ["campaign", "stage", "city_rank"]


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyExportAdmin):
    resource_classes = [ExportJobResource]
    list_display = ["pk", "campaign", "kind", "state", "progress", "requested_by", "requested_at"]
    list_filter = ["kind", "state", "campaign"]
    list_select_related = ["campaign", "requested_by"]
    exclude = ["stored_name"]
