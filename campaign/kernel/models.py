"""Users' roles and what they are bound to (a district or a member unit), and the append-only
audit log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.kernel.roles import DISTRICT_ROLES, Role

# Sorted: a set's order changes between processes, and the migration must not.
DISTRICT_ROLE_VALUES = sorted(role.value for role in DISTRICT_ROLES)


class Profile(models.Model):
    """A user's role and, for district and member-unit roles, what the role is bound to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    district = models.ForeignKey(
        "communities.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("所属区市"),
    )
    member_unit = models.ForeignKey(
        "standards.MemberUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("所属成员单位"),
    )

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=DISTRICT_ROLE_VALUES, district__isnull=False)
                    | (~Q(role__in=DISTRICT_ROLE_VALUES) & Q(district__isnull=True))
                ),
                name="profile_district_iff_district_role",
                violation_error_message=_("区市角色必须指定所属区市，其他角色不得指定。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(role=Role.UNIT_REVIEWER, member_unit__isnull=False)
                    | (~Q(role=Role.UNIT_REVIEWER) & Q(member_unit__isnull=True))
                ),
                name="profile_unit_iff_unit_reviewer",
                violation_error_message=_("成员单位审核人必须指定成员单位，其他角色不得指定。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.get_role_display()}）"


class AuditEvent(models.Model):
    """Who did what, when, from where. Append-only: on PostgreSQL a trigger refuses UPDATE and
    DELETE, so not even the application can rewrite history."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # PROTECT: users are deactivated, never deleted, so the log keeps pointing at them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=20, blank=True)
    action = models.CharField(_("操作"), max_length=50, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    object_id = models.CharField(_("对象标识"), max_length=50, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    district = models.ForeignKey(
        "communities.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区市"),
    )
    from_state = models.CharField(_("原状态"), max_length=30, blank=True)
    to_state = models.CharField(_("新状态"), max_length=30, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        indexes = [models.Index(fields=["district", "-at"], name="audit_district_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"
