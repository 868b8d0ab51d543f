"""Every part of the campaign app brings its own URLs, included here one way."""

from django.urls import include, path

PARTS = (
    "home",
    "register",
    "pipeline",
    "assessment",
    "district",
    "audit",
    "survey",
    "joint",
    "decision",
    "publication",
)

urlpatterns = [path("", include(f"campaign.{part}.urls")) for part in PARTS]
