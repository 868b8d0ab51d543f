from django.urls import URLPattern, path

from campaign.audit import views

urlpatterns: list[URLPattern] = [
    path("<int:year>/review/", views.review_list, name="review_list"),
    path("<int:year>/review/<str:code>/", views.review_audit, name="review_audit"),
    path("<int:year>/review/<str:code>/pass/", views.review_pass, name="review_pass"),
    path("<int:year>/review/<str:code>/revise/", views.review_revise, name="review_revise"),
    path("<int:year>/review/<str:code>/reject/", views.review_reject, name="review_reject"),
]
