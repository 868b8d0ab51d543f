"""The office's pages: the list of forwarded candidates, and the item-by-item audit and its
decisions."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import OperationalError
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaign.audit.actions import (
    AuditRowsRefused,
    do_audit_items,
    do_pass_audit,
    do_recheck_figures,
    do_reject,
    do_request_revision,
    rows_not_saved,
)
from campaign.audit.forms import AuditItemForm, initial_for, sent
from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, Scope, scope_of
from campaign.kernel.users import Actor, AuthenticatedRequest
from campaign.pipeline import items
from campaign.pipeline.access import (
    CITY_VISIBLE_STATES,
    campaign_or_404,
    get_submission_for_user,
    submissions_for,
)
from campaign.pipeline.figures import figure_changes, frozen_figures
from campaign.pipeline.forms import html_name
from campaign.pipeline.models import ItemAssessment, ItemAudit, Status, Submission
from campaign.pipeline.workflow import Action, ActionRefused, actions_for, refusal
from communities.indicators import with_hard_indicators
from communities.models import Community
from standards.models import Item, scored_by_people

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
# Short names for the counts at the top of the office's list.
STATE_NAMES = {
    Status.FORWARDED: gettext_lazy("待审核"),
    Status.REVISING: gettext_lazy("退回修改中"),
    Status.REJECTED: gettext_lazy("审核未通过"),
    Status.SURVEYING: gettext_lazy("满意度调查中"),
    Status.JOINT_REVIEW: gettext_lazy("成员单位联审中"),
}
DECISIONS = (Action.PASS_AUDIT, Action.REQUEST_REVISION, Action.REJECT)


def _reader(user: Actor) -> Scope:
    """The office's lists are for the office and the leading group."""
    scope = scope_of(user)
    scope.require_any(Capability.AUDIT, Capability.DECIDE)
    return scope


