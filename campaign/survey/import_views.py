"""The office imports a survey firm's questionnaires: download the template, upload a filled
file to preview (a dry run of the real import, quality flags included), confirm.

Between the preview and the confirmation the file waits in the import staging area (see
``communities.staging``), found by an unguessable token that only fits the uploader; the
confirmation applies that file only if its SHA-256 is still the one the preview showed.
"""

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline.access import campaign_or_404
from campaign.pipeline.models import Campaign, Status
from campaign.pipeline.workflow import Action, ActionRefused, refusal
from campaign.survey.import_actions import SurveyImportReport, do_import_survey
from campaign.survey.models import SurveyImport
from campaign.survey.sheet import MAX_ROWS
from campaign.survey.sheet_template import (
    surveyed_submissions,
    template_filename,
    template_workbook,
)
from communities import staging
from communities.sheets import SheetError, xlsx_response

RECENT_IMPORTS = 20


def _office_campaign(request: HttpRequest, year: int) -> Campaign:
    """The campaign (404 if none), for the office only (403 for every other role)."""
    campaign = campaign_or_404(year)
    scope_of(request.user).require(Capability.AUDIT)
    return campaign


def _staging_kind(campaign: Campaign) -> str:
    return f"survey-import-{campaign.year}"


@login_required
@require_GET
def survey_import_template(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = _office_campaign(request, year)
    response = xlsx_response(template_filename(campaign))
    response.write(template_workbook(campaign))
    return response


@login_required
def survey_import(request: AuthenticatedRequest, year: int) -> HttpResponse:
    """GET: the upload form and the files imported so far. POST: check the file and show what
    importing it would do; nothing is saved."""
    campaign = _office_campaign(request, year)
    if request.method != "POST":
        return _upload_page(request, campaign)
    upload = request.FILES.get("file")
    if upload is None:
        return _upload_page(request, campaign, _("请选择调查公司的问卷文件（.xlsx）。"))
    try:
        data = staging.read_upload(upload)
    except SheetError as exc:
        return _upload_page(request, campaign, str(exc))
    file_name = upload.name or "survey.xlsx"
    try:
        report = do_import_survey(
            campaign.pk,
            file_name,
            data,
            actor=request.user,
            ip=client_ip(request),
            dry_run=True,
        )
    except ActionRefused as exc:
        return _preview_page(request, campaign, file_name, refused=exc)
    staged = staging.stage(_staging_kind(campaign), request.user, file_name, data)
    return _preview_page(request, campaign, file_name, report=report, token=staged.token)


@login_required
@require_POST
def survey_import_confirm(request: AuthenticatedRequest, year: int) -> HttpResponse:
    """Import the previewed file ("cancel" discards it instead)."""
    campaign = _office_campaign(request, year)
    kind, token = _staging_kind(campaign), request.POST.get("token", "")
    staged = staging.load(kind, request.user, token)
    if staged is None:
        messages.error(request, _("待导入的问卷文件已失效，请重新上传。"))
        return redirect("survey_import", year)
    staging.discard(kind, request.user, token)
    if "cancel" in request.POST:
        messages.info(request, _("已取消导入，没有保存任何问卷。"))
        return redirect("survey_import", year)
    if hashlib.sha256(staged.data).hexdigest() != request.POST.get("sha256", ""):
        messages.error(request, _("待导入的文件与预览的文件不一致，请重新上传。"))
        return redirect("survey_import", year)
    try:
        report = do_import_survey(
            campaign.pk, staged.filename, staged.data, actor=request.user, ip=client_ip(request)
        )
    except ActionRefused as exc:
        return _preview_page(request, campaign, staged.filename, refused=exc)
    messages.success(request, summary(report))
    return redirect("survey_import", year)


def summary(report: SurveyImportReport) -> str:
    return _(
        "已导入“%(file)s”：%(communities)d个社区、%(n)d份问卷；其中答题过快%(fast)d份、"
        "相同答案聚集%(cluster)d份，共%(flagged)d份待核定。"
    ) % {
        "file": report.file_name,
        "communities": len(report.communities),
        "n": report.imported,
        "fast": report.too_fast,
        "cluster": report.in_cluster,
        "flagged": report.flagged,
    }


def _upload_page(request: HttpRequest, campaign: Campaign, error: str = "") -> HttpResponse:
    role = scope_of(request.user).role
    imports = SurveyImport.objects.filter(campaign=campaign).select_related("imported_by")
    return render(
        request,
        "campaign/survey/import.html",
        {
            **_context(campaign),
            "closed_reason": refusal(campaign, Status.SURVEYING, Action.RECORD_SURVEY, role),
            "surveyed": surveyed_submissions(campaign),
            "imports": imports[:RECENT_IMPORTS],
            "max_mb": settings.IMPORT_MAX_BYTES // 1048576,
            "max_rows": MAX_ROWS,
            "error": error,
        },
    )


def _preview_page(
    request: HttpRequest,
    campaign: Campaign,
    file_name: str,
    *,
    report: SurveyImportReport | None = None,
    refused: ActionRefused | None = None,
    token: str = "",
) -> HttpResponse:
    return render(
        request,
        "campaign/survey/import_preview.html",
        {
            **_context(campaign),
            "file_name": file_name,
            "report": report,
            "refusal": refused.message if refused else "",
            "problems": refused.problems if refused else [],
            "token": token,
        },
    )


def _context(campaign: Campaign) -> dict[str, Any]:
    return {"campaign": campaign, "year": campaign.year}
