"""The office audit (市办审核). The paths and URL names keep their earlier "review" wording, which
bookmarks and other pages link to."""

from django.urls import URLPattern, path

from campaign.audit import views

urlpatterns: list[URLPattern] = [
    path("<int:year>/review/", views.audit_list, name="review_list"),
    path("<int:year>/review/<str:code>/", views.audit_detail, name="review_audit"),
    path("<int:year>/review/<str:code>/pass/", views.audit_pass, name="review_pass"),
    path("<int:year>/review/<str:code>/revise/", views.audit_revise, name="review_revise"),
    path("<int:year>/review/<str:code>/reject/", views.audit_reject, name="review_reject"),
    path(
        "<int:year>/review/<str:code>/items/<str:item_code>/",
        views.audit_item_save,
        name="review_item_save",
    ),
    path(
        "<int:year>/review/<str:code>/figures/",
        views.audit_recheck_figures,
        name="review_recheck_figures",
    ),
]
