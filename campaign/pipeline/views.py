"""The campaign's timetable: every phase's dates; the office sets a phase's dates before it
opens and extends a deadline once it has."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline import actions
from campaign.pipeline.access import campaign_or_404
from campaign.pipeline.forms import ExtendPhaseForm, PhaseDatesForm, run_form_action
from campaign.pipeline.models import Phase


@login_required
def schedule(request: AuthenticatedRequest, year: int) -> HttpResponse:
    return _render_schedule(request, year)


def _render_schedule(
    request: AuthenticatedRequest,
    year: int,
    kept: dict[str, str] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """The timetable; ``kept``: a refused phase form as typed (its ``phase`` and fields)."""
    campaign = campaign_or_404(year)
    scope = scope_of(request.user)
    scope.require(Capability.VIEW_STANDARD)
    today = timezone.localdate()
    phases = [(p, p.is_open_on(today)) for p in campaign.phases.all()]
    return render(
        request,
        "campaign/pipeline/schedule.html",
        {
            "campaign": campaign,
            "phases": phases,
            "today": today,
            "quotas": scope.restrict(campaign.quotas.select_related("district")),
            "can_extend": scope.can(Capability.MANAGE_SCHEDULE),
            "form": ExtendPhaseForm(),
            "kept": kept or {},
        },
        status=status,
    )


@login_required
@require_POST
def extend_phase(request: AuthenticatedRequest, year: int, phase: str) -> HttpResponse:
    return _change_phase(
        request,
        year,
        phase,
        ExtendPhaseForm(request.POST),
        lambda campaign_id, chosen, data: actions.do_extend_phase(
            campaign_id,
            chosen,
            data["ends_on"],
            data["reason"],
            actor=request.user,
            ip=client_ip(request),
        ),
        _("“%(phase)s”阶段截止日期已调整。"),
    )


@login_required
@require_POST
def set_phase_dates(request: AuthenticatedRequest, year: int, phase: str) -> HttpResponse:
    return _change_phase(
        request,
        year,
        phase,
        PhaseDatesForm(request.POST),
        lambda campaign_id, chosen, data: actions.do_set_phase_dates(
            campaign_id,
            chosen,
            data["starts_on"],
            data["ends_on"],
            data["reason"],
            actor=request.user,
            ip=client_ip(request),
        ),
        _("“%(phase)s”阶段日期已调整。"),
    )


def _change_phase(
    request: AuthenticatedRequest,
    year: int,
    phase: str,
    form: Form,
    action: Callable[[int, Phase, dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    """A schedule form for one phase: the office only; refused, the page again as typed."""
    campaign = campaign_or_404(year)
    scope_of(request.user).require(Capability.MANAGE_SCHEDULE)
    if phase not in Phase.values:
        messages.error(request, _("没有这个阶段。"))
        return redirect("campaign_schedule", year=year)
    done = run_form_action(
        request,
        form,
        lambda data: action(campaign.pk, Phase(phase), data),
        success % {"phase": Phase(phase).label},
    )
    if not done:
        return _render_schedule(request, year, _typed(request, phase, form), status=400)
    return redirect("campaign_schedule", year=year)


def _typed(request: HttpRequest, phase: str, form: Form) -> dict[str, str]:
    """A refused phase form's fields as typed, to show it again open."""
    return {"phase": phase, **{name: request.POST.get(name, "") for name in form.fields}}
