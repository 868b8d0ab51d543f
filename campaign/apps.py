from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The stages that implement a precondition of the transition table (``conditions.py``).
STAGES_WITH_PRECONDITIONS = ("audit", "survey", "joint", "decision", "publication")


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("创建活动")

    def ready(self) -> None:
        for stage in STAGES_WITH_PRECONDITIONS:
            import_module(f"campaign.{stage}.conditions")
