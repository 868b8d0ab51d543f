"""The member units' joint review pages, and the office's matrix to steer it."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.joint import actions
from campaign.joint.forms import OpinionForm, initial_for, sent
from campaign.joint.models import Reminder
from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline.access import campaign_or_404, get_submission_for_user, submissions_for
from campaign.pipeline.models import (
    Campaign,
    ItemAssessment,
    ItemAudit,
    Status,
    Submission,
    UnitOpinion,
    UnitVeto,
)
from campaign.pipeline.workflow import Action, ActionRefused, refusal
from standards.models import Item, MemberUnit

PAGE_SIZE = 50


def _unit_of(request: AuthenticatedRequest) -> MemberUnit:
    scope_of(request.user).require(Capability.JOINT_REVIEW)
    try:
        return actions.actor_unit(request.user)
    except ActionRefused as exc:
        raise PermissionDenied(exc.message) from exc


@login_required
def joint_review_list(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    if scope_of(request.user).can(Capability.AUDIT):
        return redirect("joint_review_matrix", year=year)
    unit = _unit_of(request)
    candidates = submissions_for(request.user, campaign, Capability.JOINT_REVIEW).filter(
        status=Status.JOINT_REVIEW
    )
    page = Paginator(candidates.order_by("community__code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    required = Item.objects.filter(standard_id=campaign.standard_id, units=unit).count()
    reviewed = dict(
        UnitOpinion.objects.filter(submission__in=list(page), unit=unit, item__units=unit)
        .values("submission_id")
        .annotate(n=Count("pk"))
        .values_list("submission_id", "n")
    )
    vetoed = set(
        UnitVeto.objects.filter(submission__in=list(page), unit=unit).values_list(
            "submission_id", flat=True
        )
    )
    rows = [(s, reviewed.get(s.pk, 0), s.pk in vetoed) for s in page]
    return render(
        request,
        "campaign/joint/list.html",
        {
            "campaign": campaign,
            "year": year,
            "unit": unit,
            "page": page,
            "rows": rows,
            "required": required,
            "reminders": list(
                Reminder.objects.filter(campaign=campaign, unit=unit, read_at__isnull=True)
            ),
            "closed_reason": refusal(
                campaign, Status.JOINT_REVIEW, Action.OPINE, scope_of(request.user).role
            ),
        },
    )


@login_required
@require_POST
def reminders_read(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    _unit_of(request)
    actions.do_mark_reminders_read(campaign.pk, actor=request.user)
    return redirect("joint_review_list", year=year)


@dataclass
class MatrixRow:
    unit: MemberUnit
    required: int
    cells: list[tuple[int, int, bool]] = field(default_factory=list)
    reviewed_total: int = 0
    required_total: int = 0


@login_required
def joint_review_matrix(request: AuthenticatedRequest, year: int) -> HttpResponse:
    return _render_matrix(request, year)


def _render_matrix(
    request: AuthenticatedRequest,
    year: int,
    kept: dict[str, str] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Member units × candidates: opinions given of those required, disagreements, vetoes; the
    survey's result above them. ``kept``: a refused reminder as typed (unit code, message)."""
    campaign = campaign_or_404(year)
    scope = scope_of(request.user)
    scope.require_any(Capability.AUDIT, Capability.DECIDE)
    all_candidates = (
        submissions_for(request.user, campaign)
        .filter(status=Status.JOINT_REVIEW)
        .select_related("survey_tally")
    )
    page = Paginator(all_candidates.order_by("community__code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    candidates = list(page)
    units = list(
        MemberUnit.objects.filter(is_active=True, items__standard_id=campaign.standard_id)
        .annotate(required=Count("items"))
        .order_by("display_order", "code")
    )
    in_remit = UnitOpinion.objects.filter(item__units=F("unit"))
    cells = {
        (c["submission_id"], c["unit_id"]): c
        for c in in_remit.filter(submission__in=candidates)
        .values("submission_id", "unit_id")
        .annotate(reviewed=Count("pk"), disagreements=Count("pk", filter=Q(agrees=False)))
    }
    totals = dict(
        in_remit.filter(submission__in=all_candidates)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    vetoes = set(
        UnitVeto.objects.filter(submission__in=candidates).values_list("submission_id", "unit_id")
    )
    count = page.paginator.count
    rows = []
    behind: dict[int, list[str]] = {c.pk: [] for c in candidates}
    for unit in units:
        row = MatrixRow(unit, unit.required, reviewed_total=totals.get(unit.pk, 0))
        row.required_total = row.required * count
        for candidate in candidates:
            cell = cells.get((candidate.pk, unit.pk), {})
            reviewed = cell.get("reviewed", 0)
            row.cells.append(
                (reviewed, cell.get("disagreements", 0), (candidate.pk, unit.pk) in vetoes)
            )
            if reviewed < row.required:
                behind[candidate.pk].append(unit.name)
        rows.append(row)
    return render(
        request,
        "campaign/joint/matrix.html",
        {
            "campaign": campaign,
            "year": year,
            "page": page,
            "candidates": [(c, behind[c.pk]) for c in candidates],
            "rows": rows,
            "can_steer": scope.can(Capability.AUDIT),
            "closed_reason": refusal(campaign, Status.JOINT_REVIEW, Action.CLOSE_REVIEW, scope.role)
            if scope.can(Capability.AUDIT)
            else "",
            "kept": kept or {},
        },
        status=status,
    )


@login_required
@require_POST
def remind(request: AuthenticatedRequest, year: int, unit_code: str) -> HttpResponse:
    campaign = campaign_or_404(year)
    scope_of(request.user).require(Capability.AUDIT)
    unit = get_object_or_404(MemberUnit, code=unit_code)
    message = request.POST.get("message", "")
    try:
        actions.do_remind_unit(
            campaign.pk, unit.pk, message, actor=request.user, ip=client_ip(request)
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return _render_matrix(request, year, {"unit": unit.code, "message": message}, status=400)
    messages.success(request, _("已向%(unit)s发送联审提醒。") % {"unit": unit.name})
    return redirect("joint_review_matrix", year=year)


@login_required
@require_POST
def close(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    campaign = campaign_or_404(year)
    submission = get_submission_for_user(request.user, campaign, code, Capability.AUDIT)
    try:
        actions.do_close_review(submission.pk, actor=request.user, ip=client_ip(request))
        messages.success(
            request,
            _("%(community)s联审结束，已提交领导小组研究。") % {"community": submission.community},
        )
    except ActionRefused as exc:
        messages.error(request, f"{submission.community}：{exc.message}")
    return redirect("joint_review_matrix", year=year)


@dataclass
class ReviewItem:
    """One item of the unit's remit: what the district and the office said, and the form the
    unit gives its opinion in."""

    item: Item
    assessment: ItemAssessment | None
    audit: ItemAudit | None
    opinion: UnitOpinion | None
    form: OpinionForm
    # A survey item's points other than the satisfaction rate's (6.2 from its awareness
    # questions), once the survey has ended.
    survey_points: Any = None


def _review_items(
    submission: Submission, unit: MemberUnit, data: Mapping[str, Any] | None = None
) -> list[ReviewItem]:
    """The remit's items; those whose opinion ``data`` sends get a form bound to it."""
    items = list(
        Item.objects.filter(standard_id=submission.campaign.standard_id, units=unit)
        .select_related("category")
        .order_by("display_order", "code")
    )
    assessments = {
        a.item_id: a
        for a in ItemAssessment.objects.filter(
            submission=submission, item__in=items
        ).prefetch_related(Prefetch("evidence"))
    }
    audits = {
        a.item_id: a
        for a in ItemAudit.objects.filter(
            submission=submission, round=submission.audit_round, item__in=items
        )
    }
    opinions = {o.item_id: o for o in UnitOpinion.objects.filter(submission=submission, unit=unit)}
    # Read through the submission: the survey is another stage.
    survey_points = {p.item_id: p for p in submission.survey_item_points.all()}
    return [
        ReviewItem(
            item,
            assessments.get(item.pk),
            audits.get(item.pk),
            opinions.get(item.pk),
            OpinionForm(
                data if data is not None and sent(data, item) else None,
                item=item,
                initial=initial_for(opinions.get(item.pk)),
            ),
            survey_points.get(item.pk),
        )
        for item in items
    ]


def _target(
    request: AuthenticatedRequest, year: int, code: str
) -> tuple[Campaign, Submission, MemberUnit]:
    campaign = campaign_or_404(year)
    unit = _unit_of(request)
    submission = get_submission_for_user(request.user, campaign, code, Capability.JOINT_REVIEW)
    return campaign, submission, unit


@login_required
def joint_review_detail(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    campaign, submission, unit = _target(request, year, code)
    if request.method != "POST":
        items = _review_items(submission, unit)
        return _render_detail(request, campaign, submission, unit, items)
    items = _review_items(submission, unit, request.POST)
    posted = [entry.form for entry in items if entry.form.is_bound]
    invalid = [form for form in posted if not form.is_valid()]
    if invalid:
        messages.error(
            request,
            _("有%(n)d个小项填写有误，本次联审意见均未保存，请修改后重新保存。")
            % {"n": len(invalid)},
        )
        return _render_detail(request, campaign, submission, unit, items)
    rows = [form.row() for form in posted]
    try:
        actions.do_give_opinions(submission.pk, rows, actor=request.user, ip=client_ip(request))
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return _render_detail(request, campaign, submission, unit, items, status=409)
    messages.success(
        request,
        _("已保存对%(community)s %(n)d个小项的联审意见。")
        % {"community": submission.community, "n": len(rows)},
    )
    return redirect("joint_review_detail", year=year, code=code)


def _render_detail(
    request: HttpRequest,
    campaign: Campaign,
    submission: Submission,
    unit: MemberUnit,
    items: list[ReviewItem],
    status: int = 200,
    veto_reason: str | None = None,
) -> HttpResponse:
    role = scope_of(request.user).role
    return render(
        request,
        "campaign/joint/detail.html",
        {
            "campaign": campaign,
            "year": campaign.year,
            "submission": submission,
            "unit": unit,
            "items": items,
            "reviewed": sum(1 for entry in items if entry.opinion is not None),
            "veto": UnitVeto.objects.filter(submission=submission, unit=unit).first(),
            "locked_reason": refusal(campaign, submission.status, Action.OPINE, role),
            "veto_reason": veto_reason,
        },
        status=status,
    )


@login_required
@require_POST
def veto(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    campaign, submission, unit = _target(request, year, code)
    reason = request.POST.get("reason", "")
    try:
        actions.do_veto(submission.pk, reason, actor=request.user, ip=client_ip(request))
    except ActionRefused as exc:
        # The page again, the veto's reason as typed.
        messages.error(request, exc.message)
        items = _review_items(submission, unit)
        return _render_detail(
            request, campaign, submission, unit, items, status=400, veto_reason=reason
        )
    messages.success(
        request,
        _("%(unit)s已对%(community)s一票否决。")
        % {"unit": unit.name, "community": submission.community},
    )
    return redirect("joint_review_detail", year=year, code=code)


@login_required
@require_POST
def lift_veto(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    _campaign, submission, _unit = _target(request, year, code)
    try:
        actions.do_lift_veto(submission.pk, actor=request.user, ip=client_ip(request))
        messages.success(
            request, _("已撤回对%(community)s的否决。") % {"community": submission.community}
        )
    except ActionRefused as exc:
        messages.error(request, exc.message)
    return redirect("joint_review_detail", year=year, code=code)
