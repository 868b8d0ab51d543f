"""Scores as rows: the rules a campaign ranks by, and one snapshot per community and stage
computed from them."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    SELF = "self", _("自评")
    AUDIT = "audit", _("市办审核")
    JOINT = "joint", _("联审后")


class Outcome(models.TextChoices):
    """Where a snapshot of the joint-review stage stands against the shortlist rules: on the list,
    or the first rule (in this order) that kept it off."""

    SHORTLISTED = "shortlisted", _("入围")
    # Where the workflow already decided: these come before any rule.
    CANCELLED = "cancelled", _("公示异议成立，已取消")
    DECLINED = "declined", _("领导小组研究未通过")
    SHORT_SAMPLE = "short_sample", _("样本不足：有效问卷少于规定样本量")
    MIN_TOTAL = "min_total", _("总分低于最低分")
    NO_SURVEY = "no_survey", _("缺少满意度调查结果")
    MIN_SATISFACTION = "min_satisfaction", _("满意率低于最低要求")
    VETOED = "vetoed", _("成员单位一票否决")
    DISTRICT_QUOTA = "district_quota", _("超出本区市入围名额")
    CITY_CAP = "city_cap", _("超出全市入围总数")
    # Earlier stages and communities no longer in the running are ranked but not shortlisted.
    NOT_RANKED = "", _("不参加入围")


class ScoringRules(models.Model):
    """One version of a campaign's rules. Rows are never edited: a change is a new version, and
    each snapshot names the version that produced it."""

    campaign = models.ForeignKey(
        "campaign.Campaign",
        on_delete=models.CASCADE,
        related_name="scoring_rules",
        verbose_name=_("创建活动"),
    )
    version = models.PositiveIntegerField(_("版本"))
    # The item scored by the survey's rate-to-points tiers instead of the office's audit.
    satisfaction_item = models.ForeignKey(
        "standards.Item",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("满意度计分小项"),
    )
    min_total = models.DecimalField(
        _("最低总分"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    # A fraction: 0.85 means a satisfaction rate of at least 85 %.
    min_satisfaction = models.DecimalField(
        _("最低满意率"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    district_quota = models.PositiveSmallIntegerField(_("每区市入围名额"), null=True, blank=True)
    city_cap = models.PositiveSmallIntegerField(_("全市入围总数"), null=True, blank=True)
    # A survey ended below its sample size, without the office accepting the sample for
    # scoring, keeps the community off the shortlist.
    exclude_short_sample = models.BooleanField(_("样本不足不入围"), default=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("设定时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("设定人"),
    )

    class Meta:
        ordering = ["campaign", "-version"]
        verbose_name = _("入围规则")
        verbose_name_plural = _("入围规则")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="one_rules_version"),
            models.CheckConstraint(
                condition=Q(min_satisfaction__isnull=True)
                | Q(min_satisfaction__gte=0, min_satisfaction__lte=1),
                name="min_satisfaction_is_a_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} v{self.version}"

    @property
    def min_satisfaction_percent(self) -> Decimal | None:
        if self.min_satisfaction is None:
            return None
        return (self.min_satisfaction * 100).normalize()


class ScoreSnapshot(models.Model):
    """A community's score at one stage, as the rules version ``rules`` computed it.

    The total is the sum of the item scores of the stage (see ``scoring.engine``); ranks and the
    outcome are the campaign-wide order of the stage's snapshots at the time of computing."""

    # The submission's campaign and district, copied by the engine for ranking in one table.
    # Only the submission is checked by a foreign key in the database: a recompute writes every
    # row of a campaign, and PostgreSQL checks (and share-locks) each key of each row at
    # commit. The rules need no such check: every row of a recompute names the one version it
    # read in its own transaction, versions are never edited or deleted on their own, and the
    # ORM still refuses to delete a version that snapshots name (PROTECT). For the same reason
    # no key has an index of its own: every reader filters by campaign and stage
    # (``snapshot_city_rank``) or by submission and stage (the unique constraint), and each
    # index is written again for every row of every recompute.
    campaign = models.ForeignKey(
        "campaign.Campaign",
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("创建活动"),
    )
    submission = models.ForeignKey(
        "campaign.Submission",
        on_delete=models.CASCADE,
        db_index=False,
        related_name="score_snapshots",
        verbose_name=_("申报"),
    )
    district = models.ForeignKey(
        "communities.District",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("区市"),
    )
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices)
    rules = models.ForeignKey(
        ScoringRules,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("规则版本"),
    )
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=1)
    items_scored = models.PositiveSmallIntegerField(_("已计分小项数"))
    satisfaction_points = models.DecimalField(
        _("满意度得分"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    satisfied = models.PositiveIntegerField(_("满意份数"), null=True, blank=True)
    valid = models.PositiveIntegerField(_("有效问卷"), null=True, blank=True)
    # The survey's required sample size and whether it fell short unaccepted (SurveyTally).
    sample_size = models.PositiveSmallIntegerField(_("规定样本量"), null=True, blank=True)
    short_sample = models.BooleanField(_("样本不足"), default=False, db_default=False)
    veto_count = models.PositiveSmallIntegerField(_("否决单位数"), default=0)
    city_rank = models.PositiveIntegerField(_("全市排名"), null=True, blank=True)
    district_rank = models.PositiveIntegerField(_("区市内排名"), null=True, blank=True)
    outcome = models.CharField(
        _("入围结果"), max_length=20, choices=Outcome.choices, blank=True, default=""
    )
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ["campaign_id", "stage", "city_rank"]
        verbose_name = _("得分快照")
        verbose_name_plural = _("得分快照")
        constraints = [
            models.UniqueConstraint(fields=["submission", "stage"], name="one_snapshot_per_stage"),
            models.CheckConstraint(
                condition=Q(satisfied__lte=models.F("valid")) | Q(valid__isnull=True),
                name="snapshot_satisfied_within_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "stage", "city_rank"], name="snapshot_city_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.stage} {self.total}"

    @property
    def satisfaction_rate(self) -> float | None:
        if not self.valid:
            return None
        return (self.satisfied or 0) / self.valid

    @property
    def satisfaction_percent(self) -> Decimal | None:
        """The rate in percent with one decimal, as every page and workbook shows it."""
        from campaign.pipeline.rates import percent

        rate = self.satisfaction_rate
        return None if rate is None else percent(rate)

    @property
    def is_shortlisted(self) -> bool:
        return self.outcome == Outcome.SHORTLISTED
