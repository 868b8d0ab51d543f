"""The scoring app's models, for Django to find: snapshots and the rules they were computed by
live in ``scoring.engine``, export jobs in ``scoring.exports``. Code imports them from there."""

from scoring.engine.models import ScoreSnapshot, ScoringRules
from scoring.exports.models import ExportJob

__all__ = ["ExportJob", "ScoreSnapshot", "ScoringRules"]
