from django.urls import path

from standards import views

urlpatterns = [
    path("", views.standard_list, name="standard_list"),
    path("import/", views.standard_import, name="standard_import"),
    path("import/confirm/", views.standard_import_confirm, name="standard_import_confirm"),
    path("<int:pk>/", views.standard_detail, name="standard_detail"),
    path("<int:pk>/export.xlsx", views.standard_export, name="standard_export"),
    path("<int:pk>/new-version/", views.standard_new_version, name="standard_new_version"),
]
