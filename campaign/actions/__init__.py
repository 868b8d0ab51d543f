"""Every change to campaigns and submissions. Each function runs in one transaction, locks the
rows it changes, checks the transition table (``campaign.workflow``), and writes its audit row
in that transaction. Grouped by who does the work: the district's (re-exported here), and the
review pipeline's in ``review`` (office audit, survey), ``joint`` (member units), ``decision``
(leading group) and ``publication`` (notice, objections, naming)."""

from campaign.actions.assessment import (
    SaveOutcome,
    SheetImportOutcome,
    StaleItem,
    do_apply_assessment_sheet,
    do_save_item,
)
from campaign.actions.campaigns import (
    COMMUNITIES_PER_QUOTA_PLACE,
    do_create_campaign,
    do_extend_phase,
)
from campaign.actions.district import (
    do_forward_district,
    do_recommend,
    do_return,
    do_submit,
    do_withdraw_recommendation,
)
from campaign.actions.evidence import (
    EvidenceOutcome,
    do_link_evidence,
    do_unlink_evidence,
    do_upload_evidence,
)

__all__ = [
    "COMMUNITIES_PER_QUOTA_PLACE",
    "EvidenceOutcome",
    "SaveOutcome",
    "SheetImportOutcome",
    "StaleItem",
    "do_apply_assessment_sheet",
    "do_create_campaign",
    "do_extend_phase",
    "do_forward_district",
    "do_link_evidence",
    "do_recommend",
    "do_return",
    "do_save_item",
    "do_submit",
    "do_unlink_evidence",
    "do_upload_evidence",
    "do_withdraw_recommendation",
]
