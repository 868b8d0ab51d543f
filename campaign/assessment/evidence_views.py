"""Evidence files on the self-assessment page: upload, link from the library, remove, and the
two permission-checked downloads (the file and its thumbnail)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from campaign.assessment import evidence, evidence_actions
from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline.access import (
    AssessmentTarget,
    get_assessment_for_user,
    get_evidence_for_user,
)
from campaign.pipeline.models import EvidenceFile
from campaign.pipeline.workflow import ActionRefused
from standards.models import Item


def _target(
    request: AuthenticatedRequest, year: int, code: str, item_code: str
) -> tuple[AssessmentTarget, Item]:
    target = get_assessment_for_user(request.user, year, code, Capability.ASSESS)
    item = get_object_or_404(Item, standard_id=target.campaign.standard_id, code=item_code)
    return target, item


def _back(year: int, code: str, item: Item) -> HttpResponse:
    return redirect(reverse("assessment_detail", args=[year, code]) + f"#item-{item.code}")


@login_required
@require_POST
def upload(request: AuthenticatedRequest, year: int, code: str, item_code: str) -> HttpResponse:
    """New files (field ``files``) and/or files from the library (checkboxes ``existing``)."""
    target, item = _target(request, year, code, item_code)
    files = request.FILES.getlist("files")
    chosen = [int(value) for value in request.POST.getlist("existing") if value.isdigit()]
    if not files and not chosen:
        messages.error(request, _("请选择要上传的文件，或勾选材料库中已有的文件。"))
        return _back(year, code, item)
    try:
        if files:
            outcome = evidence_actions.do_upload_evidence(
                target.campaign.pk,
                target.community.pk,
                item.pk,
                files,
                link_ids=chosen,
                actor=request.user,
                ip=client_ip(request),
            )
        else:
            outcome = evidence_actions.do_link_evidence(
                target.campaign.pk,
                target.community.pk,
                item.pk,
                chosen,
                actor=request.user,
                ip=client_ip(request),
            )
    except ActionRefused as exc:
        messages.error(request, f"{item.code} {item.title}：{exc.message}")
        return _back(year, code, item)
    _report(request, outcome)
    return _back(year, code, item)


def _report(request: HttpRequest, outcome: evidence_actions.EvidenceOutcome) -> None:
    item = f"{outcome.item.code} {outcome.item.title}"
    if outcome.stored:
        messages.success(
            request,
            _("%(item)s：已上传%(n)d个文件（%(names)s）。")
            % {"item": item, "n": len(outcome.stored), "names": _names(outcome.stored)},
        )
    for uploaded_as, existing in outcome.reused:
        messages.info(
            request,
            _(
                "%(item)s：“%(name)s”与此前已上传的“%(original)s”内容相同，未重复保存，"
                "已直接关联到本小项。"
            )
            % {"item": item, "name": uploaded_as, "original": existing.original_name},
        )
    if outcome.linked:
        messages.success(
            request,
            _("%(item)s：已关联材料库中的%(n)d个文件（%(names)s）。")
            % {"item": item, "n": len(outcome.linked), "names": _names(outcome.linked)},
        )
    if outcome.already_linked and not (outcome.stored or outcome.linked):
        messages.info(
            request,
            _("%(item)s：%(names)s 已在本小项的佐证材料中。")
            % {"item": item, "names": _names(outcome.already_linked)},
        )


def _names(files: list[EvidenceFile]) -> str:
    return "、".join(f"“{f.original_name}”" for f in files)


@login_required
@require_POST
def unlink(
    request: AuthenticatedRequest, year: int, code: str, item_code: str, evidence_id: int
) -> HttpResponse:
    target, item = _target(request, year, code, item_code)
    try:
        removed = evidence_actions.do_unlink_evidence(
            target.campaign.pk,
            target.community.pk,
            item.pk,
            evidence_id,
            actor=request.user,
            ip=client_ip(request),
        )
    except ActionRefused as exc:
        messages.error(request, f"{item.code} {item.title}：{exc.message}")
        return _back(year, code, item)
    messages.success(
        request,
        _("%(item)s：已移除“%(name)s”，该文件仍保留在本社区的材料库中。")
        % {"item": f"{item.code} {item.title}", "name": removed.original_name},
    )
    return _back(year, code, item)


@login_required
@require_safe
def download(request: AuthenticatedRequest, evidence_id: int) -> HttpResponseBase:
    scope_of(request.user).require(Capability.VIEW_SUBMISSIONS)
    return evidence.file_response(get_evidence_for_user(request.user, evidence_id))


@login_required
@require_safe
def thumbnail(request: AuthenticatedRequest, evidence_id: int) -> HttpResponseBase:
    scope_of(request.user).require(Capability.VIEW_SUBMISSIONS)
    return evidence.thumbnail_response(get_evidence_for_user(request.user, evidence_id))
