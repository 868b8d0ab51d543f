"""The campaign app's models, for Django to find: each lives in the part of the app it belongs
to (the kernel, the pipeline's record, or one stage). Code imports them from there."""

from campaign.decision.models import DecisionMeeting
from campaign.district.models import DistrictRecommendation
from campaign.home.models import WorkerProbe
from campaign.joint.models import Reminder
from campaign.kernel.models import AuditEvent, Profile
from campaign.pipeline.models import (
    Campaign,
    CampaignPhase,
    DistrictQuota,
    EvidenceFile,
    ItemAssessment,
    ItemAudit,
    RegisterFigures,
    Submission,
    UnitOpinion,
    UnitVeto,
)
from campaign.publication.models import Objection, PublicNotice
from campaign.survey.models import (
    SurveyCode,
    SurveyConfig,
    SurveyImport,
    SurveyItemPoints,
    SurveyOption,
    SurveyPointTier,
    SurveyQuestion,
    SurveyResponse,
    SurveyTally,
)

__all__ = [
    "AuditEvent",
    "Campaign",
    "CampaignPhase",
    "DecisionMeeting",
    "DistrictQuota",
    "DistrictRecommendation",
    "EvidenceFile",
    "ItemAssessment",
    "ItemAudit",
    "Objection",
    "Profile",
    "PublicNotice",
    "RegisterFigures",
    "Reminder",
    "Submission",
    "SurveyCode",
    "SurveyConfig",
    "SurveyImport",
    "SurveyItemPoints",
    "SurveyOption",
    "SurveyPointTier",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyTally",
    "UnitOpinion",
    "UnitVeto",
    "WorkerProbe",
]
