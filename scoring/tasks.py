"""Celery's autodiscovery imports each app's ``tasks``; the tasks themselves are defined beside
the functions they run, with explicit names."""

from scoring.engine import schedule
from scoring.exports import actions

__all__ = ["actions", "schedule"]
