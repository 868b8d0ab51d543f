"""Small one-purpose forms of the pipeline's pages, and how a view runs one."""

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from campaign.pipeline.workflow import ActionRefused
from standards.models import Item


class ExtendPhaseForm(forms.Form):
    ends_on = forms.DateField(
        label=_("新的截止日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("延期理由"), max_length=500)


class PhaseDatesForm(forms.Form):
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("调整理由"), max_length=500)


def first_error(form: forms.Form) -> str:
    """The first problem of a small one-purpose form, as one line for a flash message."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}：{errors[0]}" if label else str(errors[0])
    return ""


def run_form_action(
    request: HttpRequest, form: forms.Form, action: Callable[[dict[str, Any]], object], success: str
) -> bool:
    """Validate a small one-purpose form, run the action with its data, and flash the outcome;
    whether it was done (a caller may then show the form again with what was typed)."""
    if not form.is_valid():
        messages.error(request, first_error(form))
        return False
    try:
        action(form.cleaned_data)
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


class ItemRowForm(forms.Form):
    """One item's row on a stage's page (the office's audit, a unit's opinion). Its fields are
    posted as ``<field>-<item code>``, which are also the inputs' ids, so a page of 33 items
    is 33 small forms rather than a formset with hidden counters."""

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        item: Item,
        initial: dict[str, str] | None = None,
    ) -> None:
        self.item = item
        super().__init__(data, prefix=item.code, auto_id="%s", initial=initial)

    def add_prefix(self, field_name: str) -> str:
        return html_name(field_name, self.item)


def html_name(field_name: str, item: Item) -> str:
    """An item row's field, by name and id on the page: the field, then the item's code."""
    return f"{field_name}-{item.code}"
