from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .auth import display_name
from .roles import Capability, scope_of

NAVIGATION = [
    ("home", _("首页"), None),
    ("community_list", _("社区名录"), Capability.VIEW_REGISTER),
    ("standard_list", _("创建标准"), Capability.VIEW_STANDARD),
    ("register_import", _("导入名录"), Capability.IMPORT_COMMUNITIES),
    ("audit_log", _("操作日志"), Capability.VIEW_AUDIT_LOG),
    ("system_status", _("系统状态"), Capability.SYSTEM_STATUS),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    current = request.resolver_match.url_name if request.resolver_match else ""
    links = [
        (name, label, name == current)
        for name, label, capability in NAVIGATION
        if capability is None or scope.can(capability)
    ]
    profile = getattr(user, "profile", None)
    place = ""
    if profile is not None:
        place = str(profile.district or profile.member_unit or "")
    return {
        "nav_links": links,
        "user_scope": scope,
        "user_place": place,
        "user_display_name": display_name(user),
    }
