"""The pages around the stages: home with the to-do list, login, the audit log, system status."""

from django.urls import URLPattern, path

from campaign.home import views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("system/", views.system_status, name="system_status"),
    path("system/worker-probe/", views.worker_probe, name="worker_probe"),
    path("audit/", views.audit_log_page, name="audit_log"),
]
