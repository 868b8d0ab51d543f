from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from standards.models import Category, Item, MemberUnit, Standard


@admin.register(MemberUnit)
class MemberUnitAdmin(admin.ModelAdmin):
    list_display = ["display_order", "name", "code", "is_active"]
    list_display_links = ["name"]
    ordering = ["display_order"]


class FrozenIsReadOnly:
    """A frozen standard (used by a campaign) may be viewed in the admin, never changed."""

    def _frozen(self, obj: Any) -> bool:
        standard = obj if isinstance(obj, Standard) else getattr(obj, "standard", None)
        return standard is not None and standard.is_frozen

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._frozen(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._frozen(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class CategoryInline(FrozenIsReadOnly, admin.TabularInline):
    model = Category
    extra = 0
    fields = ["display_order", "code", "name", "points", "description"]


@admin.register(Standard)
class StandardAdmin(FrozenIsReadOnly, admin.ModelAdmin):
    list_display = ["name", "year", "version", "status", "total_points", "frozen_at"]
    list_filter = ["status", "year"]
    readonly_fields = ["status", "frozen_at", "created_at"]
    inlines = [CategoryInline]


@admin.register(Item)
class ItemAdmin(FrozenIsReadOnly, admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "category",
        "max_points",
        "check_method",
        "hard_indicator",
        "standard",
    ]
    list_filter = ["standard", "check_method", "units"]
    search_fields = ["code", "title", "requirement"]
    list_select_related = ["category", "standard"]
    filter_horizontal = ["units"]
