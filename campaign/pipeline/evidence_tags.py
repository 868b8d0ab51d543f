"""Template helpers for the evidence part of each item on the self-assessment page."""

from collections.abc import Iterable

from django import template
from django.conf import settings
from django.utils.translation import gettext as _

from campaign.pipeline.files import ACCEPT_ATTRIBUTE, KINDS, accepted_types_text, megabytes
from campaign.pipeline.models import EvidenceFile

register = template.Library()


@register.simple_tag
def evidence_accept() -> str:
    """The file picker's ``accept`` hint (the server decides by content anyway)."""
    return ACCEPT_ATTRIBUTE


@register.simple_tag
def evidence_rules() -> str:
    return _(
        "可上传%(types)s，单个文件不超过 %(file)s，本社区全部材料合计不超过 %(total)s。"
        "同一个文件可以关联多个小项，不必重复上传。"
    ) % {
        "types": accepted_types_text(),
        "file": megabytes(settings.EVIDENCE_MAX_FILE_BYTES),
        "total": megabytes(settings.EVIDENCE_MAX_SUBMISSION_BYTES),
    }


@register.filter
def kind_label(kind: str) -> str:
    found = KINDS.get(kind)
    return str(found.label) if found else kind


@register.filter
def not_linked(
    library: Iterable[EvidenceFile], linked: Iterable[EvidenceFile]
) -> list[EvidenceFile]:
    """The library's files that this item does not use yet."""
    used = {file.pk for file in linked}
    return [file for file in library if file.pk not in used]
