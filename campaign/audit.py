"""The append-only audit log: every action function records who did what, in its transaction."""

from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent
from .roles import scope_of

ACTION_LABELS = {
    "auth.login": _("登录"),
    "auth.login_failed": _("登录失败"),
    "auth.locked": _("登录锁定"),
    "auth.logout": _("退出登录"),
    "community.import": _("导入社区名录"),
    "community.update": _("修改社区基础数据"),
    "standard.import": _("导入创建标准"),
    "standard.new_version": _("标准另存为新版本"),
    "standard.freeze": _("冻结创建标准"),
    "campaign.create": _("新建创建活动"),
    "campaign.extend_phase": _("延长阶段截止日期"),
    "assessment.save": _("保存小项自评"),
    "assessment.import": _("导入自评表"),
    "assessment.submit": _("提交自评"),
    "assessment.return": _("退回自评"),
    "assessment.recommend": _("列入区市推荐"),
    "assessment.withdraw": _("撤销区市推荐"),
    "assessment.forward": _("报送市办"),
    "district.forward": _("区市推荐报送市办"),
    "evidence.upload": _("上传佐证材料"),
    "evidence.link": _("关联已有佐证材料"),
    "evidence.unlink": _("移除佐证材料"),
    "system.worker_probe": _("检测后台任务"),
}

COMMAND_LINE = _("系统（命令行）")


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


def record(
    action: str,
    *,
    actor: Any = None,
    actor_name: str = "",
    target: models.Model | None = None,
    district_id: int | None = None,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    details: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    assert action in ACTION_LABELS, f"unknown audit action {action}"
    user = actor if actor is not None and actor.is_authenticated else None
    scope = scope_of(user) if user is not None else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=actor_name or (user.get_username() if user is not None else str(COMMAND_LINE)),
        role=scope.role.value if scope is not None and scope.role is not None else "",
        action=action,
        object_type=(target._meta.model_name or "") if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        district_id=district_id,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        details=details or {},
        ip=ip,
    )
