"""The district admin's recommendation (区市推荐)."""

from django.urls import URLPattern, path

from campaign.district import views

urlpatterns: list[URLPattern] = [
    path("<int:year>/district/", views.district_review, name="district_review"),
    path(
        "<int:year>/district/<str:code>/return/",
        views.return_submission,
        name="submission_return",
    ),
    path("<int:year>/district/<str:code>/recommend/", views.recommend, name="submission_recommend"),
    path("<int:year>/district/<str:code>/withdraw/", views.withdraw, name="submission_withdraw"),
    path("<int:year>/district/forward/", views.forward, name="district_forward"),
    path("<int:year>/district/<str:code>/outcome/", views.outcome, name="submission_outcome"),
]
