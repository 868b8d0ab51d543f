"""The shortlist and the office's rules for it."""

from django.urls import path

from scoring.rules import views

urlpatterns = [
    path("<int:year>/shortlist/", views.shortlist, name="shortlist"),
    path("<int:year>/shortlist/rules/", views.shortlist_rules, name="shortlist_rules"),
]
