"""The register's pages: the list with its filters, a community's page (its figures, the hard
indicators and the items of the current campaign's standard each one backs), corrections, and
the Excel import (preview, then confirm) and export."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.kernel.audit_log import client_ip
from campaign.kernel.roles import Capability, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline.figures import figure_changes, frozen_figures
from campaign.pipeline.items import resubmittable
from campaign.pipeline.models import FROZEN_FIGURES, Campaign, RegisterFigures, Submission
from campaign.register.forms import MONEY_FIELDS, CommunityFactsForm, RegisterFilterForm
from communities import importing, staging
from communities.access import communities_for, districts_for, get_community_for_user
from communities.actions import do_update_community
from communities.exporting import write_register
from communities.indicators import results_for, with_hard_indicators
from communities.models import Community
from communities.sheets import SheetError, xlsx_response
from standards.models import items_by_hard_indicator

PAGE_SIZE = 50
STAGING_KIND = "communities"


@login_required
def community_list(request: AuthenticatedRequest) -> HttpResponse:
    communities = with_hard_indicators(communities_for(request.user))
    filters = RegisterFilterForm(
        request.GET or None,
        districts=districts_for(request.user),
        one_district=scope_of(request.user).is_district_bound,
    )
    page = Paginator(filters.apply(communities).order_by("code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "campaign/register/list.html",
        {"page": page, "filters": filters, "query": query.urlencode()},
    )


@login_required
def community_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    community = get_community_for_user(request.user, code)
    campaign = Campaign.objects.current()
    backing = items_by_hard_indicator(campaign.standard) if campaign is not None else {}
    rows = [(result, backing.get(result.indicator, [])) for result in results_for(community)]
    figures = _frozen_figures(campaign, community)
    return render(
        request,
        "campaign/register/detail.html",
        {
            "community": community,
            "indicator_rows": rows,
            "figures": figures,
            "figure_changes": figure_changes(figures),
            "reopened": figures is not None and resubmittable(figures.submission.status),
            "campaign": campaign,
            "can_edit": scope_of(request.user).can(Capability.EDIT_COMMUNITY),
        },
    )


def _frozen_figures(campaign: Campaign | None, community: Community) -> RegisterFigures | None:
    """The figures the community's submission to the current campaign froze, if submitted."""
    submission = Submission.objects.filter(campaign=campaign, community=community).first()
    return frozen_figures(submission) if submission is not None else None


@login_required
def community_edit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    community = get_community_for_user(request.user, code, Capability.EDIT_COMMUNITY)
    campaign = Campaign.objects.current()
    figures = _frozen_figures(campaign, community)
    form = CommunityFactsForm(request.POST or None, instance=community)
    if request.method == "POST" and form.is_valid():
        try:
            changed = do_update_community(
                community.pk, form.register_values(), actor=request.user, ip=client_ip(request)
            )
        except ValidationError as exc:
            # The model's own checks: the form again, as typed, with the errors beside it.
            _add_errors(form, exc)
        else:
            _report_saved(request, changed, figures)
            return redirect("community_detail", code=community.code)
    return render(
        request,
        "campaign/register/edit.html",
        {
            "community": community,
            "form": form,
            "figures": figures,
            "figure_changes": figure_changes(figures),
            "reopened": figures is not None and resubmittable(figures.submission.status),
            "campaign": campaign,
        },
        status=400 if form.errors else 200,
    )


def _add_errors(form: CommunityFactsForm, exc: ValidationError) -> None:
    errors: list[tuple[str | None, Any]] = [(None, exc.error_list)]
    if hasattr(exc, "error_dict"):
        errors = list(exc.error_dict.items())
    for name, problems in errors:
        field = f"{name}_wan" if name in MONEY_FIELDS else name
        form.add_error(field if field in form.fields else None, problems)


def _report_saved(
    request: AuthenticatedRequest, changed: list[str], figures: RegisterFigures | None
) -> None:
    if not changed:
        messages.info(request, _("没有修改任何内容。"))
        return
    done = _("已保存%(n)d项修改。") % {"n": len(changed)}
    if figures is not None and set(changed) & set(FROZEN_FIGURES):
        if resubmittable(figures.submission.status):
            done += _("本社区的申报已退回修改，重新提交时将按修改后的数据重新冻结。")
        else:
            done += _("本社区已提交申报，提交后修改的数据须由领导小组办公室复核后才会采用。")
    messages.success(request, done)


@login_required
def register_export(request: AuthenticatedRequest) -> HttpResponse:
    communities = communities_for(request.user, Capability.EXPORT_COMMUNITIES)
    scope = scope_of(request.user)
    districts = districts_for(request.user)
    area = districts[0].name if scope.is_district_bound else _("威海市")
    filename = _("%(area)s社区名录-%(date)s.xlsx") % {
        "area": area,
        "date": f"{timezone.localdate():%Y%m%d}",
    }
    response = xlsx_response(filename)
    write_register(communities, response, _("%(area)s社区名录") % {"area": area})
    return response


@login_required
def register_import(request: AuthenticatedRequest) -> HttpResponse:
    scope = scope_of(request.user)
    scope.require(Capability.IMPORT_COMMUNITIES)
    if request.method != "POST":
        return render(request, "campaign/register/import.html", _import_context())
    upload = request.FILES.get("file")
    if upload is None:
        return render(
            request,
            "campaign/register/import.html",
            _import_context(_("请选择要上传的 Excel 文件。")),
        )
    try:
        data = staging.read_upload(upload)
    except SheetError as exc:
        return render(request, "campaign/register/import.html", _import_context(str(exc)))
    report = importing.preview_import(data, scope, filename=upload.name or "")
    staged = (
        staging.stage(STAGING_KIND, request.user, upload.name or "", data) if report.ok else None
    )
    return render(
        request,
        "campaign/register/import_preview.html",
        {"report": report, "token": staged.token if staged else ""},
    )


@login_required
@require_POST
def register_import_confirm(request: AuthenticatedRequest) -> HttpResponse:
    scope = scope_of(request.user)
    scope.require(Capability.IMPORT_COMMUNITIES)
    token = request.POST.get("token", "")
    staged = staging.load(STAGING_KIND, request.user, token)
    if staged is None:
        messages.error(request, _("待导入的文件已失效，请重新上传。"))
        return redirect("register_import")
    if "cancel" in request.POST:
        staging.discard(STAGING_KIND, request.user, token)
        messages.info(request, _("已取消导入，未做任何修改。"))
        return redirect("register_import")
    report = importing.apply_import(
        staged.data, scope, actor=request.user, filename=staged.filename, ip=client_ip(request)
    )
    if not report.ok:
        return render(
            request, "campaign/register/import_preview.html", {"report": report, "token": ""}
        )
    staging.discard(STAGING_KIND, request.user, token)
    messages.success(request, _("导入完成。") + report.summary())
    return redirect("community_list")


def _import_context(error: str = "") -> dict[str, object]:
    return {
        "max_mb": settings.IMPORT_MAX_BYTES // 1048576,
        "export_url": reverse("register_export"),
        "error": error,
    }
