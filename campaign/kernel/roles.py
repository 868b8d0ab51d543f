"""Who may do what, and over which districts.

One table (ROLE_CAPABILITIES) says what each role may do; a Scope says over which district or
member unit. Views ask the Scope; object getters use it to filter, so an object outside the
scope is simply not found (404).
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from campaign.kernel.users import AnyUser

_M = TypeVar("_M", bound=models.Model)


class Role(models.TextChoices):
    DISTRICT_STAFF = "district_staff", _("区市工作人员")
    DISTRICT_ADMIN = "district_admin", _("区市管理员")
    OFFICE_AUDITOR = "office_auditor", _("领导小组办公室")
    UNIT_REVIEWER = "unit_reviewer", _("成员单位审核人")
    LEADING_GROUP = "leading_group", _("领导小组成员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


DISTRICT_ROLES = frozenset({Role.DISTRICT_STAFF, Role.DISTRICT_ADMIN})


class Capability(StrEnum):
    VIEW_REGISTER = "view_register"
    EDIT_COMMUNITY = "edit_community"
    IMPORT_COMMUNITIES = "import_communities"
    EXPORT_COMMUNITIES = "export_communities"
    VIEW_STANDARD = "view_standard"
    MANAGE_STANDARD = "manage_standard"
    VIEW_AUDIT_LOG = "view_audit_log"
    SYSTEM_STATUS = "system_status"
    VIEW_SUBMISSIONS = "view_submissions"
    ASSESS = "assess"
    REVIEW_DISTRICT = "review_district"
    MANAGE_SCHEDULE = "manage_schedule"
    AUDIT = "audit"
    JOINT_REVIEW = "joint_review"
    DECIDE = "decide"
    PUBLISH = "publish"
    VIEW_SCORES = "view_scores"
    EXPORT_SCORES = "export_scores"
    SET_SHORTLIST_RULES = "set_shortlist_rules"


CAPABILITY_LABELS = {
    Capability.VIEW_REGISTER: _("浏览社区名录和硬指标核验结果"),
    Capability.EDIT_COMMUNITY: _("修改社区基础数据"),
    Capability.IMPORT_COMMUNITIES: _("用 Excel 导入社区名录"),
    Capability.EXPORT_COMMUNITIES: _("导出社区名录"),
    Capability.VIEW_STANDARD: _("查看创建标准"),
    Capability.MANAGE_STANDARD: _("导入、修订创建标准"),
    Capability.VIEW_AUDIT_LOG: _("查看操作日志"),
    Capability.SYSTEM_STATUS: _("查看系统运行状态"),
    Capability.VIEW_SUBMISSIONS: _("查看社区自评申报"),
    Capability.ASSESS: _("填报社区自评、上传佐证材料"),
    Capability.REVIEW_DISTRICT: _("审核本区市自评，退回或在名额内推荐"),
    Capability.MANAGE_SCHEDULE: _("调整活动各阶段截止日期"),
    Capability.AUDIT: _("审核区市推荐的社区，录入满意度调查结果"),
    Capability.JOINT_REVIEW: _("联审本单位负责的小项，必要时一票否决"),
    Capability.DECIDE: _("研究确定示范社区"),
    Capability.PUBLISH: _("发布公示、办理异议、命名和择优上报"),
    Capability.VIEW_SCORES: _("查看得分、排名、入围名单和统计图表"),
    Capability.EXPORT_SCORES: _("导出入围名单、得分明细、调查统计和操作日志"),
    Capability.SET_SHORTLIST_RULES: _("设定入围规则"),
}

_C = Capability
# Separation of duties (三员分立): the system administrator runs the system but does not take
# part in the assessment itself.
WORKFLOW_CAPABILITIES = frozenset(
    {
        _C.ASSESS,
        _C.REVIEW_DISTRICT,
        _C.AUDIT,
        _C.JOINT_REVIEW,
        _C.DECIDE,
        _C.PUBLISH,
        _C.SET_SHORTLIST_RULES,
    }
)
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.DISTRICT_STAFF: frozenset(
        {
            _C.VIEW_REGISTER,
            _C.EDIT_COMMUNITY,
            _C.EXPORT_COMMUNITIES,
            _C.VIEW_STANDARD,
            _C.VIEW_SUBMISSIONS,
            _C.ASSESS,
        }
    ),
    Role.DISTRICT_ADMIN: frozenset(
        {
            _C.VIEW_REGISTER,
            _C.EDIT_COMMUNITY,
            _C.IMPORT_COMMUNITIES,
            _C.EXPORT_COMMUNITIES,
            _C.VIEW_STANDARD,
            _C.VIEW_AUDIT_LOG,
            _C.VIEW_SUBMISSIONS,
            _C.ASSESS,
            _C.REVIEW_DISTRICT,
        }
    ),
    Role.OFFICE_AUDITOR: frozenset(
        {
            _C.VIEW_REGISTER,
            _C.EXPORT_COMMUNITIES,
            _C.VIEW_STANDARD,
            _C.VIEW_AUDIT_LOG,
            _C.VIEW_SUBMISSIONS,
            _C.MANAGE_SCHEDULE,
            _C.AUDIT,
            _C.PUBLISH,
            _C.VIEW_SCORES,
            _C.EXPORT_SCORES,
            _C.SET_SHORTLIST_RULES,
        }
    ),
    Role.UNIT_REVIEWER: frozenset(
        {_C.VIEW_REGISTER, _C.VIEW_STANDARD, _C.VIEW_SUBMISSIONS, _C.JOINT_REVIEW}
    ),
    Role.LEADING_GROUP: frozenset(
        {
            _C.VIEW_REGISTER,
            _C.VIEW_STANDARD,
            _C.VIEW_SUBMISSIONS,
            _C.DECIDE,
            _C.VIEW_SCORES,
            _C.EXPORT_SCORES,
        }
    ),
    Role.SYSTEM_ADMIN: frozenset(Capability) - WORKFLOW_CAPABILITIES,
}


@dataclass(frozen=True)
class Scope:
    role: Role | None
    district_id: int | None = None
    member_unit_id: int | None = None

    @property
    def is_district_bound(self) -> bool:
        return self.role in DISTRICT_ROLES

    def can(self, capability: Capability) -> bool:
        return self.role is not None and capability in ROLE_CAPABILITIES[self.role]

    def require(self, capability: Capability) -> None:
        self.require_any(capability)

    def require_any(self, *capabilities: Capability) -> None:
        if not any(self.can(capability) for capability in capabilities):
            raise PermissionDenied(_("您的角色无权进行此操作。"))

    def capability_labels(self) -> list[str]:
        if self.role is None:
            return []
        return [
            str(label)
            for cap, label in CAPABILITY_LABELS.items()
            if cap in ROLE_CAPABILITIES[self.role]
        ]

    def restrict(self, queryset: QuerySet[_M], district_field: str = "district_id") -> QuerySet[_M]:
        """Only the rows of the user's district, for district-bound roles; all rows otherwise."""
        if self.is_district_bound:
            return queryset.filter(**{district_field: self.district_id})
        return queryset

    def covers_district(self, district_id: int | None) -> bool:
        if self.role is None:
            return False
        return not self.is_district_bound or district_id == self.district_id


NO_SCOPE = Scope(role=None)


def scope_of(user: AnyUser) -> Scope:
    """The user's scope, read once per request from the profile loaded with the user."""
    cached = getattr(user, "_campaign_scope", None)
    if cached is not None:
        return cached
    scope = _resolve_scope(user)
    if user.is_authenticated:
        user._campaign_scope = scope  # type: ignore[attr-defined]
    return scope


def _resolve_scope(user: AnyUser) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    profile = getattr(user, "profile", None)
    if profile is None:
        return Scope(role=Role.SYSTEM_ADMIN) if user.is_superuser else NO_SCOPE
    return Scope(
        role=Role(profile.role),
        district_id=profile.district_id,
        member_unit_id=profile.member_unit_id,
    )
