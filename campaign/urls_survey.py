from django.urls import URLPattern, path, register_converter

from campaign import survey_settings_views, survey_views


class CommunityCode:
    """A 12-digit 统计用区划代码, so "settings" or "import" never reads as a community."""

    regex = "[0-9]{12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CommunityCode, "community")

urlpatterns: list[URLPattern] = [
    path("<int:year>/survey/", survey_views.survey_list, name="survey_list"),
    path(
        "<int:year>/survey/settings/",
        survey_settings_views.survey_settings,
        name="survey_settings",
    ),
    path("<int:year>/survey/<community:code>/", survey_views.survey_detail, name="survey_detail"),
    path(
        "<int:year>/survey/<community:code>/codes/",
        survey_views.survey_codes_print,
        name="survey_codes_print",
    ),
    path(
        "<int:year>/survey/<community:code>/codes/generate/",
        survey_views.survey_generate_codes,
        name="survey_generate_codes",
    ),
    path(
        "<int:year>/survey/<community:code>/codes/void/",
        survey_views.survey_void_codes,
        name="survey_void_codes",
    ),
    path(
        "<int:year>/survey/<community:code>/review/",
        survey_views.survey_review,
        name="survey_review",
    ),
    path(
        "<int:year>/survey/<community:code>/finish/",
        survey_views.survey_finish,
        name="survey_finish",
    ),
]
