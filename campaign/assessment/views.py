"""Self-assessment pages for districts, and the district admin's review and recommendation."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.assessment import actions
from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline import items
from campaign.pipeline.access import (
    AssessmentTarget,
    campaign_or_404,
    get_assessment_for_user,
    submissions_for,
)
from campaign.pipeline.figures import figure_changes, frozen_figures
from campaign.pipeline.models import (
    CampaignPhase,
    EvidenceFile,
    Phase,
    Status,
)
from campaign.pipeline.workflow import (
    Action,
    ActionRefused,
    phase_dates,
    phase_of,
    refusal,
)
from communities.access import communities_for
from standards.models import Item

PAGE_SIZE = 50
NOT_STARTED = "not_started"


@login_required
def assessment_list(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    visible = submissions_for(request.user, campaign)
    communities = communities_for(request.user).order_by("code")
    if not scope_of(request.user).is_district_bound:
        communities = communities.filter(submissions__in=visible)
    status = request.GET.get("status", "")
    started = Exists(visible.filter(community=OuterRef("pk")))
    if status == NOT_STARTED:
        communities = communities.filter(~started)
    elif status in Status.values:
        communities = communities.filter(
            Exists(visible.filter(community=OuterRef("pk"), status=status))
        )
    page = Paginator(communities, PAGE_SIZE).get_page(request.GET.get("page"))
    progress = {
        s.community_id: s for s in items.with_progress(visible.filter(community__in=list(page)))
    }
    return render(
        request,
        "campaign/assessment/list.html",
        {
            "campaign": campaign,
            "page": page,
            "rows": [(c, progress.get(c.pk)) for c in page],
            "item_total": items.item_count(campaign),
            "status": status,
            "statuses": [(NOT_STARTED, _("未开始")), *Status.choices],
            "query": f"status={status}" if status else "",
        },
    )


@login_required
def assessment_detail(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    target = get_assessment_for_user(request.user, year, code)
    return _render_detail(request, target)


def _render_detail(
    request: HttpRequest,
    target: AssessmentTarget,
    *,
    kept: dict[int, dict[str, str]] | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    scope = scope_of(request.user)
    submission = target.submission
    state = submission.status if submission else Status.DRAFT
    can_assess = scope.can(Capability.ASSESS)
    locked_reason = refusal(target.campaign, state, Action.SAVE, scope.role) if can_assess else ""
    editable = can_assess and not locked_reason
    figures = frozen_figures(submission) if submission else None
    # Until (re)submitted the auto-verified items follow the register; then the frozen figures.
    reopened = items.resubmittable(state)
    blocks = items.blocks_on_figures(
        target.campaign, target.community, submission, items.judging_figures(submission)
    )
    for block in blocks:
        for row in block.rows:
            row.kept = (kept or {}).get(row.item.pk)
    done = sum(b.progress.done for b in blocks)
    total = sum(b.progress.items for b in blocks)
    library = list(EvidenceFile.objects.filter(submission=submission)) if submission else []
    return render(
        request,
        "campaign/assessment/detail.html",
        {
            "target": target,
            "campaign": target.campaign,
            "community": target.community,
            "submission": submission,
            "year": target.campaign.year,
            "blocks": blocks,
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 0,
            "self_total": sum((b.progress.self_total for b in blocks), Decimal(0)),
            "editable": editable,
            "locked_reason": locked_reason,
            "can_submit": can_assess
            and not refusal(target.campaign, state, Action.SUBMIT, scope.role),
            "library": library,
            "figures": figures,
            "reopened": reopened,
            "figure_changes": [] if reopened else figure_changes(figures),
            "tally": items.survey_tally(submission),
            "problems": problems or [],
            "deadline": _deadline(target, state),
        },
        status=status,
    )


def _deadline(target: AssessmentTarget, state: str) -> CampaignPhase | None:
    phase = phase_of(state, Action.SAVE) or Phase.SELF_ASSESSMENT
    return phase_dates(target.campaign).get(phase)


@login_required
@require_POST
def save_item(request: AuthenticatedRequest, year: int, code: str, item_code: str) -> HttpResponse:
    """Save one item: the autosave script posts here as JSON, a plain form submit redirects."""
    target = get_assessment_for_user(request.user, year, code, Capability.ASSESS)
    item = get_object_or_404(Item, standard_id=target.campaign.standard_id, code=item_code)
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    typed = {
        "score": request.POST.get("score", ""),
        "explanation": request.POST.get("explanation", ""),
    }
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        outcome = actions.do_save_item(
            target.campaign.pk,
            target.community.pk,
            item.pk,
            score=typed["score"],
            explanation=typed["explanation"],
            expected_version=version,
            actor=request.user,
            ip=client_ip(request),
        )
    except ActionRefused as exc:
        if wants_json:
            stale = isinstance(exc, actions.StaleItem)
            return JsonResponse({"ok": False, "error": exc.message, "stale": stale}, status=409)
        return _refused(request, year, code, item, {**typed, "error": exc.message}, 409)
    saved = outcome.assessment
    if wants_json:
        progress = items.category_progress(target.campaign, saved.submission)
        return JsonResponse(
            {
                "ok": True,
                "version": saved.version,
                "saved_at": f"{timezone.localtime(saved.updated_at):%H:%M:%S}",
                "score_error": outcome.score_error,
                "problem": items.item_problem(saved.self_score, saved.explanation),
                "done": sum(p.done for p in progress),
                "categories": {p.code: [p.done, p.items] for p in progress},
            }
        )
    if outcome.score_error:
        error = _("%(error)s；自评说明已保存，得分未修改。") % {"error": outcome.score_error}
        return _refused(request, year, code, item, {**typed, "error": error}, 400)
    if outcome.changed:
        messages.success(request, _("%(item)s 已保存。") % {"item": f"{item.code} {item.title}"})
    return redirect(reverse("assessment_detail", args=[year, code]) + f"#item-{item.code}")


def _refused(
    request: AuthenticatedRequest,
    year: int,
    code: str,
    item: Item,
    kept: dict[str, str],
    status: int,
) -> HttpResponse:
    """The page again with what was typed still in the item's form and the refusal beside it,
    so a refused save loses no typed word (the saved values are read afresh)."""
    target = get_assessment_for_user(request.user, year, code, Capability.ASSESS)
    return _render_detail(request, target, kept={item.pk: kept}, status=status)


@login_required
@require_POST
def submit(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    target = get_assessment_for_user(request.user, year, code, Capability.ASSESS)
    if target.submission is None:
        messages.error(request, _("还没有填写任何小项，不能提交。"))
        return redirect("assessment_detail", year=year, code=code)
    try:
        submission = actions.do_submit(
            target.submission.pk, actor=request.user, ip=client_ip(request)
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return _render_detail(request, target, problems=exc.problems, status=400)
    if submission.status == Status.FORWARDED:
        done = _("%(community)s的修改已重新报送市办审核。")
    else:
        done = _("%(community)s的自评已提交区市审核。")
    messages.success(request, done % {"community": target.community})
    return redirect("assessment_list", year=year)
