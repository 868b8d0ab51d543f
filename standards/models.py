"""The creation standard as data: 大项 (categories) and 小项 (items), versioned per year.

A standard a campaign uses is frozen; any change becomes a new version, so scores from a past
campaign always refer to the exact text and points they were given against.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities.indicators import HardIndicator
from communities.units import plain_decimal


def standard_title(name: str, year: int, version: int) -> str:
    return gettext("%(name)s（%(year)d年 第%(version)d版）") % {
        "name": name,
        "year": year,
        "version": version,
    }


class MemberUnit(models.Model):
    """A member unit of the leading group (成员单位); reviews the items in its remit."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    display_order = models.PositiveSmallIntegerField(_("显示顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")

    def __str__(self) -> str:
        return self.name


class Standard(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        FROZEN = "frozen", _("已冻结")

    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    total_points = models.DecimalField(
        _("总分"), max_digits=5, decimal_places=1, default=Decimal(100)
    )
    satisfaction_pass_rate = models.DecimalField(
        _("满意率合格线"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("如 0.85 表示满意率不低于85%；留空表示不设合格线。"),
    )
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    frozen_at = models.DateTimeField(_("冻结时间"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = _("创建标准")
        verbose_name_plural = _("创建标准")
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="standard_year_version_unique")
        ]

    def __str__(self) -> str:
        return standard_title(self.name, self.year, self.version)

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.FROZEN

    @property
    def pass_rate_percent(self) -> Decimal | None:
        rate = self.satisfaction_pass_rate
        return None if rate is None else plain_decimal(rate * 100)


class Category(models.Model):
    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="categories", verbose_name=_("标准")
    )
    code = models.CharField(_("编号"), max_length=10)
    name = models.CharField(_("名称"), max_length=50)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    description = models.TextField(_("说明"), blank=True)
    display_order = models.PositiveSmallIntegerField(_("显示顺序"), default=0)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("大项")
        verbose_name_plural = _("大项")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="category_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Item(models.Model):
    class CheckMethod(models.TextChoices):
        MATERIAL = "material", _("材料审核")
        SITE = "site", _("实地查看")
        SURVEY = "survey", _("问卷")
        AUTO = "auto", _("自动核验")

    # Kept beside the category so item codes are unique per standard in the database.
    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="items", verbose_name=_("标准")
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="items", verbose_name=_("大项")
    )
    code = models.CharField(_("编号"), max_length=10)
    title = models.CharField(_("名称"), max_length=100)
    requirement = models.TextField(_("创建要求"))
    scoring_rule = models.TextField(_("评分细则"))
    max_points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    check_method = models.CharField(_("核查方式"), max_length=10, choices=CheckMethod.choices)
    evidence = models.CharField(_("佐证材料"), max_length=300, blank=True)
    units = models.ManyToManyField(
        MemberUnit, related_name="items", blank=True, verbose_name=_("责任成员单位")
    )
    hard_indicator = models.CharField(
        _("关联硬指标"), max_length=20, choices=HardIndicator.choices, blank=True
    )
    source = models.TextField(_("依据出处"), blank=True)
    display_order = models.PositiveSmallIntegerField(_("显示顺序"), default=0)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("小项")
        verbose_name_plural = _("小项")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_survey_scored(self) -> bool:
        """Scored by the satisfaction survey: never self-scored, audited or adjusted."""
        return self.check_method == self.CheckMethod.SURVEY

    @property
    def is_auto_scored(self) -> bool:
        """Scored by the system from its hard indicator (full points or none): nobody types
        its score."""
        return self.check_method == self.CheckMethod.AUTO and bool(self.hard_indicator)

    @property
    def is_system_scored(self) -> bool:
        return self.is_survey_scored or self.is_auto_scored

    def clean(self) -> None:
        super().clean()
        if self.max_points is not None and (self.max_points <= 0 or self.max_points * 2 % 1):
            raise ValidationError({"max_points": _("分值应为正数，最小单位0.5分。")})
        if self.category_id and self.standard_id and self.category.standard_id != self.standard_id:
            raise ValidationError({"category": _("大项不属于该标准。")})


def scored_by_people(prefix: str = "") -> models.Q:
    """The items people score (neither the survey nor the hard indicators do), as a filter
    on items, or on rows pointing at them through ``prefix`` (e.g. "item__")."""
    return ~models.Q(**{f"{prefix}check_method": Item.CheckMethod.SURVEY}) & ~models.Q(
        **{f"{prefix}check_method": Item.CheckMethod.AUTO, f"{prefix}hard_indicator__gt": ""}
    )


def items_by_hard_indicator(standard: Standard) -> dict[str, list[Item]]:
    """The items each hard indicator backs, e.g. {"staffing": [1.2 社区工作者配备与管理]}."""
    items: dict[str, list[Item]] = {}
    for item in Item.objects.filter(standard=standard).exclude(hard_indicator=""):
        items.setdefault(item.hard_indicator, []).append(item)
    return items
