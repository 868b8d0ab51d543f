"""What happens after a district sends its list: the office audit, the survey result, the member
units' joint review, the leading group's decision, the public notice and its objections."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ItemAudit(models.Model):
    """The office's audit of one item in one audit round."""

    submission = models.ForeignKey(
        "campaign.Submission",
        on_delete=models.CASCADE,
        related_name="item_audits",
        verbose_name=_("申报"),
    )
    item = models.ForeignKey(
        "standards.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("小项")
    )
    round = models.PositiveSmallIntegerField(_("审核轮次"))
    audited_score = models.DecimalField(
        _("审核得分"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    # Required when the audited score differs from the self-score.
    reason = models.TextField(_("调整理由"), blank=True)
    comment = models.TextField(_("审核意见"), blank=True)
    # What the district must change, when the office returns the submission for revision.
    revision_request = models.TextField(_("修改要求"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["round", "item__display_order"]
        verbose_name = _("小项审核")
        verbose_name_plural = _("小项审核")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "item", "round"], name="one_audit_per_item_and_round"
            ),
            models.CheckConstraint(
                condition=Q(audited_score__gte=0) | Q(audited_score__isnull=True),
                name="audited_score_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.item.code} #{self.round}"


class SurveyTally(models.Model):
    """A community's survey result, frozen when the office ends its survey: what the ranking
    and the scores read from then on, whatever happens to the configuration later."""

    submission = models.OneToOneField(
        "campaign.Submission",
        on_delete=models.CASCADE,
        related_name="survey_tally",
        verbose_name=_("申报"),
    )
    # Questionnaires whose overall answer counts as satisfied (default 满意 + 基本满意).
    satisfied = models.PositiveIntegerField(_("满意份数"))
    valid = models.PositiveIntegerField(_("有效问卷"))
    discarded = models.PositiveIntegerField(_("无效问卷"), default=0)
    points = models.DecimalField(_("群众满意得分"), max_digits=4, decimal_places=1, default=0)
    source = models.CharField(_("数据来源"), max_length=200)
    recorded_at = models.DateTimeField(_("录入时间"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("满意度调查结果")
        verbose_name_plural = _("满意度调查结果")
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfied__lte=models.F("valid")),
                name="survey_satisfied_within_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.satisfied}/{self.valid}"


class UnitOpinion(models.Model):
    """A member unit's opinion on one item of one candidate."""

    submission = models.ForeignKey(
        "campaign.Submission",
        on_delete=models.CASCADE,
        related_name="unit_opinions",
        verbose_name=_("申报"),
    )
    item = models.ForeignKey(
        "standards.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("小项")
    )
    unit = models.ForeignKey(
        "standards.MemberUnit",
        on_delete=models.PROTECT,
        related_name="opinions",
        verbose_name=_("成员单位"),
    )
    agrees = models.BooleanField(_("同意审核结果"))
    reason = models.TextField(_("意见理由"), blank=True)
    adjustment = models.DecimalField(_("分数调整"), max_digits=4, decimal_places=1, default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["item__display_order", "unit__display_order"]
        verbose_name = _("联审意见")
        verbose_name_plural = _("联审意见")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "item", "unit"], name="one_opinion_per_unit_and_item"
            ),
            models.CheckConstraint(
                condition=(Q(agrees=True) & Q(adjustment=0)) | ~Q(reason=""),
                name="disagreement_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.item.code} {self.unit}"


class UnitVeto(models.Model):
    """一票否决: a member unit rules a candidate out, with its reason."""

    submission = models.ForeignKey(
        "campaign.Submission", on_delete=models.CASCADE, related_name="vetoes"
    )
    unit = models.ForeignKey(
        "standards.MemberUnit",
        on_delete=models.PROTECT,
        related_name="vetoes",
        verbose_name=_("成员单位"),
    )
    reason = models.TextField(_("否决理由"))
    vetoed_at = models.DateTimeField(_("否决时间"), auto_now_add=True)
    vetoed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("一票否决")
        verbose_name_plural = _("一票否决")
        constraints = [
            models.UniqueConstraint(fields=["submission", "unit"], name="one_veto_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.unit}"


class Reminder(models.Model):
    """An in-app reminder from the office to a member unit about its joint-review work."""

    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "standards.MemberUnit", on_delete=models.PROTECT, related_name="reminders"
    )
    message = models.TextField(_("提醒内容"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("催办提醒")
        verbose_name_plural = _("催办提醒")

    def __str__(self) -> str:
        return f"{self.unit} {self.sent_at:%Y-%m-%d}"


class PrivateAttachment(models.Model):
    """A file checked like evidence and stored in the private directory, served by a view."""

    original_name = models.CharField(_("文件名"), max_length=255, blank=True)
    kind = models.CharField(_("文件类型"), max_length=10, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    stored_name = models.CharField(_("存储位置"), max_length=255, blank=True)

    class Meta:
        abstract = True


class DecisionMeeting(PrivateAttachment):
    """A leading-group meeting that decided on candidates; the minutes are its attachment."""

    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField(_("会议日期"))
    title = models.CharField(_("会议名称"), max_length=100)
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("领导小组会议")
        verbose_name_plural = _("领导小组会议")

    def __str__(self) -> str:
        return f"{self.title}（{self.held_on:%Y-%m-%d}）"


class PublicNotice(models.Model):
    """A published list of approved communities, open for objections during its period."""

    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.PROTECT, related_name="notices"
    )
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示截止"))
    # How to object besides the form: the office's address and telephone.
    contact = models.TextField(_("异议受理方式"))
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="notice_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.starts_on:%Y-%m-%d}～{self.ends_on:%Y-%m-%d}"


class ObjectionStatus(models.TextChoices):
    RECEIVED = "received", _("待受理")
    ACCEPTED = "accepted", _("已受理，调查中")
    INVESTIGATED = "investigated", _("已调查，待结论")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


OPEN_OBJECTION_STATES = frozenset(
    {ObjectionStatus.RECEIVED, ObjectionStatus.ACCEPTED, ObjectionStatus.INVESTIGATED}
)


class Objection(PrivateAttachment):
    """A real-name objection lodged during a public notice. The objector's name and contact are
    seen by the office only and never published."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    submission = models.ForeignKey(
        "campaign.Submission",
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("被异议社区"),
    )
    reference = models.CharField(_("受理编号"), max_length=20, unique=True)
    objector = models.CharField(_("异议人（姓名或单位）"), max_length=100)
    contact = models.CharField(_("联系方式"), max_length=100)
    content = models.TextField(_("异议内容"))
    lodged_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    status = models.CharField(
        _("办理状态"),
        max_length=20,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.RECEIVED,
        db_index=True,
    )
    findings = models.TextField(_("调查情况"), blank=True)
    reply = models.TextField(_("答复意见"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        ordering = ["lodged_at", "pk"]
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_OBJECTION_STATES
