"""Demo self-assessments at every stage so far: not started, drafts of every length, returned
with a comment, submitted, recommended, and one district's list already sent to the office.

环翠区 and 文登区 have demo accounts, so their submissions move through the real action
functions (and the audit log shows it); other districts get drafts and submitted rows directly.
"""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from campaign.assessment.actions import do_submit
from campaign.district.actions import do_forward_district, do_recommend, do_return
from campaign.pipeline.figures import freeze_figures, write_auto_self_scores
from campaign.pipeline.models import Campaign, CampaignPhase, ItemAssessment, Status, Submission
from campaign.pipeline.workflow import default_schedule
from communities.actions import do_update_community
from communities.models import Community, District
from standards.models import Item, scored_by_people

HUANCUI, WENDENG = "371002", "371003"
DEMO_START_DAYS_AGO = 60

# Per district: (returned, submitted, recommended, forwarded?, drafts); the rest not started.
PLANS = {
    HUANCUI: (3, 15, 3, False, 30),
    WENDENG: (1, 8, 4, True, 15),
}
OTHER_DISTRICTS = (0, 6, 0, False, 12)

EXPLANATIONS = (  # i18n-data
    "已按要求落实，相关制度、会议记录和照片见佐证材料。",
    "基本落实，台账齐全，个别环节仍在完善。",
    "已建立长效机制，居民参与度高，详见工作台账。",
)
RETURN_COMMENT = "3.2项服务设施面积与社区名录不一致，请核实后修改并补充产权证明。"  # i18n-data
RECOMMEND_REASON = "党建引领突出，服务设施达标，居民满意度高，创建特色鲜明。"  # i18n-data


def ensure_schedule(campaign: Campaign) -> None:
    """A demo campaign is always running: its dates are set around the day the demo is seeded."""
    if campaign.phases.exists():
        return
    start = timezone.localdate() - datetime.timedelta(days=DEMO_START_DAYS_AGO)
    CampaignPhase.objects.bulk_create(
        CampaignPhase(campaign=campaign, phase=phase, starts_on=begin, ends_on=end)
        for phase, (begin, end) in default_schedule(start).items()
    )


def seed_submissions(campaign: Campaign) -> int:
    """Create the demo submissions once; a campaign that already has some is left alone."""
    if campaign.submissions.exists():
        return 0
    # The items people score: the system scores the auto-verified ones when a submission is
    # submitted, and the survey the survey's.
    items = list(
        Item.objects.filter(scored_by_people(), standard_id=campaign.standard_id).order_by(
            "display_order"
        )
    )
    users = {u.username: u for u in get_user_model().objects.filter(username__contains=".")}
    created = 0
    for district_code in District.objects.order_by("display_order").values_list("code", flat=True):
        communities = list(Community.objects.filter(district__code=district_code).order_by("code"))
        plan = PLANS.get(district_code, OTHER_DISTRICTS)
        if not communities:
            continue
        created += _seed_district(campaign, items, communities, plan, district_code, users)
    return created


def _seed_district(
    campaign: Campaign,
    items: list[Item],
    communities: list[Community],
    plan: tuple[int, int, int, bool, int],
    district_code: str,
    users: dict[str, Any],
) -> int:
    returned, submitted, recommended, forwarded, drafts = plan
    complete = returned + submitted + recommended
    r = random.Random(district_code)
    chosen = communities[: complete + drafts]
    staff = users.get(_account(district_code, "staff"))
    # The rows in one transaction; the moves below are the real actions, each its own (they
    # are the outermost transaction wherever they run).
    with transaction.atomic():
        for index, community in enumerate(chosen):
            submission = Submission.objects.create(
                campaign=campaign, community=community, district_id=community.district_id
            )
            count = len(items) if index < complete else r.randint(3, len(items) - 1)
            ItemAssessment.objects.bulk_create(
                _assessment(submission, item, r, staff) for item in items[:count]
            )
    finished = chosen[:complete]
    if staff is None:
        # No demo account for this district: submitted as if by its staff, the figures frozen
        # and the auto-verified items scored as submitting does.
        Submission.objects.filter(campaign=campaign, community__in=finished).update(
            status=Status.SUBMITTED, submitted_at=timezone.now()
        )
        office = get_user_model().objects.get(username="office")
        for submission in Submission.objects.filter(campaign=campaign, community__in=finished):
            write_auto_self_scores(submission, freeze_figures(submission, office), office)
        return len(chosen)
    admin = users[_account(district_code, "admin")]
    ids = dict(
        Submission.objects.filter(campaign=campaign, community__in=finished).values_list(
            "community_id", "pk"
        )
    )
    for community in finished:
        do_submit(ids[community.pk], actor=staff)
    for community in finished[:returned]:
        do_return(ids[community.pk], RETURN_COMMENT, actor=admin)
    for rank, community in enumerate(finished[returned : returned + recommended], start=1):
        do_recommend(ids[community.pk], rank, RECOMMEND_REASON, actor=admin)
    if forwarded:
        do_forward_district(campaign.pk, finished[0].district_id, actor=admin)
        # The district corrects a figure after sending its list: the office sees
        # "提交后已修改" on the audit page and re-checks it before passing.
        sent = finished[returned]
        workers = (sent.full_time_workers or 6) - 2
        do_update_community(sent.pk, {"full_time_workers": workers}, actor=admin)
    return len(chosen)


def _account(district_code: str, kind: str) -> str:
    return {HUANCUI: "huancui", WENDENG: "wendeng"}.get(district_code, "-") + "." + kind


def _assessment(submission: Submission, item: Item, r: random.Random, staff: Any) -> ItemAssessment:
    share = r.choice((Decimal(1), Decimal(1), Decimal("0.75"), Decimal("0.5")))
    score = (item.max_points * share * 2).to_integral_value() / 2
    return ItemAssessment(
        submission=submission,
        item=item,
        self_score=score,
        explanation=r.choice(EXPLANATIONS),
        version=1,
        updated_by=staff,
    )
