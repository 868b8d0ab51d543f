"""The district admin's page (区市推荐): return a submission, recommend within the quota,
send the district's list to the office."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.district import actions
from campaign.district.forms import RecommendForm, ReturnForm
from campaign.district.models import DistrictRecommendation
from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline import items
from campaign.pipeline.access import campaign_or_404, get_submission_for_user, submissions_for
from campaign.pipeline.forms import run_form_action
from campaign.pipeline.models import (
    DistrictQuota,
    Status,
    Submission,
)
from campaign.pipeline.workflow import Action, ActionRefused, actions_for, refusal

PAGE_SIZE = 50


@login_required
def district_review(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    scope = scope_of(request.user)
    submissions = submissions_for(request.user, campaign, Capability.REVIEW_DISTRICT)
    ordered = items.with_progress(submissions).order_by("rank", "community__code")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    quota = scope.restrict(DistrictQuota.objects.filter(campaign=campaign)).first()
    recommended = submissions.filter(status__in=[Status.RECOMMENDED, Status.FORWARDED]).count()
    forwarded = (
        scope.restrict(DistrictRecommendation.objects.filter(campaign=campaign))
        .select_related("forwarded_by")
        .first()
    )
    rows = [
        (s, [a.value for a in actions_for(s.status, scope.role)] if not forwarded else [])
        for s in page
    ]
    return render(
        request,
        "campaign/district/recommendation.html",
        {
            "campaign": campaign,
            "year": year,
            "page": page,
            "rows": rows,
            "item_total": items.item_count(campaign),
            "quota": quota.quota if quota else 0,
            "recommended": recommended,
            "forwarded": forwarded,
            "closed_reason": refusal(campaign, Status.SUBMITTED, Action.RETURN, scope.role),
            "ranks": range(1, (quota.quota if quota else 0) + 1),
        },
    )


def _review_target(request: AuthenticatedRequest, year: int, code: str) -> Submission:
    campaign = campaign_or_404(year)
    return get_submission_for_user(request.user, campaign, code, Capability.REVIEW_DISTRICT)


@login_required
@require_POST
def return_submission(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    submission = _review_target(request, year, code)
    form = ReturnForm(request.POST)
    run_form_action(
        request,
        form,
        lambda data: actions.do_return(
            submission.pk, data["comment"], actor=request.user, ip=client_ip(request)
        ),
        _("已将%(community)s退回修改。") % {"community": submission.community},
    )
    return redirect("district_review", year=year)


@login_required
@require_POST
def recommend(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    submission = _review_target(request, year, code)
    form = RecommendForm(request.POST)
    run_form_action(
        request,
        form,
        lambda data: actions.do_recommend(
            submission.pk, data["rank"], data["reason"], actor=request.user, ip=client_ip(request)
        ),
        _("已将%(community)s列入推荐。") % {"community": submission.community},
    )
    return redirect("district_review", year=year)


@login_required
@require_POST
def withdraw(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    submission = _review_target(request, year, code)
    try:
        actions.do_withdraw_recommendation(submission.pk, actor=request.user, ip=client_ip(request))
        messages.success(
            request, _("已撤销%(community)s的推荐。") % {"community": submission.community}
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
    return redirect("district_review", year=year)


@login_required
@require_POST
def forward(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    scope = scope_of(request.user)
    scope.require(Capability.REVIEW_DISTRICT)
    try:
        recommendation = actions.do_forward_district(
            campaign.pk, scope.district_id or 0, actor=request.user, ip=client_ip(request)
        )
        messages.success(
            request,
            _("%(district)s的推荐已报送领导小组办公室。") % {"district": recommendation.district},
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
    return redirect("district_review", year=year)
