from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from communities import staging
from communities.sheets import SheetError, xlsx_response
from standards.access import get_standard_for_user
from standards.actions import do_copy_as_new_version, do_import_standard, preview_standard
from standards.content import content_of
from standards.models import Item, Standard
from standards.workbook import write_standard

STAGING_KIND = "standard"


@login_required
def standard_list(request: AuthenticatedRequest) -> HttpResponse:
    scope = scope_of(request.user)
    scope.require(Capability.VIEW_STANDARD)
    standards = Standard.objects.annotate(
        item_count=Count("items", distinct=True), campaign_count=Count("campaigns", distinct=True)
    )
    return render(
        request,
        "standards/list.html",
        {"standards": standards, "can_manage": scope.can(Capability.MANAGE_STANDARD)},
    )


@login_required
def standard_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    standard = get_standard_for_user(request.user, pk)
    scope = scope_of(request.user)
    items = Item.objects.prefetch_related("units").order_by("display_order")
    only_mine = scope.member_unit_id is not None and request.GET.get("mine") == "1"
    if only_mine:
        items = items.filter(units=scope.member_unit_id)
    categories = standard.categories.prefetch_related(Prefetch("items", queryset=items))
    return render(
        request,
        "standards/detail.html",
        {
            "standard": standard,
            "categories": categories,
            "only_mine": only_mine,
            "member_unit_id": scope.member_unit_id,
            "can_manage": scope.can(Capability.MANAGE_STANDARD),
        },
    )


@login_required
def standard_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    standard = get_standard_for_user(request.user, pk)
    response = xlsx_response(
        _("创建标准-%(year)d-第%(version)d版.xlsx")
        % {"year": standard.year, "version": standard.version}
    )
    write_standard(content_of(standard), response)
    return response


@login_required
@require_POST
def standard_new_version(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    standard = get_standard_for_user(request.user, pk, Capability.MANAGE_STANDARD)
    copy = do_copy_as_new_version(standard.pk, actor=request.user, ip=client_ip(request))
    messages.success(request, _("已另存为%(name)s，可导出修改后再导入。") % {"name": copy})
    return redirect("standard_detail", pk=copy.pk)


@login_required
def standard_import(request: AuthenticatedRequest) -> HttpResponse:
    scope_of(request.user).require(Capability.MANAGE_STANDARD)
    if request.method != "POST":
        return render(request, "standards/import.html")
    upload = request.FILES.get("file")
    if upload is None:
        return render(request, "standards/import.html", {"error": _("请选择要上传的 Excel 文件。")})
    try:
        data = staging.read_upload(upload)
    except SheetError as exc:
        return render(request, "standards/import.html", {"error": str(exc)})
    preview = preview_standard(data)
    token = (
        staging.stage(STAGING_KIND, request.user, upload.name or "", data).token
        if preview.ok
        else ""
    )
    context = {"preview": preview, "filename": upload.name, "token": token}
    return render(request, "standards/import_preview.html", context)


@login_required
@require_POST
def standard_import_confirm(request: AuthenticatedRequest) -> HttpResponse:
    scope_of(request.user).require(Capability.MANAGE_STANDARD)
    token = request.POST.get("token", "")
    staged = staging.load(STAGING_KIND, request.user, token)
    if staged is None:
        messages.error(request, _("待导入的文件已失效，请重新上传。"))
        return redirect("standard_import")
    staging.discard(STAGING_KIND, request.user, token)
    if "cancel" in request.POST:
        messages.info(request, _("已取消导入，未做任何修改。"))
        return redirect("standard_list")
    preview = preview_standard(staged.data)
    if not preview.ok or preview.content is None:
        context = {"preview": preview, "filename": staged.filename}
        return render(request, "standards/import_preview.html", context)
    outcome = do_import_standard(
        preview.content, actor=request.user, filename=staged.filename, ip=client_ip(request)
    )
    messages.success(request, outcome.message)
    return redirect("standard_detail", pk=outcome.standard.pk)
