"""The member units' joint review, and the office's matrix to steer it."""

from django.urls import URLPattern, path

from campaign.joint import views

urlpatterns: list[URLPattern] = [
    path("<int:year>/joint-review/", views.joint_review_list, name="joint_review_list"),
    path(
        "<int:year>/joint-review/matrix/",
        views.joint_review_matrix,
        name="joint_review_matrix",
    ),
    path(
        "<int:year>/joint-review/reminders/read/",
        views.reminders_read,
        name="joint_review_reminders_read",
    ),
    path(
        "<int:year>/joint-review/remind/<str:unit_code>/",
        views.remind,
        name="joint_review_remind",
    ),
    path(
        "<int:year>/joint-review/<str:code>/",
        views.joint_review_detail,
        name="joint_review_detail",
    ),
    path("<int:year>/joint-review/<str:code>/close/", views.close, name="joint_review_close"),
    path("<int:year>/joint-review/<str:code>/veto/", views.veto, name="joint_review_veto"),
    path(
        "<int:year>/joint-review/<str:code>/veto/lift/",
        views.lift_veto,
        name="joint_review_lift_veto",
    ),
]
