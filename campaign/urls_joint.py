"""The member units' joint review and the leading group's decision."""

from django.urls import URLPattern, path

from campaign import decision_views, joint_views

urlpatterns: list[URLPattern] = [
    path("<int:year>/joint-review/", joint_views.joint_review_list, name="joint_review_list"),
    path(
        "<int:year>/joint-review/matrix/",
        joint_views.joint_review_matrix,
        name="joint_review_matrix",
    ),
    path(
        "<int:year>/joint-review/reminders/read/",
        joint_views.reminders_read,
        name="joint_review_reminders_read",
    ),
    path(
        "<int:year>/joint-review/remind/<str:unit_code>/",
        joint_views.remind,
        name="joint_review_remind",
    ),
    path(
        "<int:year>/joint-review/<str:code>/",
        joint_views.joint_review_detail,
        name="joint_review_detail",
    ),
    path("<int:year>/joint-review/<str:code>/close/", joint_views.close, name="joint_review_close"),
    path("<int:year>/joint-review/<str:code>/veto/", joint_views.veto, name="joint_review_veto"),
    path(
        "<int:year>/joint-review/<str:code>/veto/lift/",
        joint_views.lift_veto,
        name="joint_review_lift_veto",
    ),
    path("<int:year>/decision/", decision_views.decision_table, name="decision_table"),
    path(
        "<int:year>/decision/meetings/",
        decision_views.meeting_create,
        name="decision_meeting_create",
    ),
    path("<int:year>/decision/<str:code>/", decision_views.record, name="decision_record"),
    path(
        "meetings/<int:meeting_id>/minutes/",
        decision_views.meeting_minutes,
        name="meeting_minutes",
    ),
]
