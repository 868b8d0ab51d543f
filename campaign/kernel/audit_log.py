"""The append-only audit log: every action function records who did what, in its transaction."""

from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from campaign.kernel.models import AuditEvent
from campaign.kernel.roles import scope_of
from campaign.kernel.users import Actor

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
    "campaign.set_phase_dates": _("调整阶段起止日期"),
    "assessment.save": _("保存小项自评"),
    "assessment.import": _("导入自评表"),
    "assessment.submit": _("提交自评"),
    "assessment.return": _("退回自评"),
    "assessment.recommend": _("列入区市推荐"),
    "assessment.withdraw": _("撤销区市推荐"),
    "assessment.forward": _("报送市办"),
    "district.forward": _("区市推荐报送市办"),
    "assessment.audit_item": _("市办审核打分"),
    "assessment.pass_audit": _("市办审核通过"),
    "assessment.request_revision": _("市办退回区市修改"),
    "assessment.reject": _("市办审核不通过"),
    "assessment.issue_codes": _("生成或作废调查码"),
    "assessment.record_survey": _("导入调查问卷"),
    "assessment.review_survey": _("核定问卷质量"),
    "survey.configure": _("修改满意度调查设置"),
    "assessment.finish_survey": _("满意度调查结束，转入联审"),
    "assessment.opine": _("成员单位联审意见"),
    "assessment.veto": _("成员单位一票否决"),
    "assessment.lift_veto": _("成员单位撤回否决"),
    "assessment.close_review": _("联审结束，提交领导小组研究"),
    "assessment.approve": _("领导小组研究通过"),
    "assessment.decline": _("领导小组研究不通过"),
    "assessment.publish": _("列入公示"),
    "assessment.remove": _("异议成立，取消资格"),
    "assessment.name": _("命名为示范社区"),
    "assessment.recommend_upward": _("择优向上推荐"),
    "review.remind": _("联审催办提醒"),
    "decision.meeting": _("录入领导小组会议"),
    "notice.publish": _("发布公示"),
    "objection.lodge": _("收到公示异议"),
    "objection.accept": _("受理异议"),
    "objection.investigate": _("异议调查"),
    "objection.uphold": _("异议成立"),
    "objection.dismiss": _("异议不成立"),
    "evidence.upload": _("上传佐证材料"),
    "evidence.link": _("关联已有佐证材料"),
    "evidence.unlink": _("移除佐证材料"),
    "system.worker_probe": _("检测后台任务"),
    "scoring.rules": _("设定入围规则"),
    "scoring.recompute": _("重新计算得分"),
    "export.request": _("申请导出"),
    "export.download": _("下载导出文件"),
    "export.command": _("命令行导出"),
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
    actor: Actor | None = None,
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
