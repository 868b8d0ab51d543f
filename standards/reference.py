"""Loading the configured member units and the shipped default standard idempotently."""

import json
from pathlib import Path

from django.db import transaction

from standards.actions import ImportOutcome, do_import_standard
from standards.content import DEFAULT_STANDARD_FILE, content_from_json
from standards.models import MemberUnit, Standard

MEMBER_UNITS_FILE = Path(__file__).parent / "data" / "member_units.json"


@transaction.atomic
def load_member_units(path: Path = MEMBER_UNITS_FILE) -> int:
    units = json.loads(path.read_text(encoding="utf-8"))["units"]
    for unit in units:
        MemberUnit.objects.update_or_create(
            code=unit["code"], defaults={"name": unit["name"], "display_order": unit["order"]}
        )
    return len(units)


def load_default_standard(path: Path = DEFAULT_STANDARD_FILE) -> ImportOutcome | None:
    """Install the shipped standard unless that year and version already exist (never
    overwrites a standard an administrator has edited)."""
    content = content_from_json(path)
    if Standard.objects.filter(year=content.meta.year, version=content.meta.version).exists():
        return None
    return do_import_standard(content, filename=path.name)
