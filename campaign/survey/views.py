"""The office's survey pages: the overview of every candidate's figures, one community's
figures with its flagged questionnaires and codes, the printable code sheets, and the settings.
The leading group reads the overview."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import Actor, AuthenticatedRequest
from campaign.pipeline.access import campaign_or_404, get_submission_for_user, submissions_for
from campaign.pipeline.models import FROM_JOINT_REVIEW, Campaign, Phase, Status, Submission
from campaign.pipeline.rates import interval_percent, rate_percent
from campaign.pipeline.workflow import Action, ActionRefused, chinese_date, phase_dates, refusal
from campaign.survey import codes as survey_codes
from campaign.survey.actions import (
    do_finish_survey,
    do_generate_codes,
    do_review_questionnaires,
    do_void_codes,
)
from campaign.survey.models import (
    Quality,
    SurveyCode,
    SurveyItemPoints,
    SurveyResponse,
    SurveyTally,
)
from campaign.survey.qr import qr_svg
from campaign.survey.statistics import (
    BY_DISTRICT,
    Figures,
    SurveyScheme,
    campaign_responses,
    figures,
    scheme_for,
)

PAGE_SIZE = 50
SURVEYED = (Status.SURVEYING, *FROM_JOINT_REVIEW)


@dataclass
class SurveyRow:
    """One community's figures: live while it is being surveyed, frozen after."""

    submission: Submission
    frozen: bool
    received: int | None
    valid: int
    satisfied: int
    discarded: int
    flagged: int
    points: Decimal
    passes: bool | None
    below_sample: bool
    codes: dict[str, int]
    # The sample size the rate is read against: the one frozen with the tally once ended.
    sample_size: int = 0
    tally: SurveyTally | None = None

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.satisfied, self.valid)

    @property
    def interval(self) -> tuple[Decimal, Decimal] | None:
        return interval_percent(self.satisfied, self.valid)


def _live_row(submission: Submission, f: Figures, scheme: SurveyScheme, codes: Any) -> SurveyRow:
    return SurveyRow(
        submission=submission,
        frozen=False,
        received=f.received,
        valid=f.valid,
        satisfied=f.satisfied,
        discarded=f.discarded,
        flagged=f.flagged,
        points=scheme.points(f),
        passes=scheme.passes(f),
        below_sample=scheme.below_sample(f),
        codes=codes,
        sample_size=scheme.config.sample_size,
    )


def _frozen_row(submission: Submission, tally: SurveyTally, scheme: SurveyScheme) -> SurveyRow:
    f = Figures(key=submission.pk, valid=tally.valid, satisfied=tally.satisfied)
    return SurveyRow(
        submission=submission,
        frozen=True,
        received=None,
        valid=tally.valid,
        satisfied=tally.satisfied,
        discarded=tally.discarded,
        flagged=0,
        points=tally.points,
        passes=scheme.passes(f),
        below_sample=tally.short_sample,
        codes={},
        # Tallies frozen before the sample size was kept with them read today's.
        sample_size=tally.sample_size or scheme.config.sample_size,
        tally=tally,
    )


def _can(campaign: Campaign, user: Actor, action: Action) -> bool:
    scope = scope_of(user)
    return scope.can(Capability.AUDIT) and not refusal(
        campaign, Status.SURVEYING, action, scope.role
    )


