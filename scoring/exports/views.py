"""The exports page of a campaign: request a workbook, watch its progress, download it.

Only the requester sees a job (anyone else gets 404, as if it did not exist); the role must
still allow the kind of export (403 otherwise). Files leave only through ``export_download``,
and only while the job is done and not expired."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline.access import campaign_or_404
from campaign.pipeline.models import Campaign
from communities.sheets import XLSX_CONTENT_TYPE
from scoring.exports.actions import (
    do_record_download,
    do_request_export,
    downloadable_file,
    may_export,
    require_export_right,
    settle_jobs,
)
from scoring.exports.models import ExportJob, ExportState
from scoring.exports.registry import EXPORTERS

PAGE_SIZE = 20
UNFINISHED = (ExportState.QUEUED, ExportState.RUNNING)
RETRYABLE = (ExportState.FAILED, ExportState.EXPIRED)


def _exports_campaign(request: HttpRequest, year: int) -> Campaign:
    campaign = campaign_or_404(year)
    scope_of(request.user).require(Capability.EXPORT_SCORES)
    return campaign


def _own_job(request: HttpRequest, year: int, job_id: int) -> ExportJob:
    """The user's own job of this campaign, its stale or expired state settled first."""
    campaign = _exports_campaign(request, year)
    settle_jobs()
    job = get_object_or_404(
        ExportJob, pk=job_id, campaign=campaign, requested_by_id=request.user.pk
    )
    require_export_right(request.user, job.kind)
    job.campaign = campaign
    return job


@login_required
@require_GET
def export_list(request: AuthenticatedRequest, year: int) -> HttpResponse:
    campaign = _exports_campaign(request, year)
    settle_jobs()
    jobs = ExportJob.objects.filter(campaign=campaign, requested_by_id=request.user.pk)
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "scoring/exports/list.html",
        {
            "campaign": campaign,
            "year": year,
            "page": page,
            "kinds": [e for kind, e in EXPORTERS.items() if may_export(request.user, kind)],
            "unfinished": UNFINISHED,
            "retryable": RETRYABLE,
            "expiry_hours": settings.EXPORT_EXPIRY_HOURS,
        },
    )


@login_required
@require_POST
def export_request(request: AuthenticatedRequest, year: int, kind: str) -> HttpResponse:
    campaign = _exports_campaign(request, year)
    if kind not in EXPORTERS:
        raise Http404
    job = do_request_export(campaign, kind, actor=request.user, ip=client_ip(request))
    messages.success(request, _("已提交导出申请，文件生成后可在本页下载。"))
    return redirect("export_detail", year, job.pk)


def _retryable(job: ExportJob) -> bool:
    """Failed, expired, or done but its file gone (a disk restored from an older backup)."""
    if job.state == ExportState.DONE:
        return downloadable_file(job) is None
    return job.state in RETRYABLE


@login_required
@require_POST
def export_retry(request: AuthenticatedRequest, year: int, job_id: int) -> HttpResponse:
    """重新生成: a failed or expired job is asked for again as a new job."""
    job = _own_job(request, year, job_id)
    if not _retryable(job):
        messages.info(request, _("该导出任务没有失败或过期，无需重新生成。"))
        return redirect("export_detail", year, job.pk)
    again = do_request_export(job.campaign, job.kind, actor=request.user, ip=client_ip(request))
    messages.success(request, _("已重新提交导出申请。"))
    return redirect("export_detail", year, again.pk)


@login_required
@require_GET
def export_detail(request: AuthenticatedRequest, year: int, job_id: int) -> HttpResponse:
    job = _own_job(request, year, job_id)
    return render(
        request,
        "scoring/exports/detail.html",
        {
            "campaign": job.campaign,
            "year": year,
            "job": job,
            "exporter": EXPORTERS[job.kind],
            "unfinished": job.state in UNFINISHED,
            "retryable": _retryable(job),
            "downloadable": downloadable_file(job) is not None,
        },
    )


@login_required
@require_GET
def export_status(request: AuthenticatedRequest, year: int, job_id: int) -> JsonResponse:
    """What the progress bar polls."""
    job = _own_job(request, year, job_id)
    downloadable = downloadable_file(job) is not None
    response = JsonResponse(
        {
            "state": job.state,
            "label": job.get_state_display(),
            "progress": job.progress,
            "finished": job.state not in UNFINISHED,
            "error": job.error if job.state == ExportState.FAILED else "",
            "download_url": reverse("export_download", args=[year, job.pk])
            if downloadable
            else None,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_download(request: AuthenticatedRequest, year: int, job_id: int) -> FileResponse:
    job = _own_job(request, year, job_id)
    path = downloadable_file(job)
    if path is None:
        raise Http404
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    do_record_download(job, actor=request.user, ip=client_ip(request))
    response = FileResponse(
        handle, as_attachment=True, filename=job.file_name, content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    return response
