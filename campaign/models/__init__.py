from .accounts import DISTRICT_ROLE_VALUES, AuditEvent, Profile, WorkerProbe
from .campaigns import Campaign, CampaignPhase, CampaignQuerySet, DistrictQuota, Phase
from .submissions import (
    DONE,
    EDITABLE_STATES,
    DistrictRecommendation,
    EvidenceFile,
    ItemAssessment,
    Status,
    Submission,
)

__all__ = [
    "DISTRICT_ROLE_VALUES",
    "DONE",
    "EDITABLE_STATES",
    "AuditEvent",
    "Campaign",
    "CampaignPhase",
    "CampaignQuerySet",
    "DistrictQuota",
    "DistrictRecommendation",
    "EvidenceFile",
    "ItemAssessment",
    "Phase",
    "Profile",
    "Status",
    "Submission",
    "WorkerProbe",
]
