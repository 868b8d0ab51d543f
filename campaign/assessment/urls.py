"""The self-assessment: item by item in the browser, the offline sheet, evidence files."""

from django.urls import URLPattern, path

from campaign.assessment import evidence_views, sheet_views, views

urlpatterns: list[URLPattern] = [
    path("<int:year>/assessments/", views.assessment_list, name="assessment_list"),
    path(
        "<int:year>/assessments/<str:code>/",
        views.assessment_detail,
        name="assessment_detail",
    ),
    path(
        "<int:year>/assessments/<str:code>/items/<str:item_code>/",
        views.save_item,
        name="assessment_item_save",
    ),
    path("<int:year>/assessments/<str:code>/submit/", views.submit, name="assessment_submit"),
    path(
        "<int:year>/assessments/<str:code>/sheet.xlsx",
        sheet_views.sheet_download,
        name="assessment_sheet",
    ),
    path(
        "<int:year>/assessments/<str:code>/sheet/",
        sheet_views.sheet_upload,
        name="assessment_sheet_upload",
    ),
    path(
        "<int:year>/assessments/<str:code>/sheet/confirm/",
        sheet_views.sheet_confirm,
        name="assessment_sheet_confirm",
    ),
    path(
        "<int:year>/assessments/<str:code>/items/<str:item_code>/evidence/",
        evidence_views.upload,
        name="evidence_upload",
    ),
    path(
        "<int:year>/assessments/<str:code>/items/<str:item_code>/evidence/<int:evidence_id>/remove/",
        evidence_views.unlink,
        name="evidence_unlink",
    ),
    path("evidence/<int:evidence_id>/", evidence_views.download, name="evidence_file"),
    path(
        "evidence/<int:evidence_id>/thumbnail/",
        evidence_views.thumbnail,
        name="evidence_thumbnail",
    ),
]
