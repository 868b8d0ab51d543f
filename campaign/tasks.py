"""Celery's autodiscovery imports each app's ``tasks``; the tasks themselves are defined beside
the functions they run, with explicit names."""

from campaign.home import system

__all__ = ["system"]
