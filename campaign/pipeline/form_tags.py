"""Template helpers for forms shown again with what was typed."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    """``{{ kept|get_item:code }}``: the entry for ``key``, or an empty dict."""
    return (mapping or {}).get(key) or {}
