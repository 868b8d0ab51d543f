"""Export jobs: request, progress, retry, download."""

from django.urls import URLPattern, path

from scoring.exports import views

urlpatterns: list[URLPattern] = [
    path("<int:year>/exports/", views.export_list, name="export_list"),
    path(
        "<int:year>/exports/new/<slug:kind>/",
        views.export_request,
        name="export_request",
    ),
    path("<int:year>/exports/<int:job_id>/", views.export_detail, name="export_detail"),
    path(
        "<int:year>/exports/<int:job_id>/status.json",
        views.export_status,
        name="export_status",
    ),
    path(
        "<int:year>/exports/<int:job_id>/retry/",
        views.export_retry,
        name="export_retry",
    ),
    path(
        "<int:year>/exports/<int:job_id>/download/",
        views.export_download,
        name="export_download",
    ),
]
