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
from campaign.district.outcome import outcome_of
from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline import items
from campaign.pipeline.access import campaign_or_404, get_submission_for_user, submissions_for
from campaign.pipeline.forms import run_form_action
from campaign.pipeline.models import (
    FROM_JOINT_REVIEW,
    DistrictQuota,
    Status,
    Submission,
)
from campaign.pipeline.workflow import Action, ActionRefused, actions_for, refusal

PAGE_SIZE = 50
# The survey is behind these: its result is part of the community's outcome.
SURVEYED_STATES = frozenset(FROM_JOINT_REVIEW)


@login_required
def district_review(request: AuthenticatedRequest, year: int) -> HttpResponse:
    return _render_review(request, year)


def _render_review(
    request: AuthenticatedRequest,
    year: int,
    kept: dict[str, dict[str, str]] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """The district's page; ``kept`` holds, by community code, what was typed in a refused
    form, shown again in that community's form (open)."""
    campaign = campaign_or_404(year)
    scope = scope_of(request.user)
    submissions = submissions_for(request.user, campaign, Capability.REVIEW_DISTRICT)
    ordered = items.with_progress(submissions).order_by("rank", "community__code")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    quota = scope.restrict(DistrictQuota.objects.filter(campaign=campaign)).first()
    recommended = submissions.filter(actions.PLACE_USED).count()
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
            "kept": kept or {},
        },
        status=status,
    )


def _review_target(request: AuthenticatedRequest, year: int, code: str) -> Submission:
    campaign = campaign_or_404(year)
    return get_submission_for_user(request.user, campaign, code, Capability.REVIEW_DISTRICT)


@login_required
@require_POST
def return_submission(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    submission = _review_target(request, year, code)
    form = ReturnForm(request.POST)
    done = run_form_action(
        request,
        form,
        lambda data: actions.do_return(
            submission.pk, data["comment"], actor=request.user, ip=client_ip(request)
        ),
        _("已将%(community)s退回修改。") % {"community": submission.community},
    )
    if not done:
        typed = {"comment": request.POST.get("comment", ""), "form": "return"}
        return _render_review(request, year, {code: typed}, status=400)
    return redirect("district_review", year=year)


@login_required
@require_POST
def recommend(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    submission = _review_target(request, year, code)
    form = RecommendForm(request.POST)
    done = run_form_action(
        request,
        form,
        lambda data: actions.do_recommend(
            submission.pk, data["rank"], data["reason"], actor=request.user, ip=client_ip(request)
        ),
        _("已将%(community)s列入推荐。") % {"community": submission.community},
    )
    if not done:
        # Refused: the page again with the rank and the reason as typed.
        typed = {"rank": request.POST.get("rank", ""), "reason": request.POST.get("reason", "")}
        return _render_review(request, year, {code: {**typed, "form": "recommend"}}, status=400)
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


@login_required
def outcome(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    """评审结果: each decision about the community and its reason, for its district (and the
    city roles who may read the submission); another district gets 404."""
    campaign = campaign_or_404(year)
    submission = get_submission_for_user(request.user, campaign, code)
    return render(
        request,
        "campaign/district/outcome.html",
        {
            "campaign": campaign,
            "year": year,
            "submission": submission,
            "outcome": outcome_of(submission),
            "tally": getattr(submission, "survey_tally", None)
            if submission.status in SURVEYED_STATES
            else None,
        },
    )
