from django.urls import path

from communities import views

urlpatterns = [
    path("", views.community_list, name="community_list"),
    path("export.xlsx", views.register_export, name="register_export"),
    path("import/", views.register_import, name="register_import"),
    path("import/confirm/", views.register_import_confirm, name="register_import_confirm"),
    path("<str:code>/", views.community_detail, name="community_detail"),
    path("<str:code>/edit/", views.community_edit, name="community_edit"),
]
