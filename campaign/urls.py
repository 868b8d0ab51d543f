from django.urls import include, path

from campaign import (
    assessment_views,
    evidence_views,
    sheet_views,
    urls_joint,
    urls_public,
    urls_review,
    urls_survey,
    views,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("system/", views.system_status, name="system_status"),
    path("system/worker-probe/", views.worker_probe, name="worker_probe"),
    path("audit/", views.audit_log_page, name="audit_log"),
    path("<int:year>/schedule/", assessment_views.schedule, name="campaign_schedule"),
    path(
        "<int:year>/schedule/<str:phase>/extend/",
        assessment_views.extend_phase,
        name="phase_extend",
    ),
    path("<int:year>/assessments/", assessment_views.assessment_list, name="assessment_list"),
    path(
        "<int:year>/assessments/<str:code>/",
        assessment_views.assessment_detail,
        name="assessment_detail",
    ),
    path(
        "<int:year>/assessments/<str:code>/items/<str:item_code>/",
        assessment_views.save_item,
        name="assessment_item_save",
    ),
    path(
        "<int:year>/assessments/<str:code>/submit/",
        assessment_views.submit,
        name="assessment_submit",
    ),
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
    path("<int:year>/district/", assessment_views.district_review, name="district_review"),
    path(
        "<int:year>/district/<str:code>/return/",
        assessment_views.return_submission,
        name="submission_return",
    ),
    path(
        "<int:year>/district/<str:code>/recommend/",
        assessment_views.recommend,
        name="submission_recommend",
    ),
    path(
        "<int:year>/district/<str:code>/withdraw/",
        assessment_views.withdraw,
        name="submission_withdraw",
    ),
    path("<int:year>/district/forward/", assessment_views.forward, name="district_forward"),
    *urls_review.urlpatterns,
    path("", include("campaign.urls_survey_import")),
    *urls_survey.urlpatterns,
    *urls_joint.urlpatterns,
    *urls_public.urlpatterns,
]
