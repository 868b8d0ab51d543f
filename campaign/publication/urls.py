"""The office's publication pages and the public's notice, objection form and named list."""

from django.urls import URLPattern, path

from campaign.publication import public_views, views

urlpatterns: list[URLPattern] = [
    # The office's side.
    path("<int:year>/publication/", views.publication, name="publication"),
    path(
        "<int:year>/publication/publish/",
        views.notice_publish,
        name="notice_publish",
    ),
    path(
        "<int:year>/publication/name/",
        views.name_communities,
        name="name_communities",
    ),
    path(
        "<int:year>/publication/<str:code>/upward/",
        views.recommend_upward,
        name="recommend_upward",
    ),
    path(
        "<int:year>/objections/<str:reference>/",
        views.objection_detail,
        name="objection_detail",
    ),
    path(
        "<int:year>/objections/<str:reference>/file/",
        views.objection_file,
        name="objection_file",
    ),
    path(
        "<int:year>/objections/<str:reference>/<str:action>/",
        views.objection_handle,
        name="objection_handle",
    ),
    # The public's side: no login.
    path("public/<int:year>/notice/", public_views.public_notice, name="public_notice"),
    path(
        "public/<int:year>/notice/objection/",
        public_views.public_objection,
        name="public_objection",
    ),
    path(
        "public/<int:year>/notice/objection/<str:reference>/",
        public_views.public_objection_done,
        name="public_objection_done",
    ),
    path("public/<int:year>/named/", public_views.public_named, name="public_named"),
]
