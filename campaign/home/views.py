"""The pages around the stages: home with the to-do list, login and logout, the audit log, the
system status and its worker probe."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.home import overview, todo
from campaign.home.forms import LockoutAuthenticationForm
from campaign.home.models import WorkerProbe
from campaign.home.system import do_request_worker_probe
from campaign.kernel import audit_log, auth
from campaign.kernel.models import AuditEvent
from campaign.kernel.roles import Capability, Role, scope_of
from campaign.kernel.users import AuthenticatedRequest
from campaign.pipeline.models import Campaign

AUDIT_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        auth.clear_failures(form.get_user().get_username())
        audit_log.record("auth.login", actor=form.get_user(), ip=audit_log.client_ip(self.request))
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        username = self.request.POST.get("username", "").strip()[:150]
        if username:
            locked = form.has_error(NON_FIELD_ERRORS, "locked") or (
                form.failures >= settings.LOGIN_MAX_FAILURES
            )
            action = "auth.locked" if locked else "auth.login_failed"
            audit_log.record(action, actor_name=username, ip=audit_log.client_ip(self.request))
        return super().form_invalid(form)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponseRedirect:
    if request.user.is_authenticated:
        audit_log.record("auth.logout", actor=request.user, ip=audit_log.client_ip(request))
    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("login")


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    scope = scope_of(request.user)
    campaign = Campaign.objects.current()
    context: dict[str, Any] = {"scope": scope, "campaign": campaign}
    if scope.role is not None:
        context["todos"] = todo.todo_for(request.user, campaign)
        context["open_objections"] = todo.open_objections(request.user, campaign)
        context["register"] = overview.register_overview(request.user)
        if scope.can(Capability.VIEW_SUBMISSIONS):
            context["progress"] = overview.assessment_overview(scope, campaign, context["register"])
        context["remit"] = overview.items_in_remit(scope, campaign)
    return render(request, "campaign/home/home.html", context)


@login_required
def system_status(request: AuthenticatedRequest) -> HttpResponse:
    scope_of(request.user).require(Capability.SYSTEM_STATUS)
    checks = [
        (_("数据库"), connection.vendor, _database_ok()),
        (_("缓存"), settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1], _cache_ok()),
        (
            _("任务队列"),
            _("进程内执行（未配置 Redis）")
            if settings.CELERY_TASK_ALWAYS_EAGER
            else _("Redis + Celery 后台进程"),
            True,
        ),
    ]
    probe = WorkerProbe.objects.first()
    return render(request, "campaign/home/system_status.html", {"checks": checks, "probe": probe})


@login_required
@require_POST
def worker_probe(request: AuthenticatedRequest) -> HttpResponseRedirect:
    scope_of(request.user).require(Capability.SYSTEM_STATUS)
    do_request_worker_probe(actor=request.user, ip=audit_log.client_ip(request))
    messages.info(request, _("已发送检测任务，刷新页面查看后台任务是否完成。"))
    return redirect("system_status")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _cache_ok() -> bool:
    try:
        cache.set("system-status", "ok", 10)
        return bool(cache.get("system-status") == "ok")
    except Exception:
        return False


@login_required
def audit_log_page(request: AuthenticatedRequest) -> HttpResponse:
    scope = scope_of(request.user)
    scope.require(Capability.VIEW_AUDIT_LOG)
    events = scope.restrict(AuditEvent.objects.select_related("district"))
    action = request.GET.get("action", "")
    if action in audit_log.ACTION_LABELS:
        events = events.filter(action=action)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    roles = dict(Role.choices)
    rows = [
        (event, audit_log.ACTION_LABELS.get(event.action, event.action), roles.get(event.role, ""))
        for event in page
    ]
    return render(
        request,
        "campaign/home/audit_log.html",
        {
            "page": page,
            "rows": rows,
            "labels": audit_log.ACTION_LABELS,
            "action": action,
            "query": f"action={action}" if action else "",
        },
    )
