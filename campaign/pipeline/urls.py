"""The campaign's timetable."""

from django.urls import URLPattern, path

from campaign.pipeline import views

urlpatterns: list[URLPattern] = [
    path("<int:year>/schedule/", views.schedule, name="campaign_schedule"),
    path("<int:year>/schedule/<str:phase>/extend/", views.extend_phase, name="phase_extend"),
    path("<int:year>/schedule/<str:phase>/dates/", views.set_phase_dates, name="phase_dates"),
]
