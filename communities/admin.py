import tablib
from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import XLSX

from communities.models import Community, District, Street
from communities.resources import REQUIRED_COLUMNS, CommunityResource
from communities.sheets import open_workbook, read_table


class RegisterXLSX(XLSX):
    """The admin's import reads office files the same way as the web import."""

    def create_dataset(self, in_stream: bytes) -> tablib.Dataset:
        table = read_table(
            open_workbook(in_stream).worksheets[0],
            CommunityResource.column_names(),
            REQUIRED_COLUMNS,
        )
        dataset = tablib.Dataset(headers=table.columns)
        for row in table.rows:
            dataset.append([row.values[column] for column in table.columns])
        return dataset


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "display_order", "code_is_official"]
    list_editable = ["display_order"]


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district"]
    list_filter = ["district"]
    search_fields = ["code", "name"]
    list_select_related = ["district"]


@admin.register(Community)
class CommunityAdmin(ImportExportModelAdmin):
    resource_classes = [CommunityResource]
    import_formats = [RegisterXLSX]
    export_formats = [XLSX]
    list_display = ["code", "name", "district", "street", "kind", "households", "full_time_workers"]
    list_filter = ["district", "kind", "construction"]
    search_fields = ["code", "name"]
    list_select_related = ["district", "street"]
    autocomplete_fields = ["street"]
