"""The office's survey settings page: questionnaire, options, sample size, pass line, quality
thresholds and the rate-to-points tiers."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline.access import campaign_or_404
from campaign.pipeline.rates import percent
from campaign.pipeline.workflow import ActionRefused
from campaign.survey.actions import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    SurveySettings,
    do_save_survey_settings,
)
from campaign.survey.models import MIN_SAMPLE_SIZE, SurveyResponse
from campaign.survey.statistics import scheme_for

MAX_TIERS = 8


def _entered(post: dict[str, str]) -> SurveySettings:
    return SurveySettings(
        sample_size=post.get("sample_size", ""),
        pass_percent=post.get("pass_percent", ""),
        min_duration_seconds=post.get("min_duration_seconds", ""),
        cluster_size=post.get("cluster_size", ""),
        notice=post.get("notice", ""),
        questions=[post.get(f"question_{n}", "") for n in range(1, MAX_QUESTIONS + 1)],
        overall=post.get("overall", ""),
        options=[
            (
                post.get(f"option_{n}", ""),
                post.get(f"option_{n}_satisfied") == "on",
                post.get(f"option_{n}_valid") == "on",
            )
            for n in range(1, MAX_OPTIONS + 1)
        ],
        tiers=[
            (post.get(f"tier_{n}_rate", ""), post.get(f"tier_{n}_points", ""))
            for n in range(1, MAX_TIERS + 1)
        ],
    )


def _padded(values: list[Any], length: int, blank: Any) -> list[Any]:
    return values + [blank] * (length - len(values))


@login_required
def survey_settings(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    scope_of(request.user).require(Capability.AUDIT)
    if request.method == "POST":
        entered = _entered(request.POST.dict())
        try:
            do_save_survey_settings(campaign.pk, entered, actor=request.user, ip=client_ip(request))
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("满意度调查设置已保存。"))
            return redirect("survey_settings", year)
    else:
        entered = None
    scheme = scheme_for(campaign)
    config = scheme.config
    if entered is None:
        entered = SurveySettings(
            sample_size=str(config.sample_size),
            pass_percent="" if config.pass_rate is None else str(percent(config.pass_rate)),
            min_duration_seconds=str(config.min_duration_seconds),
            cluster_size=str(config.cluster_size),
            notice=config.notice,
            questions=[q.text for q in scheme.questions],
            overall=str(next((q.position for q in scheme.questions if q.is_overall), "")),
            options=[(o.label, o.counts_as_satisfied, o.counts_as_valid) for o in scheme.options],
            tiers=[(str(percent(t.min_rate)), f"{t.points.normalize():f}") for t in scheme.tiers],
        )
    locked = SurveyResponse.objects.filter(submission__campaign=campaign).exists()
    return render(
        request,
        "campaign/survey/settings.html",
        {
            "campaign": campaign,
            "year": year,
            "entered": entered,
            "questions": list(
                enumerate(_padded(list(entered.questions), MAX_QUESTIONS, ""), start=1)
            ),
            "options": list(
                enumerate(_padded(list(entered.options), MAX_OPTIONS, ("", False, True)), start=1)
            ),
            "tiers": list(enumerate(_padded(list(entered.tiers), MAX_TIERS, ("", "")), start=1)),
            "questionnaire_locked": locked,
            "min_sample": MIN_SAMPLE_SIZE,
        },
    )
