from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from communities.reference import load_districts
from standards.reference import load_default_standard, load_member_units


class Command(BaseCommand):
    help = _("载入区市和街道名录、成员单位名单、2020年默认创建标准（可重复运行）。")

    def handle(self, *args: Any, **options: Any) -> None:
        districts, streets = load_districts()
        units = load_member_units()
        outcome = load_default_standard()
        self.stdout.write(
            _("区市 %(districts)d 个，街道（镇）%(streets)d 个，成员单位 %(units)d 个。")
            % {"districts": districts, "streets": streets, "units": units}
        )
        self.stdout.write(outcome.message if outcome else _("默认创建标准已存在，未改动。"))
