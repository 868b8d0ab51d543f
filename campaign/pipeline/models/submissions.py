"""A community's submission to a campaign and its states, its self-scores and evidence files, and
the private attachment every stage's uploaded file is."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("填报中")
    RETURNED = "returned", _("已退回修改")
    SUBMITTED = "submitted", _("已提交，待区市审核")
    RECOMMENDED = "recommended", _("区市拟推荐")
    FORWARDED = "forwarded", _("已报送，待市办审核")
    REVISING = "revising", _("市办退回修改")
    REJECTED = "rejected", _("审核未通过")
    SURVEYING = "surveying", _("满意度调查中")
    JOINT_REVIEW = "joint_review", _("成员单位联审中")
    AWAITING_DECISION = "awaiting_decision", _("待领导小组研究")
    APPROVED = "approved", _("领导小组同意，待公示")
    NOT_APPROVED = "not_approved", _("领导小组未通过")
    IN_NOTICE = "in_notice", _("公示中")
    REMOVED = "removed", _("公示异议成立，已取消")
    NAMED = "named", _("已命名")
    RECOMMENDED_UPWARD = "recommended_upward", _("已命名并择优上报")


# Only these states accept changes to scores, explanations and evidence.
EDITABLE_STATES = frozenset({Status.DRAFT, Status.RETURNED, Status.REVISING})
# Still in the district's hands: the city has not received these.
DISTRICT_STATES = frozenset({Status.DRAFT, Status.RETURNED, Status.SUBMITTED, Status.RECOMMENDED})
# From the joint review on (the survey is behind them), and from the decision on.
FROM_JOINT_REVIEW = (
    Status.JOINT_REVIEW,
    Status.AWAITING_DECISION,
    Status.APPROVED,
    Status.NOT_APPROVED,
    Status.IN_NOTICE,
    Status.REMOVED,
    Status.NAMED,
    Status.RECOMMENDED_UPWARD,
)
FROM_DECISION = FROM_JOINT_REVIEW[1:]
# The end of the road, one way or another.
NAMED_STATES = frozenset({Status.NAMED, Status.RECOMMENDED_UPWARD})


class UpwardLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    NATION = "nation", _("全国")


class Submission(models.Model):
    """A community's self-assessment in a campaign, and where it stands in the pipeline."""

    campaign = models.ForeignKey(
        "campaign.Campaign",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("创建活动"),
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("社区"),
    )
    # Copied from the community so scoping and the per-district rank need no join.
    district = models.ForeignKey(
        "communities.District",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("区市"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    return_comment = models.TextField(_("退回意见"), blank=True)
    rank = models.PositiveSmallIntegerField(_("推荐排序"), null=True, blank=True)
    recommendation_reason = models.TextField(_("推荐理由"), blank=True)
    # The office audit: each return for revision and resubmission starts a new round, so the
    # earlier rounds' audited scores and reasons stay as they were.
    audit_round = models.PositiveSmallIntegerField(_("审核轮次"), default=1)
    audit_comment = models.TextField(_("市办审核意见"), blank=True)
    decision_meeting = models.ForeignKey(
        "campaign.DecisionMeeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("研究会议"),
    )
    decision_comment = models.TextField(_("研究意见"), blank=True)
    notice = models.ForeignKey(
        "campaign.PublicNotice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("公示"),
    )
    named_on = models.DateField(_("命名日期"), null=True, blank=True)
    upward_level = models.CharField(
        _("择优上报层级"), max_length=10, choices=UpwardLevel.choices, blank=True
    )
    upward_reason = models.TextField(_("择优上报理由"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["community__code"]
        verbose_name = _("自评申报")
        verbose_name_plural = _("自评申报")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "community"], name="one_submission_per_community"
            ),
            models.UniqueConstraint(
                fields=["campaign", "district", "rank"],
                condition=Q(rank__isnull=False),
                name="unique_rank_within_district",
                violation_error_message=_("同一区市的推荐排序不能重复。"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.community)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATES


class ItemAssessment(models.Model):
    """A community's self-score and explanation for one of the standard's items."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("申报")
    )
    item = models.ForeignKey(
        "standards.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("小项")
    )
    self_score = models.DecimalField(
        _("自评得分"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    explanation = models.TextField(_("自评说明"), blank=True)
    # Bumped by every save; a form carrying an older number was opened before someone else's
    # save and must not overwrite it.
    version = models.PositiveIntegerField(_("版本"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更新人"),
    )
    evidence = models.ManyToManyField(
        "campaign.EvidenceFile", blank=True, related_name="assessments", verbose_name=_("佐证材料")
    )

    class Meta:
        ordering = ["item__display_order"]
        verbose_name = _("小项自评")
        verbose_name_plural = _("小项自评")
        constraints = [
            models.UniqueConstraint(fields=["submission", "item"], name="one_assessment_per_item"),
            models.CheckConstraint(
                condition=Q(self_score__gte=0) | Q(self_score__isnull=True),
                name="self_score_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.item.code}"


# An item counts as done when it has a score, and an explanation unless the score is zero.
DONE = Q(self_score__isnull=False) & (Q(self_score=0) | ~Q(explanation=""))


class EvidenceFile(models.Model):
    """An uploaded file in a submission's evidence library; it may back several items."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="evidence_files", verbose_name=_("申报")
    )
    original_name = models.CharField(_("文件名"), max_length=255)
    kind = models.CharField(_("文件类型"), max_length=10)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # Relative to the private storage root; never under a URL the web server serves directly.
    stored_name = models.CharField(_("存储位置"), max_length=255)
    thumbnail_name = models.CharField(_("缩略图位置"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "sha256"], name="one_copy_of_a_file_per_submission"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class PrivateAttachment(models.Model):
    """A file checked like evidence and stored in the private directory, served by a view."""

    original_name = models.CharField(_("文件名"), max_length=255, blank=True)
    kind = models.CharField(_("文件类型"), max_length=10, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    stored_name = models.CharField(_("存储位置"), max_length=255, blank=True)

    class Meta:
        abstract = True
