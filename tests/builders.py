"""Submissions put straight into a pipeline state, with the data that state implies, for tests of
the later stages. Written directly, not through the actions: the actions' own tests walk them."""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from campaign.decision.models import DecisionMeeting
from campaign.pipeline.figures import (
    freeze_figures,
    frozen_figures,
    write_auto_audits,
    write_auto_self_scores,
)
from campaign.pipeline.models import (
    Campaign,
    CampaignPhase,
    ItemAssessment,
    ItemAudit,
    Status,
    Submission,
    UnitOpinion,
)
from campaign.publication.models import PublicNotice
from campaign.survey.defaults import config_for
from campaign.survey.models import (
    Channel,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
    SurveyTally,
)
from communities.models import Community
from standards.models import Item

_S = Status
# Each state and the stages a submission in it has been through.
_PASSED_AUDIT = {
    _S.SURVEYING,
    _S.JOINT_REVIEW,
    _S.AWAITING_DECISION,
    _S.APPROVED,
    _S.NOT_APPROVED,
    _S.IN_NOTICE,
    _S.REMOVED,
    _S.NAMED,
    _S.RECOMMENDED_UPWARD,
}
_SURVEYED = _PASSED_AUDIT - {_S.SURVEYING}
_REVIEWED = _SURVEYED - {_S.JOINT_REVIEW}
_DECIDED = _REVIEWED - {_S.AWAITING_DECISION}
_NOTICED = {_S.IN_NOTICE, _S.REMOVED, _S.NAMED, _S.RECOMMENDED_UPWARD}
_SUBMITTED = {
    _S.SUBMITTED,
    _S.RECOMMENDED,
    _S.FORWARDED,
    _S.REVISING,
    _S.REJECTED,
} | _PASSED_AUDIT


def today() -> datetime.date:
    return timezone.localdate()


def open_every_phase(campaign: Campaign) -> None:
    """Every phase open today, so any stage's action may run."""
    CampaignPhase.objects.filter(campaign=campaign).update(
        starts_on=today() - datetime.timedelta(days=30),
        ends_on=today() + datetime.timedelta(days=30),
    )
    if hasattr(campaign, "_phase_dates"):
        del campaign._phase_dates


def self_score(item: Item) -> Decimal:
    """Four fifths of the item's points, in half points."""
    return (item.max_points * Decimal("1.6")).quantize(Decimal(1), ROUND_HALF_UP) / 2


def self_assess_every_item(submission: Submission, items: list[Item], actor: Any) -> None:
    """Every item people score, self-scored; the auto-verified items scored by the system from
    the figures the submission froze (as submitting does); survey items left to the survey."""
    ItemAssessment.objects.bulk_create(
        ItemAssessment(
            submission=submission,
            item=item,
            self_score=self_score(item),
            explanation=f"{item.title}已按要求落实。",
            updated_by=actor,
        )
        for item in items
        if not item.is_system_scored
    )
    write_auto_self_scores(submission, freeze_figures(submission, actor), actor)


def audit_every_item(
    submission: Submission, items: list[Item], actor: Any, revision_request: str = ""
) -> None:
    """The office accepts every self-score in the current round (the system scores the
    auto-verified items, the survey the survey items)."""
    ItemAudit.objects.bulk_create(
        ItemAudit(
            submission=submission,
            item=item,
            round=submission.audit_round,
            audited_score=self_score(item),
            revision_request=revision_request,
            updated_by=actor,
        )
        for item in items
        if not item.is_system_scored
    )
    figures = frozen_figures(submission)
    if figures is not None:
        write_auto_audits(submission, figures, actor)


def answer_survey(
    submission: Submission,
    overall: dict[str, int] | None = None,
    *,
    collector: str = "调查员甲",
    channel: str = Channel.PHONE,
) -> list[SurveyResponse]:
    """Questionnaires written directly, each answering every question as it answers the
    overall one; ``overall`` maps an option label to how many (default 40 满意, 8 基本满意,
    2 不满意: 48 of 50 satisfied)."""
    overall = overall or {"满意": 40, "基本满意": 8, "不满意": 2}
    config_for(submission.campaign)
    questions = list(SurveyQuestion.objects.filter(campaign=submission.campaign))
    options = {o.label: o for o in SurveyOption.objects.filter(campaign=submission.campaign)}
    now = timezone.now()
    chosen = [options[label] for label, n in overall.items() for _i in range(n)]
    existing = SurveyResponse.objects.filter(submission=submission).count()
    return SurveyResponse.objects.bulk_create(
        SurveyResponse(
            submission=submission,
            channel=channel,
            collector=collector,
            reference=f"T{existing + n:05d}",
            started_at=now - datetime.timedelta(minutes=2),
            finished_at=now,
            duration_seconds=120,
            pattern=str(option.position) * len(questions),
        )
        for n, option in enumerate(chosen)
    )


def record_tally(submission: Submission, actor: Any) -> SurveyTally:
    """The default questionnaires, and the result frozen as the end of the survey freezes it."""
    answer_survey(submission)
    return SurveyTally.objects.create(
        submission=submission,
        satisfied=48,
        valid=50,
        sample_size=config_for(submission.campaign).sample_size,
        points=Decimal(16),
        source="测试调查公司报告",
        recorded_by=actor,
    )


def review_every_item(submission: Submission, items: list[Item], actor: Any) -> None:
    """Every responsible unit agrees on every item (``items`` with their units prefetched)."""
    UnitOpinion.objects.bulk_create(
        UnitOpinion(submission=submission, item=item, unit=unit, agrees=True, updated_by=actor)
        for item in items
        for unit in item.units.all()
    )


def submission_at(
    campaign: Campaign, community: Community, status: Status, *, actor: Any
) -> Submission:
    submission = Submission.objects.create(
        campaign=campaign,
        community=community,
        district_id=community.district_id,
        status=status,
        submitted_at=timezone.now() if status in _SUBMITTED else None,
    )
    items = list(Item.objects.filter(standard_id=campaign.standard_id).prefetch_related("units"))
    if status in _SUBMITTED:
        self_assess_every_item(submission, items, actor)
    if status in _PASSED_AUDIT:
        audit_every_item(submission, items, actor)
    if status in _SURVEYED:
        record_tally(submission, actor)
    if status in _REVIEWED:
        review_every_item(submission, items, actor)
    if status in _DECIDED:
        submission.decision_meeting = DecisionMeeting.objects.create(
            campaign=campaign, held_on=today(), title="领导小组会议", recorded_by=actor
        )
    if status in _NOTICED:
        submission.notice = PublicNotice.objects.create(
            campaign=campaign,
            starts_on=today() - datetime.timedelta(days=1),
            ends_on=today() + datetime.timedelta(days=6),
            contact="市民政局基层政权建设和社区治理科，电话 0631-0000000",
            published_by=actor,
        )
    if status in {_S.NAMED, _S.RECOMMENDED_UPWARD}:
        submission.named_on = today()
    submission.save()
    return submission
