"""Loading the configured districts and streets (communities/data/*.json) idempotently."""

import json
from pathlib import Path

from django.db import transaction

from communities.models import District, Street

DISTRICTS_FILE = Path(__file__).parent / "data" / "weihai_districts.json"


@transaction.atomic
def load_districts(path: Path = DISTRICTS_FILE) -> tuple[int, int]:
    data = json.loads(path.read_text(encoding="utf-8"))
    street_count = 0
    for entry in data["districts"]:
        district, _ = District.objects.update_or_create(
            code=entry["code"],
            defaults={
                "code_is_official": entry["code_is_official"],
                "name": entry["name"],
                "short_name": entry["short_name"],
                "aliases": entry["aliases"],
                "kind": entry["kind"],
                "display_order": entry["display_order"],
            },
        )
        for street in entry["streets"]:
            Street.objects.update_or_create(
                code=street["code"], defaults={"name": street["name"], "district": district}
            )
            street_count += 1
    return len(data["districts"]), street_count
