"""Template helpers showing a survey's figures the same way on every page."""

from django import template

from campaign.pipeline.rates import sample_text

register = template.Library()


@register.simple_tag
def satisfaction(satisfied: int | None, valid: int | None, sample_size: int | None = None) -> str:
    """{% satisfaction satisfied valid sample_size %}: the rate with its sample and interval."""
    return sample_text(satisfied, valid, sample_size)
