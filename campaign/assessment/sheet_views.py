"""The offline self-assessment sheet: download it, upload it back, preview, confirm."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.assessment.actions import do_apply_assessment_sheet
from campaign.assessment.sheet import instructions, sheet_filename, staging_kind, write_sheet
from campaign.assessment.sheet_import import SheetRejected, SheetReport, preview_sheet
from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline.access import AssessmentTarget, get_assessment_for_user
from campaign.pipeline.models import Status
from campaign.pipeline.workflow import Action, ActionRefused, refusal
from communities import staging
from communities.sheets import SheetError, xlsx_response


@login_required
def sheet_download(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    target = get_assessment_for_user(request.user, year, code)
    response = xlsx_response(sheet_filename(target.community))
    write_sheet(target, response)
    return response


@login_required
def sheet_upload(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    """GET: the upload form. POST: check the file and preview the changes; nothing is saved."""
    target = get_assessment_for_user(request.user, year, code, Capability.ASSESS)
    if request.method != "POST":
        return _upload_page(request, target)
    upload = request.FILES.get("file")
    if upload is None:
        return _upload_page(request, target, _("请选择要上传的自评表（.xlsx 文件）。"))
    try:
        data = staging.read_upload(upload)
    except SheetError as exc:
        return _upload_page(request, target, str(exc))
    filename = upload.name or ""
    report = preview_sheet(target, data, filename=filename, user=request.user)
    token = ""
    if report.ok and report.changes:
        token = staging.stage(staging_kind(target), request.user, filename, data).token
    return _preview_page(request, target, report, token)


@login_required
@require_POST
def sheet_confirm(request: AuthenticatedRequest, year: int, code: str) -> HttpResponse:
    """Apply the staged sheet ("cancel" discards it instead)."""
    target = get_assessment_for_user(request.user, year, code, Capability.ASSESS)
    kind = staging_kind(target)
    token = request.POST.get("token", "")
    staged = staging.load(kind, request.user, token)
    if staged is None:
        messages.error(request, _("待导入的自评表已失效，请重新上传。"))
        return redirect("assessment_sheet_upload", year, code)
    if "cancel" in request.POST:
        staging.discard(kind, request.user, token)
        messages.info(request, _("已取消导入，自评内容没有任何修改。"))
        return redirect("assessment_sheet_upload", year, code)
    try:
        outcome = do_apply_assessment_sheet(
            target.campaign.pk,
            target.community.pk,
            staged.data,
            filename=staged.filename,
            actor=request.user,
            ip=client_ip(request),
            expected_basis=request.POST.get("basis", ""),
        )
    except SheetRejected as exc:
        staging.discard(kind, request.user, token)
        report = SheetReport(filename=staged.filename, issues=exc.issues)
        return _preview_page(request, target, report, "")
    except ActionRefused as exc:
        staging.discard(kind, request.user, token)
        messages.error(request, exc.message)
        return redirect("assessment_sheet_upload", year, code)
    staging.discard(kind, request.user, token)
    messages.success(
        request,
        _("自评表已导入：%(n)d个小项已更新，%(same)d个小项无变化。")
        % {"n": len(outcome.changed), "same": outcome.unchanged},
    )
    return redirect("assessment_detail", year, code)


def _upload_page(request: HttpRequest, target: AssessmentTarget, error: str = "") -> HttpResponse:
    status = target.submission.status if target.submission else Status.DRAFT
    return render(
        request,
        "campaign/assessment/sheet_upload.html",
        {
            **_context(target),
            "locked_reason": refusal(
                target.campaign, status, Action.SAVE, scope_of(request.user).role
            ),
            "instructions": instructions(),
            "max_mb": settings.IMPORT_MAX_BYTES // 1048576,
            "error": error,
        },
    )


def _preview_page(
    request: HttpRequest, target: AssessmentTarget, report: SheetReport, token: str
) -> HttpResponse:
    return render(
        request,
        "campaign/assessment/sheet_preview.html",
        {**_context(target), "report": report, "token": token},
    )


def _context(target: AssessmentTarget) -> dict[str, Any]:
    return {
        "campaign": target.campaign,
        "community": target.community,
        "submission": target.submission,
        "year": target.campaign.year,
    }
