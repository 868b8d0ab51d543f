"""The residents' survey pages under /s/: short, because the address goes into a QR code
(a shorter address makes a coarser code that a phone camera reads from further away)."""

from django.urls import URLPattern, path

from campaign import survey_public_views

urlpatterns: list[URLPattern] = [
    path("s/", survey_public_views.survey_start, name="survey_start"),
    # Before the token pattern, so "thanks" is never read as a code.
    path("s/thanks/", survey_public_views.survey_thanks, name="survey_thanks"),
    path("s/<str:token>/", survey_public_views.survey_answer, name="survey_answer"),
]
