"""Districts, streets and communities: the register every other part of the campaign refers to.

Codes are the 统计用区划代码: 6 digits for a district (区市), 9 for a street (街道/镇),
12 for a community (居委会). They are the stable keys used by imports and exports.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

district_code_validator = RegexValidator(r"^\d{6}$", _("区市代码应为6位数字。"))
street_code_validator = RegexValidator(r"^\d{9}$", _("街道代码应为9位数字。"))
community_code_validator = RegexValidator(
    r"^\d{12}$", _("社区代码应为12位数字（统计用区划代码）。")
)


class District(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("市辖区")
        COUNTY_CITY = "county_city", _("县级市")
        ZONE = "zone", _("开发区/功能区")

    code = models.CharField(
        _("区划代码"), max_length=6, unique=True, validators=[district_code_validator]
    )
    code_is_official = models.BooleanField(
        _("国家统计用区划代码"),
        default=True,
        help_text=_("功能区没有国家代码时使用本地编码，此处不勾选。"),
    )
    name = models.CharField(_("名称"), max_length=50, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, unique=True)
    aliases = models.CharField(
        _("其他写法"),
        max_length=200,
        blank=True,
        help_text=_("导入表格时也认可的名称，用顿号或逗号分隔，如“高区、高新区”。"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    display_order = models.PositiveSmallIntegerField(_("显示顺序"), default=0)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("区市")
        verbose_name_plural = _("区市")

    def __str__(self) -> str:
        return self.name

    def alias_list(self) -> list[str]:
        return [
            a.strip()
            for a in self.aliases.replace("，", "、").replace(",", "、").split("、")
            if a.strip()
        ]


class Street(models.Model):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="streets", verbose_name=_("区市")
    )
    code = models.CharField(
        _("街道代码"), max_length=9, unique=True, validators=[street_code_validator]
    )
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("街道（镇）")
        verbose_name_plural = _("街道（镇）")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="street_name_unique_in_district"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    class Kind(models.TextChoices):
        URBAN = "urban", _("城市社区")
        RURAL = "rural", _("农村社区")

    class Construction(models.TextChoices):
        EXISTING = "existing", _("已建成")
        NEW = "new", _("新建")

    code = models.CharField(
        _("社区代码"), max_length=12, unique=True, validators=[community_code_validator]
    )
    name = models.CharField(_("社区名称"), max_length=50)
    # Stored beside the street because every scoped query filters by district.
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="communities", verbose_name=_("区市")
    )
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("街道（镇）")
    )
    kind = models.CharField(_("社区类型"), max_length=10, choices=Kind.choices, default=Kind.URBAN)
    construction = models.CharField(
        _("建设情况"), max_length=10, choices=Construction.choices, default=Construction.EXISTING
    )
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    compounds = models.PositiveIntegerField(_("住宅小区数"), null=True, blank=True)
    service_area = models.DecimalField(
        _("综合服务设施面积（㎡）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    full_time_workers = models.PositiveSmallIntegerField(_("专职工作者人数"), null=True, blank=True)
    # Money is kept in whole yuan so policy checks are exact integer comparisons.
    work_funds = models.PositiveIntegerField(_("年度社区工作经费（元）"), null=True, blank=True)
    party_fund = models.PositiveIntegerField(
        _("年度党组织服务群众专项经费（元）"), null=True, blank=True
    )
    grid_count = models.PositiveSmallIntegerField(_("网格数"), null=True, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        indexes = [models.Index(fields=["district", "code"], name="community_district_code")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        street = self.street if self.street_id else None
        if street is None:
            return
        if self.district_id and street.district_id != self.district_id:
            raise ValidationError(
                {
                    "street": _("街道“%(street)s”不属于%(district)s。")
                    % {"street": street.name, "district": self.district.name}
                }
            )
        if self.code and not self.code.startswith(street.code):
            raise ValidationError(
                {
                    "code": _("社区代码前9位应与所属街道代码 %(street_code)s 一致。")
                    % {"street_code": street.code}
                }
            )
