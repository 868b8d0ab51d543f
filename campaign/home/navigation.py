"""The menu every signed-in page shows: one link per capability the user's role has."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign.kernel.auth import display_name
from campaign.kernel.roles import Capability, scope_of
from campaign.pipeline.models import Campaign


def _current_year() -> int | None:
    return Campaign.objects.order_by("-year").values_list("year", flat=True).first()


# (url name, label, capability needed, whether the url takes the current campaign's year)
NAVIGATION = [
    ("home", _("首页"), None, False),
    ("assessment_list", _("社区自评"), Capability.VIEW_SUBMISSIONS, True),
    ("district_review", _("区市推荐"), Capability.REVIEW_DISTRICT, True),
    ("review_list", _("市办审核"), Capability.AUDIT, True),
    ("survey_list", _("满意度调查"), Capability.AUDIT, True),
    ("joint_review_list", _("成员单位联审"), Capability.JOINT_REVIEW, True),
    ("joint_review_matrix", _("联审进度"), Capability.AUDIT, True),
    ("decision_table", _("领导小组研究"), Capability.DECIDE, True),
    ("publication", _("公示与命名"), Capability.PUBLISH, True),
    ("shortlist", _("入围名单"), Capability.VIEW_SCORES, True),
    ("score_dashboard", _("统计图表"), Capability.VIEW_SCORES, True),
    ("export_list", _("导出"), Capability.EXPORT_SCORES, True),
    ("community_list", _("社区名录"), Capability.VIEW_REGISTER, False),
    ("standard_list", _("创建标准"), Capability.VIEW_STANDARD, False),
    ("campaign_schedule", _("活动安排"), Capability.VIEW_STANDARD, True),
    ("register_import", _("导入名录"), Capability.IMPORT_COMMUNITIES, False),
    ("audit_log", _("操作日志"), Capability.VIEW_AUDIT_LOG, False),
    ("system_status", _("系统状态"), Capability.SYSTEM_STATUS, False),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    current = request.resolver_match.url_name if request.resolver_match else ""
    year = _current_year()
    links = [
        (reverse(name, args=[year] if needs_year else []), label, name == current)
        for name, label, capability, needs_year in NAVIGATION
        if (capability is None or scope.can(capability)) and (year or not needs_year)
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
