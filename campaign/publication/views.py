"""The office's pages for the public notice, the objections, naming and the upward
recommendation. The leading group may read the publication page; only the office acts."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import Actor, AuthenticatedRequest
from campaign.pipeline.access import campaign_or_404, get_submission_for_user, submissions_for
from campaign.pipeline.files import attachment_response
from campaign.pipeline.forms import first_error
from campaign.pipeline.models import Campaign, Status, UpwardLevel
from campaign.pipeline.workflow import ActionRefused, today
from campaign.publication.access import get_objection_for_user
from campaign.publication.actions import (
    MAX_CONTACT,
    MAX_REASON,
    MAX_TEXT,
    ObjectionAction,
    do_handle_objection,
    do_name_communities,
    do_publish_notice,
    do_recommend_upward,
    objection_actions,
)
from campaign.publication.models import OPEN_OBJECTION_STATES, Objection, PublicNotice

PAGE_SIZE = 50
# What the office edits before publishing: its own address and telephone.
DEFAULT_CONTACT = gettext_lazy(
    "书面异议请寄送或当面递交：威海市民政局基层政权建设和社区治理科（地址：威海市××路××号，"
    "邮编264200）；电话：0631-×××××××（工作日8:30-17:00）。异议须署真实姓名或单位名称并提供"
    "联系方式，附相关证据。"
)
PUBLICATION_STATES = (
    Status.APPROVED,
    Status.IN_NOTICE,
    Status.REMOVED,
    Status.NAMED,
    Status.RECOMMENDED_UPWARD,
)


class PublishForm(forms.Form):
    starts_on = forms.DateField(label=gettext_lazy("公示开始日期"))
    contact = forms.CharField(
        label=gettext_lazy("异议受理方式"), max_length=MAX_CONTACT, widget=forms.Textarea
    )


class UpwardForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("推荐层级"), choices=UpwardLevel.choices)
    reason = forms.CharField(label=gettext_lazy("推荐理由"), max_length=MAX_REASON)


def _require_reader(user: Actor) -> None:
    scope_of(user).require_any(Capability.PUBLISH, Capability.DECIDE)


@login_required
def publication(request: AuthenticatedRequest, year: int) -> HttpResponse:
    return _render_publication(request, year)


def _render_publication(
    request: AuthenticatedRequest,
    year: int,
    kept: dict[str, str] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """The office's page; ``kept``: a refused form as typed (``form`` names it: "publish",
    or "upward" with the community's ``code``)."""
    campaign = campaign_or_404(year)
    _require_reader(request.user)
    can_act = scope_of(request.user).can(Capability.PUBLISH)
    rows = (
        submissions_for(request.user, campaign)
        .filter(status__in=PUBLICATION_STATES)
        .select_related("notice")
        .annotate(
            open_objections=Count(
                "objections", filter=Q(objections__status__in=OPEN_OBJECTION_STATES)
            )
        )
        .order_by("status", "district__display_order", "community__code")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(
        submissions_for(request.user, campaign)
        .filter(status__in=PUBLICATION_STATES)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    objections = Paginator(
        Objection.objects.filter(notice__campaign=campaign)
        .select_related("submission__community")
        .order_by("-lodged_at", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("objections"))
    return render(
        request,
        "campaign/publication/publication.html",
        {
            "campaign": campaign,
            "year": year,
            "page": page,
            "counts": {state: counts.get(state, 0) for state in PUBLICATION_STATES},
            "notices": list(PublicNotice.objects.filter(campaign=campaign)),
            "objections": objections,
            "can_act": can_act,
            "publish_form": PublishForm(
                initial={"starts_on": today(), "contact": str(DEFAULT_CONTACT)}
            ),
            "upward_levels": UpwardLevel.choices,
            "today": today(),
            "max_reason": MAX_REASON,
            "kept": kept or {},
        },
        status=status,
    )


def _office_campaign(request: HttpRequest, year: int) -> Campaign:
    campaign = campaign_or_404(year)
    scope_of(request.user).require(Capability.PUBLISH)
    return campaign


@login_required
@require_POST
def notice_publish(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = _office_campaign(request, year)
    form = PublishForm(request.POST)
    typed = {"form": "publish", **{name: request.POST.get(name, "") for name in form.fields}}
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _render_publication(request, year, typed, status=400)
    try:
        notice = do_publish_notice(
            campaign.pk,
            form.cleaned_data["starts_on"],
            form.cleaned_data["contact"],
            actor=request.user,
            ip=client_ip(request),
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return _render_publication(request, year, typed, status=400)
    messages.success(
        request,
        _("公示已发布，公示期%(start)s至%(end)s。")
        % {"start": f"{notice.starts_on:%Y-%m-%d}", "end": f"{notice.ends_on:%Y-%m-%d}"},
    )
    return redirect("publication", year=year)


@login_required
def objection_detail(request: AuthenticatedRequest, year: int, reference: str) -> HttpResponse:
    return _render_objection(request, year, reference)


def _render_objection(
    request: AuthenticatedRequest,
    year: int,
    reference: str,
    kept: dict[str, str] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """An objection and the office's next steps; ``kept``: a refused step's text as typed."""
    campaign = campaign_or_404(year)
    objection = get_objection_for_user(request.user, campaign, reference)
    return render(
        request,
        "campaign/publication/objection_detail.html",
        {
            "campaign": campaign,
            "year": year,
            "objection": objection,
            "next_actions": objection_actions(objection.status),
            "max_text": MAX_TEXT,
            "kept": kept or {},
        },
        status=status,
    )


@login_required
def objection_file(request: AuthenticatedRequest, year: int, reference: str) -> HttpResponseBase:
    campaign = campaign_or_404(year)
    objection = get_objection_for_user(request.user, campaign, reference)
    if not objection.stored_name:
        raise Http404
    return attachment_response(
        objection.stored_name, objection.kind, objection.original_name, ascii_stem="objection"
    )


@login_required
@require_POST
def objection_handle(
    request: AuthenticatedRequest, year: int, reference: str, action: str
) -> HttpResponse:
    campaign = campaign_or_404(year)
    objection = get_objection_for_user(request.user, campaign, reference)
    if action not in {a.value for a in ObjectionAction}:
        raise Http404
    text = request.POST.get("text", "")
    try:
        do_handle_objection(
            objection.pk, ObjectionAction(action), text, actor=request.user, ip=client_ip(request)
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
        kept = {"action": action, "text": text}
        return _render_objection(request, year, reference, kept, status=400)
    messages.success(request, _("异议%(reference)s已办理。") % {"reference": reference})
    return redirect("objection_detail", year=year, reference=reference)


@login_required
@require_POST
def name_communities(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = _office_campaign(request, year)
    try:
        outcome = do_name_communities(campaign.pk, actor=request.user, ip=client_ip(request))
    except ActionRefused as exc:
        messages.error(request, exc.with_problems())
        return redirect("publication", year=year)
    messages.success(
        request,
        _("已命名%(n)d个示范社区：%(names)s。")
        % {"n": len(outcome.named), "names": "、".join(s.community.name for s in outcome.named)},
    )
    for submission, reason in outcome.blocked:
        messages.warning(request, f"{submission.community.name}：{reason}")
    return redirect("publication", year=year)


@login_required
@require_POST
def recommend_upward(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    campaign = _office_campaign(request, year)
    submission = get_submission_for_user(request.user, campaign, code, Capability.PUBLISH)
    form = UpwardForm(request.POST)
    typed = {"form": "upward", "code": code, **{n: request.POST.get(n, "") for n in form.fields}}
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _render_publication(request, year, typed, status=400)
    try:
        do_recommend_upward(
            submission.pk,
            form.cleaned_data["level"],
            form.cleaned_data["reason"],
            actor=request.user,
            ip=client_ip(request),
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return _render_publication(request, year, typed, status=400)
    messages.success(
        request, _("已将%(community)s择优向上推荐。") % {"community": submission.community}
    )
    return redirect("publication", year=year)
