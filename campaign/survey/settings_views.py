"""The office's survey settings page: questionnaire, options, sample size, pass line, quality
thresholds and the rate-to-points tiers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline.access import campaign_or_404
from campaign.pipeline.workflow import ActionRefused
from campaign.survey.actions import do_save_survey_settings
from campaign.survey.forms import SettingsPage, saved_settings
from campaign.survey.models import SurveyResponse
from campaign.survey.statistics import scheme_for


@login_required
def survey_settings(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = campaign_or_404(year)
    scope_of(request.user).require(Capability.AUDIT)
    scheme = scheme_for(campaign)
    if request.method == "POST":
        page = SettingsPage.posted(request.POST, scheme.awareness_questions)
        if page.is_valid():
            try:
                do_save_survey_settings(
                    campaign.pk, page.settings(), actor=request.user, ip=client_ip(request)
                )
            except ActionRefused as exc:
                page.refuse(exc.message)
            else:
                messages.success(request, _("满意度调查设置已保存。"))
                return redirect("survey_settings", year)
    else:
        page = SettingsPage.showing(saved_settings(scheme), scheme.awareness_questions)
    locked = SurveyResponse.objects.filter(submission__campaign=campaign).exists()
    if locked:
        page.lock_questionnaire()
    return render(
        request,
        "campaign/survey/settings.html",
        {"campaign": campaign, "year": year, "page": page, "questionnaire_locked": locked},
    )
