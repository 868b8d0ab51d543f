"""The survey's pages: the office's (overview, settings, a survey firm's workbook, one
community's figures and codes) and the residents' under /s/, short because the address goes
into a QR code (a shorter address makes a coarser code that a phone camera reads from further
away)."""

from django.urls import URLPattern, path, register_converter

from campaign.survey import import_views, public_views, settings_views, views


class CommunityCode:
    """A 12-digit 统计用区划代码, so "settings" or "import" never reads as a community."""

    regex = "[0-9]{12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CommunityCode, "community")

urlpatterns: list[URLPattern] = [
    path("<int:year>/survey/", views.survey_list, name="survey_list"),
    path(
        "<int:year>/survey/settings/",
        settings_views.survey_settings,
        name="survey_settings",
    ),
    path("<int:year>/survey/<community:code>/", views.survey_detail, name="survey_detail"),
    path(
        "<int:year>/survey/<community:code>/codes/",
        views.survey_codes_print,
        name="survey_codes_print",
    ),
    path(
        "<int:year>/survey/<community:code>/codes/generate/",
        views.survey_generate_codes,
        name="survey_generate_codes",
    ),
    path(
        "<int:year>/survey/<community:code>/codes/void/",
        views.survey_void_codes,
        name="survey_void_codes",
    ),
    path(
        "<int:year>/survey/<community:code>/review/",
        views.survey_review,
        name="survey_review",
    ),
    path(
        "<int:year>/survey/<community:code>/finish/",
        views.survey_finish,
        name="survey_finish",
    ),
    path("<int:year>/survey/import/", import_views.survey_import, name="survey_import"),
    path(
        "<int:year>/survey/import/confirm/",
        import_views.survey_import_confirm,
        name="survey_import_confirm",
    ),
    path(
        "<int:year>/survey/import/template.xlsx",
        import_views.survey_import_template,
        name="survey_import_template",
    ),
    # The residents' pages: no login.
    path("s/", public_views.survey_start, name="survey_start"),
    # Before the token pattern, so "thanks" is never read as a code.
    path("s/thanks/", public_views.survey_thanks, name="survey_thanks"),
    path("s/<str:token>/", public_views.survey_answer, name="survey_answer"),
]
