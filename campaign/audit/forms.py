"""The audit page's item rows, parsed at the edge: one small form per item.

Each form's prefix is the item's code, and its fields keep the names the page has always
sent (``score-1.1``, ``reason-1.1``, ``comment-1.1``, ``request-1.1``), which are also the
inputs' ids."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaign.audit.actions import AuditRow
from campaign.pipeline.actions import plain_number
from campaign.pipeline.forms import ItemRowForm, html_name
from campaign.pipeline.items import MAX_COMMENT, ScoreError, parse_score
from campaign.pipeline.models import ItemAudit
from standards.models import Item

TEXT_ERRORS = {"max_length": _("不能超过%(limit_value)d字。")}


def _text() -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=MAX_COMMENT,
        error_messages=TEXT_ERRORS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AuditItemForm(ItemRowForm):
    # Free text, parsed by clean_score, so the score rule stays in parse_score alone.
    score = forms.CharField(
        required=False,
        max_length=20,
        error_messages=TEXT_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6, "autocomplete": "off"}),
    )
    reason = _text()
    comment = _text()
    request = _text()
    # The row's version when the page was opened: a save on an older one is refused.
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean_score(self) -> Decimal | None:
        try:
            return parse_score(self.cleaned_data["score"], self.item.max_points)
        except ScoreError as exc:
            raise ValidationError(str(exc), code="score") from exc

    def row(self) -> AuditRow:
        """The typed row for the action; only for a valid form."""
        data = self.cleaned_data
        return AuditRow(
            score=data["score"],
            reason=data["reason"],
            comment=data["comment"],
            revision_request=data["request"],
            version=data["version"],
        )


def sent(data: Mapping[str, Any], item: Item) -> bool:
    """Whether the page sent this item's row; an item it did not send is left as it is. An
    auto-verified item's row sends only its revision request (the system scores it)."""
    return html_name("score", item) in data or html_name("request", item) in data


def initial_for(audit: ItemAudit | None, carried: ItemAudit | None) -> dict[str, str]:
    """What the row shows before anything is typed: this round's audit, or else the score and
    reason carried over from last round (comments and requests belong to their round)."""
    if audit is not None:
        return {
            "score": plain_number(audit.audited_score) or "",
            "reason": audit.reason,
            "comment": audit.comment,
            "request": audit.revision_request,
            "version": str(audit.version),
        }
    if carried is not None:
        return {
            "score": plain_number(carried.audited_score) or "",
            "reason": carried.reason,
            "version": "0",
        }
    return {"version": "0"}
