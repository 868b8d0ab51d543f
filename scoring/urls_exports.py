from django.urls import URLPattern, path

from scoring import export_views

urlpatterns: list[URLPattern] = [
    path("<int:year>/exports/", export_views.export_list, name="export_list"),
    path(
        "<int:year>/exports/new/<slug:kind>/",
        export_views.export_request,
        name="export_request",
    ),
    path("<int:year>/exports/<int:job_id>/", export_views.export_detail, name="export_detail"),
    path(
        "<int:year>/exports/<int:job_id>/status.json",
        export_views.export_status,
        name="export_status",
    ),
    path(
        "<int:year>/exports/<int:job_id>/retry/",
        export_views.export_retry,
        name="export_retry",
    ),
    path(
        "<int:year>/exports/<int:job_id>/download/",
        export_views.export_download,
        name="export_download",
    ),
]
