from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from standards.actions import do_freeze

from . import audit
from .models import Campaign


def do_create_campaign(
    year: int, name: str, standard_id: int, *, actor: Any = None, ip: str | None = None
) -> Campaign:
    """A campaign freezes its standard: from now on changes to it become a new version."""
    with transaction.atomic():
        campaign = Campaign.objects.create(year=year, name=name, standard_id=standard_id)
        do_freeze(
            standard_id, actor=actor, reason=_("被%(campaign)s使用。") % {"campaign": name}, ip=ip
        )
        audit.record("campaign.create", actor=actor, target=campaign, ip=ip)
    return campaign
