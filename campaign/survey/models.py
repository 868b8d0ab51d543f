"""The residents' satisfaction survey: its configuration per campaign, the one-time codes handed
to sampled households, and the questionnaires that come back (by phone page or a firm's sheet).

Questionnaires are anonymous: nothing here can lead back to a resident. The collector is the
survey firm's interviewer, never the resident.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Comparable campaigns sample 20-60 households per community; below 20 the margin of error
# (about ±13 points at a 90 % rate) makes the rate meaningless for ranking.
MIN_SAMPLE_SIZE = 20
DEFAULT_SAMPLE_SIZE = 30
# Residents answer within two minutes; the answers are stored one character per question.
MAX_QUESTIONS = 10


class SurveyConfig(models.Model):
    """How a campaign's survey is run and scored. Questions, options and point tiers hang off
    the campaign beside it."""

    campaign = models.OneToOneField(
        "campaign.Campaign", on_delete=models.CASCADE, related_name="survey_config"
    )
    sample_size = models.PositiveSmallIntegerField(
        _("每个社区样本量"),
        default=DEFAULT_SAMPLE_SIZE,
        validators=[MinValueValidator(MIN_SAMPLE_SIZE), MaxValueValidator(1000)],
    )
    pass_rate = models.DecimalField(
        _("满意率合格线"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    min_duration_seconds = models.PositiveSmallIntegerField(_("最短答题时长（秒）"), default=30)
    cluster_size = models.PositiveSmallIntegerField(
        _("同一调查员相同答案达到份数即标记"),
        default=5,
        validators=[MinValueValidator(2)],
    )
    notice = models.TextField(_("调查说明"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("满意度调查设置")
        verbose_name_plural = _("满意度调查设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(sample_size__gte=MIN_SAMPLE_SIZE), name="survey_sample_size_minimum"
            ),
            models.CheckConstraint(
                condition=Q(pass_rate__isnull=True) | Q(pass_rate__gte=0, pass_rate__lte=1),
                name="survey_pass_rate_is_a_fraction",
            ),
        ]

    def __str__(self) -> str:
        return str(self.campaign)


class QuestionKind(models.TextChoices):
    # Answered with the campaign's options (满意 / 基本满意 / …).
    SATISFACTION = "satisfaction", _("满意度题")
    # Answered 是 / 否; the share of 是 scores a survey item (6.2 创建知晓与参与).
    AWARENESS = "awareness", _("知晓与参与题")


# The answers of an awareness question, by position: 1 是, 2 否.
AWARENESS_YES = 1
AWARENESS_OPTIONS = (_("是"), _("否"))


class SurveyQuestion(models.Model):
    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.CASCADE, related_name="survey_questions"
    )
    position = models.PositiveSmallIntegerField(_("题号"))
    text = models.CharField(_("题目"), max_length=100)
    # The satisfaction rate is counted per questionnaire from this question (按份数计算).
    is_overall = models.BooleanField(_("总体评价题"), default=False)
    kind = models.CharField(
        _("题型"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.SATISFACTION
    )
    # An awareness question scores ``points`` of ``item`` in proportion to its share of 是 up
    # to ``target_rate`` (the item's 评分细则: 未达到的按实际比例与目标比例之比折算).
    item = models.ForeignKey(
        "standards.Item",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("计分小项"),
    )
    target_rate = models.DecimalField(
        _("目标比例"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    points = models.DecimalField(_("分值"), max_digits=4, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("调查题目")
        verbose_name_plural = _("调查题目")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "position"], name="survey_question_position_unique"
            ),
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(is_overall=True),
                name="one_overall_question_per_campaign",
            ),
            models.CheckConstraint(
                condition=Q(kind="satisfaction", item__isnull=True)
                | Q(
                    kind="awareness",
                    is_overall=False,
                    item__isnull=False,
                    target_rate__gt=0,
                    points__gte=0,
                ),
                name="awareness_question_scores_an_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class SurveyOption(models.Model):
    """An answer every question offers. The formula is in the two flags: the rate is the
    questionnaires whose overall answer ``counts_as_satisfied`` over those whose overall answer
    ``counts_as_valid`` (default (满意 + 基本满意) / 有效; 不了解 counts as neither)."""

    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.CASCADE, related_name="survey_options"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("选项"), max_length=20)
    counts_as_satisfied = models.BooleanField(_("计入满意"), default=False)
    counts_as_valid = models.BooleanField(_("计入有效"), default=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("答案选项")
        verbose_name_plural = _("答案选项")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "position"], name="survey_option_position_unique"
            ),
            models.UniqueConstraint(
                fields=["campaign", "label"], name="survey_option_label_unique"
            ),
            models.CheckConstraint(
                condition=Q(counts_as_satisfied=False) | Q(counts_as_valid=True),
                name="satisfied_option_is_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class SurveyPointTier(models.Model):
    """A rate of at least ``min_rate`` earns ``points`` for 群众满意 (the highest tier reached
    applies; below every tier the item earns nothing)."""

    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.CASCADE, related_name="survey_point_tiers"
    )
    min_rate = models.DecimalField(
        _("满意率不低于"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    points = models.DecimalField(_("得分"), max_digits=4, decimal_places=1)

    class Meta:
        ordering = ["min_rate"]
        verbose_name = _("满意率计分档")
        verbose_name_plural = _("满意率计分档")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "min_rate"], name="one_tier_per_rate"),
            models.CheckConstraint(condition=Q(points__gte=0), name="tier_points_not_negative"),
        ]

    def __str__(self) -> str:
        return f"≥{self.min_rate} → {self.points}"


class SurveyCode(models.Model):
    """A one-time code for one sampled household of one candidate community. Used once a
    questionnaire points at it (a unique column, so the database refuses a second); expires with
    the survey phase or when the community's survey ends."""

    submission = models.ForeignKey(
        "campaign.Submission", on_delete=models.CASCADE, related_name="survey_codes"
    )
    token = models.CharField(_("调查码"), max_length=16, unique=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("调查码")
        verbose_name_plural = _("调查码")

    def __str__(self) -> str:
        return self.token


class Channel(models.TextChoices):
    CODE = "code", _("扫码自填")
    ONLINE = "online", _("网络")
    PHONE = "phone", _("电话")
    PAPER = "paper", _("纸质")
    VISIT = "visit", _("入户面访")


class Quality(models.TextChoices):
    CLEAN = "clean", _("正常")
    FLAGGED = "flagged", _("待核定")
    EXCLUDED = "excluded", _("已剔除")
    KEPT = "kept", _("核定保留")


class SurveyImport(models.Model):
    """One survey firm's spreadsheet, imported once (the same file twice is refused)."""

    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.CASCADE, related_name="survey_imports"
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("问卷份数"))
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("问卷导入")
        verbose_name_plural = _("问卷导入")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sha256"], name="survey_file_once"),
        ]

    def __str__(self) -> str:
        return self.file_name


