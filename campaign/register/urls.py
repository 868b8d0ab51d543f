"""The register's pages under /communities/."""

from django.urls import URLPattern, path

from campaign.register import views

urlpatterns: list[URLPattern] = [
    path("communities/", views.community_list, name="community_list"),
    path("communities/export.xlsx", views.register_export, name="register_export"),
    path("communities/import/", views.register_import, name="register_import"),
    path(
        "communities/import/confirm/",
        views.register_import_confirm,
        name="register_import_confirm",
    ),
    path("communities/<str:code>/", views.community_detail, name="community_detail"),
    path("communities/<str:code>/edit/", views.community_edit, name="community_edit"),
]
