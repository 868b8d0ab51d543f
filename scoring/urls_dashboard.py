from django.urls import path

from scoring import dashboard_views

urlpatterns = [
    path("<int:year>/dashboard/", dashboard_views.score_dashboard, name="score_dashboard"),
]
