from typing import Any

from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from campaign.kernel.audit_log import client_ip
from campaign.kernel.models import AuditEvent, Profile
from campaign.pipeline.actions import do_create_campaign
from campaign.pipeline.models import Campaign, CampaignPhase, DistrictQuota

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["role", "district", "member_unit"]


admin.site.unregister(User)


@admin.register(User)
class CampaignUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "last_name", "first_name", "role", "is_active", "last_login"]
    list_select_related = ["profile"]

    @admin.display(description=_("角色"))
    def role(self, user: Any) -> str:
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else ""


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The log is append-only; the admin can read and filter it, nothing else."""

    list_display = ["at", "actor_name", "role", "action", "object_repr", "ip"]
    list_filter = ["action", "role", "district"]
    search_fields = ["actor_name", "object_repr", "comment"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PhaseInline(admin.TabularInline):
    model = CampaignPhase
    extra = 0


class QuotaInline(admin.TabularInline):
    model = DistrictQuota
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["year", "name", "standard", "created_at"]

    def get_inlines(
        self, request: HttpRequest, obj: Any
    ) -> "list[type[InlineModelAdmin[Any, Any]]]":
        # A new campaign gets its timetable and quotas from do_create_campaign; edit them after.
        return [PhaseInline, QuotaInline] if obj is not None else []

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["standard", "year"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        actor = request.user if request.user.is_authenticated else None
        created = do_create_campaign(
            obj.year, obj.name, obj.standard_id, actor=actor, ip=client_ip(request)
        )
        obj.pk = created.pk
