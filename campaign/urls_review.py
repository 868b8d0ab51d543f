from django.urls import URLPattern, path

from campaign import review_views

urlpatterns: list[URLPattern] = [
    path("<int:year>/review/", review_views.review_list, name="review_list"),
    path("<int:year>/review/<str:code>/", review_views.review_audit, name="review_audit"),
    path("<int:year>/review/<str:code>/pass/", review_views.review_pass, name="review_pass"),
    path("<int:year>/review/<str:code>/revise/", review_views.review_revise, name="review_revise"),
    path("<int:year>/review/<str:code>/reject/", review_views.review_reject, name="review_reject"),
]
