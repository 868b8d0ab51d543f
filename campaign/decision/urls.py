"""The leading group's decision table, its meetings and their minutes."""

from django.urls import URLPattern, path

from campaign.decision import views

urlpatterns: list[URLPattern] = [
    path("<int:year>/decision/", views.decision_table, name="decision_table"),
    path(
        "<int:year>/decision/meetings/",
        views.meeting_create,
        name="decision_meeting_create",
    ),
    path("<int:year>/decision/<str:code>/", views.record, name="decision_record"),
    path(
        "meetings/<int:meeting_id>/minutes/",
        views.meeting_minutes,
        name="meeting_minutes",
    ),
]
