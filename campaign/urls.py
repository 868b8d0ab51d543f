from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("system/", views.system_status, name="system_status"),
    path("system/worker-probe/", views.worker_probe, name="worker_probe"),
    path("audit/", views.audit_log, name="audit_log"),
]
