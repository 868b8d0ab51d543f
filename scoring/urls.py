"""Every part of the scoring app brings its own URLs, included here one way."""

from django.urls import include, path

PARTS = ("rules", "exports", "dashboard")

urlpatterns = [path("", include(f"scoring.{part}.urls")) for part in PARTS]
