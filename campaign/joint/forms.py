"""The joint review page's opinion rows, parsed at the edge: one small form per item.

Each form's prefix is the item's code, and its fields keep the names the page has always
sent (``agrees-2.1``, ``reason-2.1``, ``adjustment-2.1``), which are also the inputs' ids."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaign.joint.actions import (
    OpinionRow,
    adjustment_problem,
    max_adjustment,
    not_adjustable,
)
from campaign.pipeline.actions import plain_number
from campaign.pipeline.forms import ItemRowForm, html_name
from campaign.pipeline.items import MAX_COMMENT
from campaign.pipeline.models import UnitOpinion
from communities.sheets import normalize_number_text
from standards.models import Item

AGREES, DISAGREES = "yes", "no"


class AdjustmentField(forms.DecimalField):
    """Points added or taken off, as a Chinese keyboard types them (＋1, －0.5); blank is 0."""

    default_error_messages = {"invalid": _("分数调整应填写数字。")}

    def clean(self, value: Any) -> Decimal:
        parsed = super().clean(normalize_number_text(str(value or "")))
        return parsed if parsed is not None else Decimal(0)


class OpinionForm(ItemRowForm):
    # Radios that are all left blank mean "not reviewed yet", so the browser must not insist.
    use_required_attribute = False

    agrees = forms.TypedChoiceField(
        choices=[(AGREES, _("同意审核结果")), (DISAGREES, _("不同意"))],
        coerce=lambda choice: choice == AGREES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("请选择“同意审核结果”或“不同意”。")},
    )
    reason = forms.CharField(
        required=False,
        max_length=MAX_COMMENT,
        error_messages={"max_length": _("不能超过%(limit_value)d字。")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    adjustment = AdjustmentField(
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6, "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = max_adjustment(self.item.max_points)

    def clean_adjustment(self) -> Decimal:
        adjustment: Decimal = self.cleaned_data["adjustment"]
        if adjustment and self.item.is_system_scored:
            raise ValidationError(not_adjustable(self.item), code="system_scored")
        problem = adjustment_problem(adjustment, self.item.max_points)
        if problem:
            raise ValidationError(problem, code="adjustment")
        return adjustment

    def row(self) -> OpinionRow:
        """The typed row for the action; only for a valid form."""
        data = self.cleaned_data
        return OpinionRow(self.item.pk, data["agrees"], data["reason"], data["adjustment"])


def sent(data: Mapping[str, Any], item: Item) -> bool:
    """Whether the unit chose agree or disagree on this item; the others are left as they are."""
    return html_name("agrees", item) in data


def initial_for(opinion: UnitOpinion | None) -> dict[str, str]:
    """What the row shows before anything is typed: the unit's saved opinion."""
    if opinion is None:
        return {}
    return {
        "agrees": AGREES if opinion.agrees else DISAGREES,
        "reason": opinion.reason,
        # No adjustment shows as an empty field, not as "0".
        "adjustment": plain_number(opinion.adjustment or None) or "",
    }
