from django.urls import URLPattern, path

from campaign import survey_import_views

urlpatterns: list[URLPattern] = [
    path("<int:year>/survey/import/", survey_import_views.survey_import, name="survey_import"),
    path(
        "<int:year>/survey/import/confirm/",
        survey_import_views.survey_import_confirm,
        name="survey_import_confirm",
    ),
    path(
        "<int:year>/survey/import/template.xlsx",
        survey_import_views.survey_import_template,
        name="survey_import_template",
    ),
]
