"""The register list's filters and the form that corrects a community's figures."""

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from communities.actions import EDITABLE_FIELDS
from communities.models import Community, District, Street
from communities.units import wan_to_yuan, yuan_to_wan

MONEY_FIELDS = ("work_funds", "party_fund")
# The register keeps money in whole yuan in a 32-bit column: 2,147,483,647 yuan at most.
MAX_WAN = Decimal("214748.3647")


class CommunityFactsForm(forms.ModelForm):
    """Register figures a district may correct; money is entered in 万元 like the policy."""

    work_funds_wan = forms.DecimalField(
        label=_("年度社区工作经费（万元）"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_WAN,
        decimal_places=4,
    )
    party_fund_wan = forms.DecimalField(
        label=_("党组织服务群众专项经费（万元）"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_WAN,
        decimal_places=4,
    )

    class Meta:
        model = Community
        fields = [name for name in EDITABLE_FIELDS if name not in MONEY_FIELDS]

    field_order = [f"{name}_wan" if name in MONEY_FIELDS else name for name in EDITABLE_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_funds_wan"].initial = yuan_to_wan(self.instance.work_funds)
        self.fields["party_fund_wan"].initial = yuan_to_wan(self.instance.party_fund)

    def register_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        for money in MONEY_FIELDS:
            wan = self.cleaned_data[f"{money}_wan"]
            values[money] = None if wan is None else wan_to_yuan(wan)
        return values


# Filters on the annotations of scoring.indicators.with_hard_indicators().
INDICATOR_FILTERS = {
    "fail": Q(hi_failures__gt=0),
    "missing": Q(hi_missing__gt=0),
    "pass": Q(hi_failures=0, hi_missing=0),
}


class RegisterFilterForm(forms.Form):
    INDICATOR_CHOICES = [
        ("", _("全部")),
        ("fail", _("有硬指标未达标")),
        ("missing", _("硬指标缺少数据")),
        ("pass", _("硬指标全部达标")),
    ]

    q = forms.CharField(label=_("名称或代码"), required=False, max_length=50)
    district = forms.ModelChoiceField(
        label=_("区市"), queryset=District.objects.none(), required=False, empty_label=_("全部")
    )
    street = forms.ModelChoiceField(
        label=_("街道（镇）"), queryset=Street.objects.none(), required=False, empty_label=_("全部")
    )
    kind = forms.ChoiceField(
        label=_("社区类型"), choices=[("", _("全部")), *Community.Kind.choices], required=False
    )
    indicator = forms.ChoiceField(label=_("硬指标"), choices=INDICATOR_CHOICES, required=False)

    def __init__(
        self, *args: Any, districts: QuerySet[District], one_district: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["district"]).queryset = districts
        streets = Street.objects.filter(district__in=districts)
        cast(forms.ModelChoiceField, self.fields["street"]).queryset = streets
        if one_district:
            del self.fields["district"]

    def apply(self, communities: QuerySet[Community]) -> QuerySet[Community]:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("q"):
            q = data["q"].strip()
            communities = communities.filter(Q(name__contains=q) | Q(code__startswith=q))
        if data.get("district"):
            communities = communities.filter(district=data["district"])
        if data.get("street"):
            communities = communities.filter(street=data["street"])
        if data.get("kind"):
            communities = communities.filter(kind=data["kind"])
        indicator = data.get("indicator")
        if indicator in INDICATOR_FILTERS:
            communities = communities.filter(INDICATOR_FILTERS[indicator])
        return communities
