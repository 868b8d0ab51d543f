"""The office's shortlist rules as typed on the page, parsed into ShortlistRules. Blank means
"no such rule"; each problem is reported on its own field."""

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from communities.units import plain_decimal
from scoring.engine.models import ScoringRules
from scoring.rules.actions import ShortlistRules

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ONE_DECIMAL = Decimal("0.1")
# ScoringRules.min_total is a DecimalField(max_digits=5, decimal_places=1).
MIN_TOTAL_COLUMN_MAX = Decimal("9999.9")
# district_quota and city_cap are PositiveSmallIntegerFields: 32767 on every database.
SMALLINT_MAX = 32767
NOTE_MAX_LENGTH = 500


class OneDecimalField(forms.DecimalField):
    """An optional number from 0 to ``upper`` with at most one decimal ("85.50" is fine)."""

    default_error_messages = {
        "invalid": _("请输入数字。"),
        "range": _("应在0到%(upper)s之间，最多一位小数。"),
    }

    def __init__(self, *, label: "StrOrPromise", upper: Decimal) -> None:
        super().__init__(label=label, required=False)
        self.upper = upper
        self.widget.attrs.update(min="0", max=str(plain_decimal(upper)), step=str(ONE_DECIMAL))

    def validate(self, value: Decimal | None) -> None:
        if value is None:
            return  # blank: no such rule
        super().validate(value)  # refuses NaN and infinity as "invalid"
        # The range first: quantizing a number beyond the context's precision raises.
        if not 0 <= value <= self.upper or value != value.quantize(ONE_DECIMAL):
            raise ValidationError(
                self.error_messages["range"],
                code="range",
                params={"upper": plain_decimal(self.upper)},
            )


class CountField(forms.IntegerField):
    """An optional whole number from 1 to what a PositiveSmallIntegerField holds."""

    default_error_messages = {
        "invalid": _("请输入整数。"),
        "range": _("应为1到%(upper)s之间的整数。"),
    }

    def __init__(self, *, label: "StrOrPromise") -> None:
        super().__init__(label=label, required=False)
        self.widget.attrs.update(min="1", max=str(SMALLINT_MAX), step="1")

    def validate(self, value: int | None) -> None:
        super().validate(value)
        if value is not None and not 1 <= value <= SMALLINT_MAX:
            raise ValidationError(
                self.error_messages["range"], code="range", params={"upper": SMALLINT_MAX}
            )


def _min_total_field(upper: Decimal) -> OneDecimalField:
    return OneDecimalField(label=_("最低总分（留空为不设）"), upper=upper)


class ShortlistRulesForm(forms.Form):
    # Declared with the column's limit for the field order; each form narrows it to the
    # campaign's standard.
    min_total = _min_total_field(MIN_TOTAL_COLUMN_MAX)
    min_satisfaction_percent = OneDecimalField(
        label=_("最低满意率（%，留空为不设）"), upper=Decimal(100)
    )
    district_quota = CountField(label=_("每区市入围名额（留空为不设）"))
    city_cap = CountField(label=_("全市入围总数（留空为不设）"))
    exclude_short_sample = forms.BooleanField(
        label=_("样本不足不入围（有效问卷少于规定样本量、市办未认可的）"), required=False
    )
    note = forms.CharField(
        label=_("说明（如依据的会议或文件）"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("不能超过%(limit_value)d字（现有%(show_value)d字）。")},
    )

    def __init__(
        self,
        data: Mapping[str, object] | None = None,
        *,
        total_points: Decimal,
        current: ScoringRules | None = None,
    ) -> None:
        """``current`` fills an unbound form with the rules in force."""
        super().__init__(data, initial=None if current is None else _initial_from(current))
        self.fields["min_total"] = _min_total_field(total_points)

    def rules(self) -> ShortlistRules:
        """The parsed rules; call after is_valid()."""
        data = self.cleaned_data
        return ShortlistRules(
            min_total=data["min_total"],
            min_satisfaction_percent=data["min_satisfaction_percent"],
            district_quota=data["district_quota"],
            city_cap=data["city_cap"],
            exclude_short_sample=data["exclude_short_sample"],
            note=data["note"],
        )


def _initial_from(rules: ScoringRules) -> dict[str, Decimal | int | bool | None]:
    # The note is left blank: it explains the next version, not this one.
    return {
        "min_total": plain_decimal(rules.min_total),
        "min_satisfaction_percent": plain_decimal(rules.min_satisfaction_percent),
        "district_quota": rules.district_quota,
        "city_cap": rules.city_cap,
        "exclude_short_sample": rules.exclude_short_sample,
    }
