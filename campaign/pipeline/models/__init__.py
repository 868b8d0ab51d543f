"""The submission record every stage reads: campaigns and their timetable, submissions and their
states, and the rows each stage writes about a submission's items (self-scores and evidence,
the office's audit, member units' opinions and vetoes). Stage-own rows live in the stages."""

from campaign.pipeline.models.campaigns import (
    Campaign,
    CampaignPhase,
    CampaignQuerySet,
    DistrictQuota,
    Phase,
)
from campaign.pipeline.models.figures import FROZEN_FIGURES, RegisterFigures
from campaign.pipeline.models.submissions import (
    DISTRICT_STATES,
    DONE,
    EDITABLE_STATES,
    FROM_DECISION,
    FROM_JOINT_REVIEW,
    NAMED_STATES,
    EvidenceFile,
    ItemAssessment,
    PrivateAttachment,
    Status,
    Submission,
    UpwardLevel,
)
from campaign.pipeline.models.verdicts import ItemAudit, UnitOpinion, UnitVeto

__all__ = [
    "DISTRICT_STATES",
    "DONE",
    "EDITABLE_STATES",
    "FROM_DECISION",
    "FROM_JOINT_REVIEW",
    "FROZEN_FIGURES",
    "NAMED_STATES",
    "Campaign",
    "CampaignPhase",
    "CampaignQuerySet",
    "DistrictQuota",
    "EvidenceFile",
    "ItemAssessment",
    "ItemAudit",
    "Phase",
    "PrivateAttachment",
    "RegisterFigures",
    "Status",
    "Submission",
    "UnitOpinion",
    "UnitVeto",
    "UpwardLevel",
]