@login_required
def survey_list(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    # The overview is for the office and the leading group.
    scope_of(request.user).require_any(Capability.AUDIT, Capability.DECIDE)
    candidates = (
        submissions_for(request.user, campaign)
        .filter(status__in=SURVEYED)
        .select_related("survey_tally")
        .annotate(first=Case(When(status=Status.SURVEYING, then=Value(0)), default=Value(1)))
        .order_by("first", "district__display_order", "community__code")
    )
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    scheme = scheme_for(campaign)
    ids = [s.pk for s in page]
    live = figures(scheme, campaign_responses(campaign, submission_id__in=ids), with_counts=False)
    codes = survey_codes.counts_by_state(ids)
    rows = []
    for submission in page:
        tally = getattr(submission, "survey_tally", None)
        if submission.status != Status.SURVEYING and tally is not None:
            rows.append(_frozen_row(submission, tally, scheme))
        else:
            f = live.get(submission.pk) or Figures(key=submission.pk)
            rows.append(_live_row(submission, f, scheme, codes.get(submission.pk, {})))
    districts = figures(
        scheme,
        campaign_responses(campaign, submission__status__in=SURVEYED),
        BY_DISTRICT,
        with_counts=False,
    )
    district_names = dict(
        submissions_for(request.user, campaign)
        .filter(status__in=SURVEYED)
        .values_list("district_id", "district__name")
        .distinct()
    )
    return render(
        request,
        "campaign/survey/overview.html",
        {
            "campaign": campaign,
            "year": year,
            "page": page,
            "rows": rows,
            "scheme": scheme,
            "districts": [(district_names.get(key, ""), f) for key, f in sorted(districts.items())],
            "is_office": scope_of(request.user).can(Capability.AUDIT),
            "can_finish": _can(campaign, request.user, Action.FINISH_SURVEY),
            "closed_reason": refusal(
                campaign, Status.SURVEYING, Action.FINISH_SURVEY, scope_of(request.user).role
            ),
        },
    )


def _flagged(submission: Submission, scheme: SurveyScheme) -> list[dict[str, Any]]:
    labels = {str(o.position): o.label for o in scheme.options}
    yes_no = {str(n): label for n, label in enumerate(scheme.awareness_labels, start=1)}
    awareness = {q.position for q in scheme.awareness_questions}
    return [
        {
            "response": r,
            "answers": [
                (yes_no if n in awareness else labels).get(ch, "—")
                for n, ch in enumerate(r.pattern, start=1)
            ],
        }
        for r in SurveyResponse.objects.filter(submission=submission)
        .exclude(quality=Quality.CLEAN)
        .order_by("quality", "collector", "pattern", "pk")[:500]
    ]


@login_required
def survey_detail(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    campaign = campaign_or_404(year)
    submission = get_submission_for_user(request.user, campaign, code, Capability.AUDIT)
    if submission.status not in SURVEYED:
        return redirect("survey_list", year)
    return _render_detail(request, campaign, submission)


def _render_detail(
    request: AuthenticatedRequest,
    campaign: Campaign,
    submission: Submission,
    finishing: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """The community's survey page; ``finishing`` keeps what was typed in a refused end."""
    scheme = scheme_for(campaign)
    f = figures(scheme, SurveyResponse.objects.filter(submission=submission)).get(submission.pk)
    f = f or Figures(key=submission.pk)
    codes = survey_codes.counts_by_state([submission.pk]).get(submission.pk, {})
    surveying = submission.status == Status.SURVEYING
    return render(
        request,
        "campaign/survey/detail.html",
        {
            "campaign": campaign,
            "year": campaign.year,
            "submission": submission,
            "scheme": scheme,
            "figures": f,
            "row": _live_row(submission, f, scheme, codes),
            "table": scheme.table(f),
            "awareness_table": scheme.awareness_table(f),
            "item_points": _item_points(submission),
            "flagged": _flagged(submission, scheme),
            "tally": getattr(submission, "survey_tally", None),
            "can_issue": surveying and _can(campaign, request.user, Action.ISSUE_CODES),
            "can_review": surveying and _can(campaign, request.user, Action.REVIEW_SURVEY),
            "can_finish": surveying and _can(campaign, request.user, Action.FINISH_SURVEY),
            "finishing": finishing or {},
        },
        status=status,
    )


def _item_points(submission: Submission) -> list[SurveyItemPoints]:
    # Written only when the survey ends, with the tally.
    if getattr(submission, "survey_tally", None) is None:
        return []
    return list(SurveyItemPoints.objects.filter(submission=submission).select_related("item"))


def _public_base(request: HttpRequest) -> str:
    return settings.SURVEY_PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


@login_required
def survey_codes_print(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    """A4 sheets of cut-out cards, one unused code each, for the survey team to hand to
    sampled households (never to the community being rated)."""
    campaign = campaign_or_404(year)
    submission = get_submission_for_user(request.user, campaign, code, Capability.AUDIT)
    base = _public_base(request)
    unused = SurveyCode.objects.filter(
        submission=submission, voided_at__isnull=True, response__isnull=True
    )
    cards = [
        {
            "code": survey_codes.display(c.token),
            "qr": qr_svg(base + reverse("survey_answer", args=[c.token])),
        }
        for c in unused
    ]
    dates = phase_dates(campaign).get(Phase.SURVEY)
    return render(
        request,
        "campaign/survey/codes_print.html",
        {
            "campaign": campaign,
            "submission": submission,
            "cards": cards,
            "entry_url": base + reverse("survey_start"),
            "ends_on": chinese_date(dates.ends_on) if dates else "",
        },
    )


def _back(year: int, code: str, anchor: str = "") -> HttpResponse:
    return redirect(reverse("survey_detail", args=[year, code]) + anchor)


def _run(
    request: AuthenticatedRequest, year: int, code: str, work: Any, anchor: str = ""
) -> HttpResponse:
    campaign = campaign_or_404(year)
    submission = get_submission_for_user(request.user, campaign, code, Capability.AUDIT)
    try:
        message = work(submission)
    except ActionRefused as exc:
        messages.error(request, exc.with_problems())
    else:
        messages.success(request, message)
    return _back(year, code, anchor)


@login_required
@require_POST
def survey_generate_codes(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    def work(submission: Submission) -> str:
        made = do_generate_codes(
            submission.pk,
            request.POST.get("count", ""),
            actor=request.user,
            ip=client_ip(request),
        )
        return _("已生成%(n)d个调查码，可打印调查卡。") % {"n": len(made)}

    return _run(request, year, code, work, "#codes")


@login_required
@require_POST
def survey_void_codes(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    def work(submission: Submission) -> str:
        every = request.POST.get("scope") == "all"
        tokens = None if every else request.POST.get("tokens", "").split()
        voided = do_void_codes(
            submission.pk,
            tokens,
            request.POST.get("reason", ""),
            actor=request.user,
            ip=client_ip(request),
        )
        return _("已作废%(n)d个调查码。") % {"n": voided}

    return _run(request, year, code, work, "#codes")


@login_required
@require_POST
def survey_review(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    def work(submission: Submission) -> str:
        decisions = {}
        for name, value in request.POST.items():
            if name.startswith("r") and name[1:].isdigit() and value in ("exclude", "keep"):
                decisions[int(name[1:])] = value == "exclude"
        excluded, kept = do_review_questionnaires(
            submission.pk, decisions, actor=request.user, ip=client_ip(request)
        )
        return _("已核定：剔除%(x)d份，保留%(k)d份。") % {"x": excluded, "k": kept}

    return _run(request, year, code, work, "#quality")


@login_required
@require_POST
def survey_finish(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    campaign = campaign_or_404(year)
    submission = get_submission_for_user(request.user, campaign, code, Capability.AUDIT)
    reason = request.POST.get("reason", "")
    confirmed = request.POST.get("confirmed") == "1"
    score_short_sample = request.POST.get("score_short_sample") == "1"
    try:
        tally = do_finish_survey(
            submission.pk,
            reason,
            confirmed,
            score_short_sample,
            actor=request.user,
            ip=client_ip(request),
        )
    except ActionRefused as exc:
        messages.error(request, exc.with_problems())
        if submission.status != Status.SURVEYING:
            return _back(year, code)
        typed = {"reason": reason, "confirmed": confirmed, "score_short_sample": score_short_sample}
        return _render_detail(request, campaign, submission, typed, status=400)
    messages.success(
        request,
        _("%(community)s的满意度调查已结束（有效问卷%(valid)d份），转入成员单位联审。")
        % {"community": submission.community, "valid": tally.valid},
    )
    return redirect(reverse("survey_list", args=[year]))
