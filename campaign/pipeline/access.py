"""The one way views reach submissions and evidence. District roles see their own district's;
city roles see a submission only once its district has sent it to the office. Anything outside
the scope is not found (404); a role without the capability is refused (403)."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from campaign.kernel.roles import Capability, Role, scope_of
from campaign.kernel.users import Actor
from campaign.pipeline.models import (
    DISTRICT_STATES,
    FROM_JOINT_REVIEW,
    Campaign,
    EvidenceFile,
    Status,
    Submission,
)
from communities.access import get_community_for_user
from communities.models import Community

# What the office and the leading group may read: what districts have sent on.
CITY_VISIBLE_STATES = frozenset(Status) - DISTRICT_STATES
# Member units see the candidates from the joint review on, never those the office turned down.
UNIT_VISIBLE_STATES = frozenset(FROM_JOINT_REVIEW)


def campaign_or_404(year: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("standard"), year=year)


def submissions_for(
    user: Actor, campaign: Campaign, capability: Capability = Capability.VIEW_SUBMISSIONS
) -> QuerySet[Submission]:
    scope = scope_of(user)
    scope.require(capability)
    submissions = Submission.objects.filter(campaign=campaign).select_related(
        "community", "district"
    )
    if scope.is_district_bound:
        return scope.restrict(submissions)
    if scope.role == Role.UNIT_REVIEWER:
        return submissions.filter(status__in=UNIT_VISIBLE_STATES)
    return submissions.filter(status__in=CITY_VISIBLE_STATES)


@dataclass(frozen=True)
class AssessmentTarget:
    """A community's self-assessment page: the submission exists once something was saved."""

    campaign: Campaign
    community: Community
    submission: Submission | None


def get_assessment_for_user(
    user: Actor, year: int, code: str, capability: Capability = Capability.VIEW_SUBMISSIONS
) -> AssessmentTarget:
    campaign = campaign_or_404(year)
    scope = scope_of(user)
    scope.require(capability)
    if scope.is_district_bound:
        community = get_community_for_user(user, code, capability)
        submission = Submission.objects.filter(campaign=campaign, community=community).first()
        return AssessmentTarget(campaign, community, submission)
    submission = get_submission_for_user(user, campaign, code, capability)
    community = get_community_for_user(user, code)
    return AssessmentTarget(campaign, community, submission)


def get_submission_for_user(
    user: Actor, campaign: Campaign, code: str, capability: Capability = Capability.VIEW_SUBMISSIONS
) -> Submission:
    return get_object_or_404(submissions_for(user, campaign, capability), community__code=code)


def get_evidence_for_user(user: Actor, evidence_id: int) -> EvidenceFile:
    """An evidence file, if the user may read the submission it belongs to."""
    evidence = get_object_or_404(
        EvidenceFile.objects.select_related("submission__campaign"), pk=evidence_id
    )
    visible = submissions_for(user, evidence.submission.campaign).filter(pk=evidence.submission_id)
    if not visible.exists():
        raise Http404
    return evidence