class SurveyResponse(models.Model):
    """One questionnaire. ``pattern`` holds its answers: character n is the position of the
    option chosen for the question at position n (e.g. "11213111"; at most 9 options and
    MAX_QUESTIONS questions). One column instead of a row per answer keeps a phone's answer to
    one INSERT on survey day (tests/benchmarks/survey_answers.py); the counts per question ×
    option are still aggregated in SQL (``survey.statistics``), and identical-answer clusters
    are a GROUP BY."""

    submission = models.ForeignKey(
        "campaign.Submission", on_delete=models.CASCADE, related_name="survey_responses"
    )
    code = models.OneToOneField(
        SurveyCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response",
    )
    channel = models.CharField(_("调查方式"), max_length=10, choices=Channel.choices)
    collector = models.CharField(_("调查员"), max_length=50, blank=True)
    reference = models.CharField(_("问卷编号"), max_length=50, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"))
    duration_seconds = models.PositiveIntegerField(_("答题时长（秒）"), null=True, blank=True)
    pattern = models.CharField(_("答案"), max_length=MAX_QUESTIONS)
    source = models.ForeignKey(
        SurveyImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    too_fast = models.BooleanField(_("答题过快"), default=False)
    in_cluster = models.BooleanField(_("相同答案聚集"), default=False)
    quality = models.CharField(
        _("质量核定"), max_length=10, choices=Quality.choices, default=Quality.CLEAN
    )
    reviewed_at = models.DateTimeField(_("核定时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("调查问卷")
        verbose_name_plural = _("调查问卷")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "reference"],
                condition=~Q(reference=""),
                name="survey_reference_once_per_community",
            ),
            models.CheckConstraint(
                condition=Q(quality="clean") | Q(too_fast=True) | Q(in_cluster=True),
                name="only_flagged_questionnaires_are_reviewed",
            ),
            models.CheckConstraint(
                condition=Q(pattern__regex=r"^[1-9]+$"), name="answers_are_option_positions"
            ),
        ]
        indexes = [
            models.Index(fields=["submission", "quality"], name="survey_resp_sub_quality"),
            # Finding identical-answer clusters counts peers by these three.
            models.Index(fields=["submission", "collector", "pattern"], name="survey_resp_cluster"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}#{self.pk}"


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
    # The tier points the rate earns: 0 when the sample is short and the office did not accept
    # it for scoring (``short_sample_scored``).
    points = models.DecimalField(_("群众满意得分"), max_digits=4, decimal_places=1, default=0)
    # The sample size required when the survey ended, and whether the valid questionnaires
    # fell short of it.
    sample_size = models.PositiveSmallIntegerField(_("规定样本量"), default=0)
    short_sample = models.BooleanField(_("样本不足"), default=False)
    short_sample_scored = models.BooleanField(_("样本不足仍计分"), default=False)
    # Why the office ended the survey below the sample size (required then).
    finish_reason = models.TextField(_("结束说明"), blank=True)
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
            models.CheckConstraint(
                condition=Q(short_sample=False, short_sample_scored=False)
                | (Q(short_sample=True) & ~Q(finish_reason="")),
                name="short_sample_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.satisfied}/{self.valid}"


class SurveyItemPoints(models.Model):
    """The points a survey item other than the satisfaction item (e.g. 6.2 创建知晓与参与)
    earned from its awareness questions, frozen with the tally when the survey ends."""

    submission = models.ForeignKey(
        "campaign.Submission",
        on_delete=models.CASCADE,
        related_name="survey_item_points",
        verbose_name=_("申报"),
    )
    item = models.ForeignKey(
        "standards.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("小项")
    )
    points = models.DecimalField(_("得分"), max_digits=4, decimal_places=1)
    # How the points were reached, in words (each question's share against its target).
    basis = models.TextField(_("计分依据"), blank=True)

    class Meta:
        ordering = ["submission", "item__display_order"]
        verbose_name = _("问卷计分小项得分")
        verbose_name_plural = _("问卷计分小项得分")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "item"], name="one_survey_score_per_item"
            ),
            models.CheckConstraint(
                condition=Q(points__gte=0), name="survey_item_points_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.item_id} {self.points}"