def _with_totals(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """The self-assessed total and the current round's audited total, each one subquery."""
    self_total = (
        ItemAssessment.objects.filter(submission=OuterRef("pk"))
        .exclude(item__check_method=Item.CheckMethod.SURVEY)
        .order_by()
        .values("submission")
        .annotate(s=Sum("self_score"))
        .values("s")
    )
    current = ItemAudit.objects.filter(submission=OuterRef("pk"), round=OuterRef("audit_round"))
    audited = current.order_by().values("submission").annotate(s=Sum("audited_score")).values("s")
    # The office's own work: the items people score (the item_total beside it).
    audited_items = (
        current.filter(scored_by_people("item__"), audited_score__isnull=False)
        .order_by()
        .values("submission")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return submissions.annotate(
        self_total=Subquery(self_total),
        audited_total=Subquery(audited),
        audited_items=Subquery(audited_items, output_field=IntegerField()),
    )


@login_required
def audit_list(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    scope = _reader(request.user)
    visible = submissions_for(request.user, campaign)
    counts = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    status = request.GET.get("status", "")
    shown = visible.filter(status=status) if status in CITY_VISIBLE_STATES else visible
    ordered = _with_totals(shown).order_by("district__display_order", "community__code")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    stats = [
        (state.value, STATE_NAMES.get(state, state.label), counts.get(state.value, 0))
        for state in Status
        if state in CITY_VISIBLE_STATES and (state in STATE_NAMES or counts.get(state.value))
    ]
    return render(
        request,
        "campaign/audit/list.html",
        {
            "campaign": campaign,
            "year": year,
            "page": page,
            "rows": [(s, actions_for(s.status, scope.role)) for s in page],
            "stats": stats,
            "status": status if status in CITY_VISIBLE_STATES else "",
            "query": f"status={status}" if status in CITY_VISIBLE_STATES else "",
            "item_total": items.item_count(campaign),
        },
    )


@dataclass
class AuditLine:
    """One item on the audit page: the self-assessment beside the office's audit and the
    form the office types it in."""

    row: items.ItemRow
    audit: ItemAudit | None
    form: AuditItemForm
    history: list[ItemAudit] = field(default_factory=list)
    # The submission froze its register figures (submissions from before that are audited by
    # hand, auto-verified items included).
    frozen: bool = False
    # A survey item's points once the survey has ended (other than the satisfaction rate's).
    survey_points: Any = None

    @property
    def auto(self) -> bool:
        """Scored by the system from the frozen figures: only a revision request to type."""
        return self.row.item.is_auto_scored and self.frozen

    @property
    def system_score(self) -> Decimal | None:
        """The auto-verified score of the round: as recorded, or as it will be on the first
        save or pass of the round (a page view writes nothing)."""
        return self.audit.audited_score if self.audit else self.row.system_score

    @property
    def system_basis(self) -> str:
        return self.audit.comment if self.audit else self.row.system_basis

    @property
    def differs(self) -> bool:
        score = self.audit.audited_score if self.audit else None
        own = self.row.assessment.self_score if self.row.assessment else None
        return score is not None and score != own


def _carried(
    row: items.ItemRow, audit: ItemAudit | None, history: list[ItemAudit]
) -> ItemAudit | None:
    """Last round's audit of an item the district has not touched since: offered again so
    the office re-audits only what changed."""
    if audit is not None or not history:
        return None
    last = history[-1]
    own = row.assessment
    if own is None or own.updated_at > last.updated_at:
        return None
    return last


def _line(
    row: items.ItemRow,
    saved: ItemAudit | None,
    history: list[ItemAudit],
    posted: dict[int, AuditItemForm],
    frozen: bool,
    survey_points: Any,
) -> AuditLine:
    form = posted.get(row.item.pk)
    if form is None:
        form = AuditItemForm(
            item=row.item, initial=initial_for(saved, _carried(row, saved, history))
        )
    return AuditLine(
        row=row,
        audit=saved,
        form=form,
        history=history,
        frozen=frozen,
        survey_points=survey_points,
    )


@login_required
def audit_detail(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    campaign = campaign_or_404(year)
    if request.method != "POST":
        submission = get_submission_for_user(request.user, campaign, code)
        return _render_audit(request, submission)
    submission = get_submission_for_user(request.user, campaign, code, Capability.AUDIT)
    posted = _posted_forms(request, submission)
    invalid = [form for form in posted.values() if not form.is_valid()]
    if invalid:
        messages.error(request, rows_not_saved(len(invalid)))
        return _render_audit(request, submission, posted)
    rows = {pk: form.row() for pk, form in posted.items()}
    try:
        changed = do_audit_items(submission.pk, rows, actor=request.user, ip=client_ip(request))
    except AuditRowsRefused as exc:
        return _refused_rows(request, submission, posted, exc)
    except ActionRefused as exc:
        # The audit is closed to this office (state, dates): nothing left to type in.
        _refused(request, exc)
        return redirect("review_audit", year=year, code=code)
    if changed:
        messages.success(request, _("已保存%(n)d个小项的审核打分。") % {"n": changed})
    else:
        messages.success(request, _("审核打分没有变化。"))
    return redirect("review_audit", year=year, code=code)


def _refused_rows(
    request: HttpRequest,
    submission: Submission,
    posted: dict[int, AuditItemForm],
    exc: AuditRowsRefused,
    kept: dict[str, str] | None = None,
) -> HttpResponse:
    """The page again with each refused row's problem beside its field and what was typed
    kept. A row someone else saved meanwhile now carries that save's version: the auditor has
    seen the message and may save the typed values over it deliberately."""
    messages.error(request, exc.message)
    versions = dict(
        ItemAudit.objects.filter(
            submission=submission, round=submission.audit_round, item_id__in=exc.stale
        ).values_list("item_id", "version")
    )
    for pk, problem in exc.by_item.items():
        form = posted[pk]
        if pk in exc.stale:
            data = dict(form.data.items())
            data[html_name("version", form.item)] = str(versions.get(pk, 0))
            form = posted[pk] = AuditItemForm(data, item=form.item)
            form.is_valid()
        form.add_error(exc.fields[pk], problem)
    return _render_audit(request, submission, posted, kept=kept, status=400)


def _posted_forms(request: HttpRequest, submission: Submission) -> dict[int, AuditItemForm]:
    """A bound form for each item of the standard whose row the page sent."""
    standard_items = Item.objects.filter(standard_id=submission.campaign.standard_id)
    return {
        item.pk: AuditItemForm(request.POST, item=item)
        for item in standard_items
        if sent(request.POST, item)
    }


def _render_audit(
    request: HttpRequest,
    submission: Submission,
    posted: dict[int, AuditItemForm] | None = None,
    *,
    kept: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page; the rows in ``posted`` show what was typed, with their errors, and the others
    what is saved. ``kept``: a refused decision's text as typed, by decision (pass_audit,
    request_revision, reject)."""
    scope = scope_of(request.user)
    campaign = submission.campaign
    community = with_hard_indicators(Community.objects.filter(pk=submission.community_id)).get()
    blocks = items.assessment_blocks(campaign, community, submission)
    # The blocks judge the hard indicators on these, the figures it was submitted with.
    figures = frozen_figures(submission)
    # Read through the submission: the survey is another stage.
    survey_points = {p.item_id: p for p in submission.survey_item_points.all()}
    # A district sees the office's scores once the round is decided, not while it is worked on.
    hide_current = scope.is_district_bound and submission.status == Status.FORWARDED
    current: dict[int, ItemAudit] = {}
    history: dict[int, list[ItemAudit]] = {}
    for audit in ItemAudit.objects.filter(submission=submission).select_related("item"):
        if audit.round == submission.audit_round:
            if not hide_current:
                current[audit.item_id] = audit
        else:
            history.setdefault(audit.item_id, []).append(audit)
    sections = []
    for block in blocks:
        lines = [
            _line(
                row,
                current.get(row.item.pk),
                history.get(row.item.pk, []),
                posted or {},
                figures is not None,
                survey_points.get(row.item.pk),
            )
            for row in block.rows
        ]
        audited = [line.audit.audited_score for line in lines if line.audit]
        total = sum((s for s in audited if s is not None), Decimal(0))
        sections.append((block.progress, lines, total))
    can_audit = scope.can(Capability.AUDIT)
    closed = (
        refusal(campaign, submission.status, Action.AUDIT_ITEM, scope.role) if can_audit else ""
    )
    decisions = {
        action.value: True
        for action in DECISIONS
        if can_audit and not refusal(campaign, submission.status, action, scope.role)
    }
    return render(
        request,
        "campaign/audit/detail.html",
        {
            "campaign": campaign,
            "year": campaign.year,
            "submission": submission,
            "community": community,
            "sections": sections,
            "editable": can_audit and not closed,
            "closed_reason": closed,
            "decisions": decisions,
            "hide_current": hide_current,
            "kept": kept or {},
            "tally": _tally(submission),
            "figures": figures,
            "figure_changes": figure_changes(figures),
            "self_total": sum((b.progress.self_total for b in blocks), Decimal(0)),
            "audited_total": sum((total for _p, _l, total in sections), Decimal(0)),
            "audited_count": sum(
                1
                for a in current.values()
                if a.audited_score is not None and not a.item.is_system_scored
            ),
            "item_total": sum(b.progress.items for b in blocks),
        },
        status=status,
    )


def _tally(submission: Submission) -> Any:
    """The survey's frozen result once it has ended, else None."""
    try:
        return submission.survey_tally
    except ObjectDoesNotExist:
        return None


def _refused(request: HttpRequest, exc: ActionRefused) -> None:
    messages.error(request, exc.with_problems())


def _decide(
    request: AuthenticatedRequest,
    submission: Submission,
    decision: Action,
    action: Callable[[int, str], Submission],
    success: str,
) -> HttpResponse:
    """Run one of the three decisions; refused, the page again with its text as typed."""
    comment = request.POST.get("comment", "")
    try:
        action(submission.pk, comment)
    except ActionRefused as exc:
        _refused(request, exc)
        return _render_audit(request, submission, kept={decision.value: comment}, status=400)
    messages.success(request, success % {"community": submission.community})
    return redirect("review_audit", year=submission.campaign.year, code=submission.community.code)


def _target(request: AuthenticatedRequest, year: int, code: str) -> Submission:
    return get_submission_for_user(request.user, campaign_or_404(year), code, Capability.AUDIT)


@login_required
@require_POST
def audit_pass(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    return _decide(
        request,
        _target(request, year, code),
        Action.PASS_AUDIT,
        lambda pk, comment: do_pass_audit(pk, comment, actor=request.user, ip=client_ip(request)),
        _("%(community)s审核通过，转入满意度调查。"),
    )


@login_required
@require_POST
def audit_revise(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    """Return for revision with the item rows the page sends: the revision requests typed on
    the page are saved first, so clicking 退回修改 without 保存 loses none of them."""
    submission = _target(request, year, code)
    posted = _posted_forms(request, submission)
    kept = {Action.REQUEST_REVISION.value: request.POST.get("comment", "")}
    if posted:
        invalid = [form for form in posted.values() if not form.is_valid()]
        if invalid:
            messages.error(request, rows_not_saved(len(invalid)))
            return _render_audit(request, submission, posted, kept=kept, status=400)
        try:
            do_audit_items(
                submission.pk,
                {pk: form.row() for pk, form in posted.items()},
                actor=request.user,
                ip=client_ip(request),
            )
        except AuditRowsRefused as exc:
            return _refused_rows(request, submission, posted, exc, kept)
        except ActionRefused as exc:
            _refused(request, exc)
            return _render_audit(request, submission, posted, kept=kept, status=400)
    return _decide(
        request,
        submission,
        Action.REQUEST_REVISION,
        lambda pk, comment: do_request_revision(
            pk, comment, actor=request.user, ip=client_ip(request)
        ),
        _("已将%(community)s退回区市修改。"),
    )


@login_required
@require_POST
def audit_recheck_figures(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    submission = _target(request, year, code)
    try:
        changed = do_recheck_figures(submission.pk, actor=request.user, ip=client_ip(request))
    except ActionRefused as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("已复核%(n)d项社区基础数据，自动核验小项已按新数据重新计分。") % {"n": changed},
        )
    return redirect("review_audit", year=year, code=code)


@login_required
@require_POST
def audit_reject(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    return _decide(
        request,
        _target(request, year, code),
        Action.REJECT,
        lambda pk, reason: do_reject(pk, reason, actor=request.user, ip=client_ip(request)),
        _("%(community)s审核不通过。"),
    )


@login_required
@require_POST
def audit_item_save(
    request: AuthenticatedRequest, year: int, code: str, item_code: str
) -> JsonResponse:
    """One item's row saved on its own (the page's autosave): JSON with the row's new version,
    or what went wrong — a stale version says who saved the row meanwhile (409)."""
    campaign = campaign_or_404(year)
    submission = get_submission_for_user(request.user, campaign, code, Capability.AUDIT)
    item = Item.objects.filter(standard_id=campaign.standard_id, code=item_code).first()
    if item is None or not sent(request.POST, item):
        return JsonResponse({"ok": False, "error": _("没有这个小项。")}, status=404)
    form = AuditItemForm(request.POST, item=item)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return JsonResponse({"ok": False, "error": " ".join(errors)}, status=400)
    try:
        do_audit_items(
            submission.pk, {item.pk: form.row()}, actor=request.user, ip=client_ip(request)
        )
    except AuditRowsRefused as exc:
        if item.pk in exc.stale:
            # With the row's current version: once the auditor has read who saved what, the
            # next change they make is saved over it deliberately.
            return JsonResponse(
                {
                    "ok": False,
                    "error": exc.by_item[item.pk],
                    "stale": True,
                    "version": _version(submission, item),
                },
                status=409,
            )
        return JsonResponse(
            {"ok": False, "error": exc.by_item.get(item.pk, exc.message)}, status=400
        )
    except ActionRefused as exc:
        return JsonResponse({"ok": False, "error": exc.message}, status=409)
    except OperationalError:
        # E.g. the embedded SQLite still locked after its busy timeout: a passing failure,
        # said as such so that the page retries rather than blaming the network.
        logger.warning("audit autosave failed on the database", exc_info=True)
        return JsonResponse(
            {"ok": False, "error": _("服务器繁忙，本项尚未保存，输入内容仍保留在页面上。")},
            status=503,
        )
    return JsonResponse(
        {
            "ok": True,
            "version": _version(submission, item),
            "saved_at": timezone.localtime().strftime("%H:%M:%S"),
        }
    )


def _version(submission: Submission, item: Item) -> int:
    audit = ItemAudit.objects.filter(
        submission=submission, item=item, round=submission.audit_round
    ).first()
    return audit.version if audit else 0
