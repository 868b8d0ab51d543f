"""The dashboard."""

from django.urls import path

from scoring.dashboard import views

urlpatterns = [
    path("<int:year>/dashboard/", views.score_dashboard, name="score_dashboard"),
]
