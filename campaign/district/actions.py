"""Submitting, and the district admin's return, recommendation and forwarding."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.district.models import DistrictRecommendation
from campaign.kernel import audit_log
from campaign.kernel.users import Actor
from campaign.pipeline.actions import bounded_text, locked, move
from campaign.pipeline.figures import frozen_figures, write_auto_audits
from campaign.pipeline.items import MAX_COMMENT
from campaign.pipeline.models import DISTRICT_STATES, DistrictQuota, Status, Submission
from campaign.pipeline.workflow import Action, ActionRefused

# A place is used once the district recommends a community, whatever becomes of it later
# (forwarded, audited, surveyed, named or turned down): the count never drops as it moves on.
PLACE_USED = Q(status=Status.RECOMMENDED) | ~Q(status__in=DISTRICT_STATES)


def do_return(
    submission_id: int, comment: str, *, actor: Actor, ip: str | None = None
) -> Submission:
    comment = bounded_text(comment, MAX_COMMENT, _("退回意见"))
    if not comment:
        raise ActionRefused(_("退回时必须填写退回意见，说明需要修改的内容。"))
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        submission.return_comment = comment
        submission.rank = None
        submission.recommendation_reason = ""
        move(submission, Action.RETURN, actor=actor, ip=ip, comment=comment)
    return submission


def do_recommend(
    submission_id: int, rank: int, reason: str, *, actor: Actor, ip: str | None = None
) -> Submission:
    """Put a submitted community on the district's list, within the district's quota."""
    reason = bounded_text(reason, MAX_COMMENT, _("推荐理由"))
    if not reason:
        raise ActionRefused(_("请填写推荐理由。"))
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        _refuse_if_forwarded(submission)
        # Locking the quota row serialises recommendations within one district.
        quota = (
            DistrictQuota.objects.select_for_update()
            .filter(campaign_id=submission.campaign_id, district_id=submission.district_id)
            .first()
        )
        places = quota.quota if quota else 0
        if not 1 <= rank <= places:
            raise ActionRefused(
                _("推荐排序应在1到%(n)d之间（本区市推荐名额%(n)d个）。") % {"n": places}
            )
        # Before the list is sent (checked above) every place used is a recommendation.
        others = Submission.objects.filter(
            campaign_id=submission.campaign_id,
            district_id=submission.district_id,
            status=Status.RECOMMENDED,
        ).exclude(pk=submission.pk)
        if others.count() >= places:
            raise ActionRefused(
                _("本区市推荐名额为%(n)d个，已全部用完。请先撤销其他社区的推荐。") % {"n": places}
            )
        taken = others.filter(rank=rank).first()
        if taken is not None:
            raise ActionRefused(
                _("排序第%(rank)d位已给了%(community)s，请换一个排序。")
                % {"rank": rank, "community": taken.community}
            )
        submission.rank = rank
        submission.recommendation_reason = reason
        move(
            submission,
            Action.RECOMMEND,
            actor=actor,
            ip=ip,
            comment=reason,
            details={"rank": rank},
        )
    return submission


def _refuse_if_forwarded(submission: Submission) -> None:
    if DistrictRecommendation.objects.filter(
        campaign_id=submission.campaign_id, district_id=submission.district_id
    ).exists():
        raise ActionRefused(_("本区市的推荐已报送市办，不能再调整推荐名单。"))


def do_withdraw_recommendation(
    submission_id: int, *, actor: Actor, ip: str | None = None
) -> Submission:
    with transaction.atomic(durable=True):
        submission = locked(submission_id)
        submission.rank = None
        submission.recommendation_reason = ""
        move(submission, Action.WITHDRAW, actor=actor, ip=ip)
    return submission


def do_forward_district(
    campaign_id: int, district_id: int, *, actor: Actor, ip: str | None = None
) -> DistrictRecommendation:
    """Send the district's recommended communities to the office. It happens once; from then
    on those submissions are locked for the district."""
    with transaction.atomic(durable=True):
        DistrictQuota.objects.select_for_update().filter(
            campaign_id=campaign_id, district_id=district_id
        ).first()
        if DistrictRecommendation.objects.filter(
            campaign_id=campaign_id, district_id=district_id
        ).exists():
            raise ActionRefused(_("本区市的推荐已报送市办，不能重复报送。"))
        chosen = list(
            Submission.objects.select_for_update(of=("self",))
            .select_related("campaign", "community")
            .filter(campaign_id=campaign_id, district_id=district_id, status=Status.RECOMMENDED)
            .order_by("rank")
        )
        if not chosen:
            raise ActionRefused(_("还没有推荐任何社区，不能报送。"))
        for submission in chosen:
            move(submission, Action.FORWARD, actor=actor, ip=ip)
            # The office finds the auto-verified items audited by the system, from the figures
            # frozen at submission (none for a submission from before they were frozen).
            figures = frozen_figures(submission)
            if figures is not None:
                write_auto_audits(submission, figures, actor)
        recommendation = DistrictRecommendation.objects.create(
            campaign_id=campaign_id,
            district_id=district_id,
            forwarded_at=timezone.now(),
            forwarded_by=actor,
        )
        audit_log.record(
            "district.forward",
            actor=actor,
            target=recommendation,
            district_id=district_id,
            details={"communities": [s.community.code for s in chosen]},
            ip=ip,
        )
    return recommendation
