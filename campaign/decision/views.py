"""The leading group's decision table (领导小组研究), its meetings and their minutes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.decision import actions, ranking
from campaign.decision.access import get_meeting_for_user
from campaign.decision.models import DecisionMeeting
from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline.access import campaign_or_404, get_submission_for_user, submissions_for
from campaign.pipeline.files import ACCEPT_ATTRIBUTE, attachment_response
from campaign.pipeline.models import Status
from campaign.pipeline.workflow import Action, ActionRefused, refusal

PAGE_SIZE = 50


@login_required
def decision_table(request: AuthenticatedRequest, year: int) -> HttpResponse:
    return _render_table(request, year)


def _render_table(
    request: AuthenticatedRequest,
    year: int,
    kept: dict[str, str] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """The ranked candidates; the leading group decides here, the office reads. ``kept``: a
    refused form as typed (``form`` names it: "meeting", or "record" with the ``code``)."""
    campaign = campaign_or_404(year)
    scope = scope_of(request.user)
    can_decide = scope.can(Capability.DECIDE)
    if not (can_decide or scope.can(Capability.PUBLISH)):
        raise PermissionDenied
    ordered = ranking.ranked(submissions_for(request.user, campaign))
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    categories = ranking.categories(campaign)
    rows = ranking.rows_for(campaign, list(page), page.start_index(), categories)
    meetings = list(DecisionMeeting.objects.filter(campaign=campaign))
    return render(
        request,
        "campaign/decision/table.html",
        {
            "campaign": campaign,
            "year": year,
            "page": page,
            "rows": rows,
            "categories": categories,
            "meetings": meetings,
            "can_decide": can_decide,
            "closed_reason": refusal(campaign, Status.AWAITING_DECISION, Action.DECLINE, scope.role)
            if can_decide
            else "",
            "today": timezone.localdate(),
            "accept": ACCEPT_ATTRIBUTE,
            "kept": kept or {},
        },
        status=status,
    )


@login_required
@require_POST
def meeting_create(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    scope_of(request.user).require(Capability.DECIDE)
    held_on = request.POST.get("held_on", "")
    title = request.POST.get("title", "")
    try:
        day = parse_date(held_on) if held_on else None
    except ValueError:
        day = None
    try:
        if held_on and day is None:
            raise ActionRefused(_("会议日期：格式不正确。"))
        meeting = actions.do_record_meeting(
            campaign.pk,
            day,
            title,
            request.FILES.get("minutes"),
            actor=request.user,
            ip=client_ip(request),
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
        # A browser cannot be given the chosen file back: the page asks for it again.
        kept = {"form": "meeting", "held_on": held_on, "title": title}
        return _render_table(request, year, kept, status=400)
    messages.success(request, _("已录入%(meeting)s及会议纪要。") % {"meeting": meeting})
    return redirect("decision_table", year=year)


@login_required
@require_POST
def record(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    campaign = campaign_or_404(year)
    submission = get_submission_for_user(request.user, campaign, code, Capability.DECIDE)
    choice = request.POST.get("decision", "")
    meeting = request.POST.get("meeting", "")
    comment = request.POST.get("comment", "")
    try:
        if choice not in ("approve", "decline"):
            raise ActionRefused(_("请选择“研究通过”或“研究不通过”。"))
        actions.do_decide(
            submission.pk,
            choice == "approve",
            int(meeting) if meeting.isdigit() else None,
            comment,
            actor=request.user,
            ip=client_ip(request),
        )
    except ActionRefused as exc:
        messages.error(request, f"{submission.community}：{exc.message}")
        kept = {"form": "record", "code": code, "meeting": meeting, "comment": comment}
        return _render_table(request, year, kept, status=400)
    done = _("%(community)s研究通过。") if choice == "approve" else _("%(community)s研究不通过。")
    messages.success(request, done % {"community": submission.community})
    return redirect("decision_table", year=year)


@login_required
def meeting_minutes(request: AuthenticatedRequest, meeting_id: int) -> HttpResponseBase:
    meeting = get_meeting_for_user(request.user, meeting_id)
    if not meeting.stored_name:
        raise Http404
    return attachment_response(
        meeting.stored_name, meeting.kind, meeting.original_name, ascii_stem="minutes"
    )
