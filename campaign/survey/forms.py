"""The survey settings page's input, parsed at the edge: ``SettingsForm`` holds the settings
with one value each, and one small form per row holds each row of the page's three tables
(questions, answer options, rate → points tiers). ``SettingsPage`` validates them together, so
that one save shows every problem beside its input, and hands the action typed
``SurveySettings``; the action keeps the rules that concern the settings as a whole.

The tables have a fixed number of rows (blank ones are ignored), so the rows are plain forms
with a prefix rather than formsets: a formset's management form would only add hidden counters
that every POST, a browser's or a test's, would have to carry."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField, BoundWidget
from django.forms.widgets import Widget
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaign.pipeline.actions import plain_number
from campaign.pipeline.rates import percent
from campaign.survey.actions import (
    MAX_CLUSTER_SIZE,
    MAX_MIN_DURATION_SECONDS,
    MAX_NOTICE,
    MAX_OPTION_LABEL,
    MAX_OPTIONS,
    MAX_QUESTION_TEXT,
    MAX_SAMPLE_SIZE,
    MIN_CLUSTER_SIZE,
    AwarenessSetting,
    OptionRow,
    SurveySettings,
    TierRow,
    is_percent,
    is_points,
)
from campaign.survey.models import MAX_QUESTIONS, MIN_SAMPLE_SIZE, SurveyQuestion
from campaign.survey.statistics import SurveyScheme

MAX_TIERS = 8

WHOLE_NUMBER_ERRORS = {
    "required": _("请填写此项。"),
    "invalid": _("应为整数。"),
    "min_value": _("不能小于%(limit_value)s。"),
    "max_value": _("不能大于%(limit_value)s。"),
}
TEXT_ERRORS = {"max_length": _("不能超过%(limit_value)d字（现有%(show_value)d字）。")}

T = TypeVar("T")


def decimal_input() -> forms.TextInput:
    # A text box rather than type="number", so that "85%" can be typed as it is said; the
    # phone still offers its decimal keypad.
    return forms.TextInput(attrs={"inputmode": "decimal", "size": 6})


def validate_percent(value: Decimal) -> None:
    if not is_percent(value):
        raise ValidationError(_("应为0到100之间的百分数，最多一位小数。"), code="percent")


def validate_points(value: Decimal) -> None:
    if not is_points(value):
        raise ValidationError(_("应在0到100之间，以0.5分为单位。"), code="points")


class PercentField(forms.DecimalField):
    """A percentage from 0 to 100 with at most one decimal, typed with or without “%”."""

    default_error_messages = {"invalid": _("应为0到100之间的百分数，最多一位小数。")}
    default_validators = [validate_percent]

    def clean(self, value: object) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().removesuffix("%").removesuffix("％")
        return super().clean(value)


class PointsField(forms.DecimalField):
    """Points from 0 to 100 in half points."""

    default_error_messages = {"invalid": _("应为分数，如 8 或 8.5。")}
    default_validators = [validate_points]

    def prepare_value(self, value: object) -> object:
        # 8.0 is shown as 8, the way the standard writes its points.
        return plain_number(value) if isinstance(value, Decimal) else value


class RadiosInRows(forms.RadioSelect):
    """One radio in each row of a table, named for a screen reader by its choice's label: a
    visible label in every row would only repeat the column's heading."""

    def create_option(
        self,
        name: str,
        value: object,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"]["aria-label"] = label
        return option


class RadiosInRowsBoundField(BoundField):
    """Django points a radio group at its error from the fieldset it draws around the group;
    radios spread over a table's rows have none, so each radio points at the error itself."""

    def build_widget_attrs(
        self, attrs: dict[str, str | bool], widget: Widget | None = None
    ) -> dict[str, str | bool]:
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            attrs.setdefault("aria-describedby", f"{self.auto_id}_error")
        return attrs


class RowRadiosField(forms.TypedChoiceField):
    """A choice of one row of a table, made with a radio in each row."""

    widget = RadiosInRows
    bound_field_class = RadiosInRowsBoundField


def overall_choices(rows: int = MAX_QUESTIONS) -> list[tuple[int, str]]:
    return [(n, gettext("第%(n)d题为总体评价题") % {"n": n}) for n in range(1, rows + 1)]


class SettingsForm(forms.Form):
    """The settings with one value each, and which row of the questions is the overall one."""

    sample_size = forms.IntegerField(
        label=_("每个社区样本量"),
        min_value=MIN_SAMPLE_SIZE,
        max_value=MAX_SAMPLE_SIZE,
        error_messages=WHOLE_NUMBER_ERRORS,
    )
    pass_percent = PercentField(
        label=_("满意率合格线（%）"),
        required=False,
        widget=decimal_input(),
        help_text=_("如 85；留空表示不设合格线。"),
    )
    min_duration_seconds = forms.IntegerField(
        label=_("最短答题时长（秒）"),
        min_value=0,
        max_value=MAX_MIN_DURATION_SECONDS,
        error_messages=WHOLE_NUMBER_ERRORS,
        help_text=_("少于此时长的问卷标记为答题过快。"),
    )
    cluster_size = forms.IntegerField(
        label=_("相同答案标记份数"),
        min_value=MIN_CLUSTER_SIZE,
        max_value=MAX_CLUSTER_SIZE,
        error_messages=WHOLE_NUMBER_ERRORS,
        help_text=_("同一调查员在同一社区交回答案完全相同的问卷达到此份数即标记。"),
    )
    notice = forms.CharField(
        label=_("调查说明"),
        max_length=MAX_NOTICE,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        error_messages={
            "required": _("请填写调查说明，告诉居民调查的目的和隐私保护。"),
            **TEXT_ERRORS,
        },
        help_text=_(
            "显示在问卷顶部。请说明调查目的、不记名、不收集个人信息、结果只以社区汇总形式使用。"
        ),
    )
    overall = RowRadiosField(
        label=_("总体评价题"),
        coerce=int,
        choices=overall_choices,
        error_messages={
            "required": _("请选择总体评价题。"),
            "invalid_choice": _("请选择总体评价题。"),
        },
    )

    def __init__(
        self,
        data: QueryDict | None,
        initial: dict[str, object] | None = None,
        rows: int = MAX_QUESTIONS,
    ) -> None:
        super().__init__(data, initial=initial)
        # One radio per satisfaction question's row: the awareness questions take the rest
        # of the ten.
        overall = self.fields["overall"]
        assert isinstance(overall, forms.ChoiceField)
        overall.choices = overall_choices(rows)
        self.fields["sample_size"].help_text = gettext("有效问卷份数，不少于%(n)d份。") % {
            "n": MIN_SAMPLE_SIZE
        }

    def sample_and_quality_fields(self) -> list[BoundField]:
        """The numbers at the top of the page, in the order shown."""
        names = ("sample_size", "pass_percent", "min_duration_seconds", "cluster_size")
        return [self[name] for name in names]


class RowForm(forms.Form):
    """One numbered row of a table on the page. Its inputs keep the names the page has always
    posted, ``option_2`` for the row's main input and ``option_2_valid`` beside it, rather than
    Django's ``option_2-label``."""

    row_name: ClassVar[str]
    main_field: ClassVar[str | None] = None

    def __init__(
        self, data: QueryDict | None, number: int, initial: dict[str, object] | None = None
    ) -> None:
        self.number = number
        super().__init__(data, initial=initial, prefix=f"{self.row_name}_{number}")
        for name, label in self.labels().items():
            field = self.fields[name]
            field.label = label
            # A visible label in every cell would only repeat the column's heading.
            field.widget.attrs["aria-label"] = label

    def labels(self) -> dict[str, str]:
        """Each field's name for a screen reader and the problems' summary, with the row."""
        raise NotImplementedError

    def add_prefix(self, field_name: str) -> str:
        stem = f"{self.row_name}_{self.number}"
        return stem if field_name == self.main_field else f"{stem}_{field_name}"


class QuestionForm(RowForm):
    row_name = "question"
    main_field = "text"

    text = forms.CharField(
        required=False,
        max_length=MAX_QUESTION_TEXT,
        error_messages=TEXT_ERRORS,
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def labels(self) -> dict[str, str]:
        return {"text": gettext("第%(n)d题") % {"n": self.number}}

    @staticmethod
    def initial_for(text: str | None) -> dict[str, object]:
        return {} if text is None else {"text": text}

    def question(self) -> str:
        """The question ("" for a blank row), once valid."""
        return str(self.cleaned_data["text"])


class OptionForm(RowForm):
    row_name = "option"
    main_field = "label"

    label = forms.CharField(required=False, max_length=MAX_OPTION_LABEL, error_messages=TEXT_ERRORS)
    satisfied = forms.BooleanField(required=False)
    valid = forms.BooleanField(required=False)

    def labels(self) -> dict[str, str]:
        row = {"n": self.number}
        return {
            "label": gettext("第%(n)d个选项") % row,
            "satisfied": gettext("第%(n)d个选项计入满意") % row,
            "valid": gettext("第%(n)d个选项计入有效问卷") % row,
        }

    @staticmethod
    def initial_for(option: OptionRow | None) -> dict[str, object]:
        if option is None:
            # Most options count as valid answers, so a new one starts out ticked.
            return {"valid": True}
        return {
            "label": option.label,
            "satisfied": option.counts_as_satisfied,
            "valid": option.counts_as_valid,
        }

    def option(self) -> OptionRow | None:
        """The option (None for a blank row), once valid."""
        data = self.cleaned_data
        if not data["label"]:
            return None
        return OptionRow(data["label"], data["satisfied"], data["valid"])


class TierForm(RowForm):
    row_name = "tier"

    rate = PercentField(required=False, widget=decimal_input())
    points = PointsField(required=False, widget=decimal_input())

    def labels(self) -> dict[str, str]:
        row = {"n": self.number}
        return {
            "rate": gettext("第%(n)d档满意率") % row,
            "points": gettext("第%(n)d档得分") % row,
        }

    def clean(self) -> dict[str, Any]:
        # A half-filled row is a mistake, not a blank row (a value that did not parse has its
        # own error already).
        data = self.cleaned_data
        filled = {
            name
            for name in ("rate", "points")
            if self.has_error(name) or data.get(name) is not None
        }
        if filled == {"points"}:
            self.add_error("rate", _("请填写该档的满意率。"))
        if filled == {"rate"}:
            self.add_error("points", _("请填写该档的得分。"))
        return data

    @staticmethod
    def initial_for(tier: TierRow | None) -> dict[str, object]:
        return {} if tier is None else {"rate": tier.min_percent, "points": tier.points}

    def tier(self) -> TierRow | None:
        """The tier (None for a blank row), once valid."""
        data = self.cleaned_data
        if data["rate"] is None:
            return None
        return TierRow(data["rate"], data["points"])


class AwarenessForm(RowForm):
    """An awareness question (answered 是/否): its text, the share of 是 it aims at and its
    points. The item it scores is shown, not chosen: it is the standard's (6.2)."""

    row_name = "awareness"
    main_field = "text"

    text = forms.CharField(
        max_length=MAX_QUESTION_TEXT,
        error_messages={"required": _("请填写题目。"), **TEXT_ERRORS},
        widget=forms.TextInput(attrs={"size": 50}),
    )
    target = PercentField(
        widget=decimal_input(), error_messages={"required": _("请填写目标比例。")}
    )
    points = PointsField(widget=decimal_input(), error_messages={"required": _("请填写分值。")})

    def __init__(
        self,
        data: QueryDict | None,
        number: int,
        question: SurveyQuestion,
        initial: dict[str, object] | None = None,
    ) -> None:
        self.question = question
        super().__init__(data, number, initial)

    def labels(self) -> dict[str, str]:
        row = {"n": self.number}
        return {
            "text": gettext("知晓与参与第%(n)d题") % row,
            "target": gettext("知晓与参与第%(n)d题目标比例") % row,
            "points": gettext("知晓与参与第%(n)d题分值") % row,
        }

    def clean_target(self) -> Decimal:
        target: Decimal = self.cleaned_data["target"]
        if not target:
            # Every share of 是 would reach a target of 0.
            raise ValidationError(_("目标比例应大于0。"), code="zero")
        return target

    @staticmethod
    def initial_for(setting: AwarenessSetting) -> dict[str, object]:
        return {"text": setting.text, "target": setting.target_percent, "points": setting.points}

    def setting(self) -> AwarenessSetting:
        data = self.cleaned_data
        return AwarenessSetting(data["text"], data["target"], data["points"])


@dataclass(frozen=True)
class Problem:
    """One thing to fix, for the summary above the form."""

    label: str  # the input's name; "" for a problem of the settings as a whole
    message: str
    input_id: str  # where the summary's link leads; "" for no link


def numbered(values: Sequence[T], rows: int) -> Iterator[tuple[int, T | None]]:
    """The values numbered from 1, then None up to ``rows``: the page's blank rows."""
    padded: list[T | None] = [*values, *[None] * (rows - len(values))]
    return enumerate(padded, start=1)


def input_id(field: BoundField) -> str:
    # A radio group has no one input to go to; its first radio stands for it.
    return field.id_for_label or field.subwidgets[0].id_for_label


class SettingsPage:
    """Every form of the settings page, validated together so that one save shows every
    problem at once."""

    def __init__(
        self,
        general: SettingsForm,
        questions: list[QuestionForm],
        options: list[OptionForm],
        tiers: list[TierForm],
        awareness: list[AwarenessForm],
    ) -> None:
        self.general = general
        self.questions = questions
        self.options = options
        self.tiers = tiers
        self.awareness = awareness

    @classmethod
    def posted(cls, data: QueryDict, awareness: Sequence[SurveyQuestion]) -> "SettingsPage":
        """The page as posted; ``awareness`` are the saved awareness questions it edits."""
        rows = MAX_QUESTIONS - len(awareness)
        return cls(
            SettingsForm(data, rows=rows),
            [QuestionForm(data, n) for n in range(1, rows + 1)],
            [OptionForm(data, n) for n in range(1, MAX_OPTIONS + 1)],
            [TierForm(data, n) for n in range(1, MAX_TIERS + 1)],
            [AwarenessForm(data, n, q) for n, q in enumerate(awareness, start=1)],
        )

    @classmethod
    def showing(cls, saved: SurveySettings, awareness: Sequence[SurveyQuestion]) -> "SettingsPage":
        rows = MAX_QUESTIONS - len(awareness)
        general = SettingsForm(
            None,
            initial={
                "sample_size": saved.sample_size,
                "pass_percent": saved.pass_percent,
                "min_duration_seconds": saved.min_duration_seconds,
                "cluster_size": saved.cluster_size,
                "notice": saved.notice,
                "overall": saved.overall,
            },
            rows=rows,
        )
        return cls(
            general,
            [
                QuestionForm(None, n, QuestionForm.initial_for(text))
                for n, text in numbered(saved.questions, rows)
            ],
            [
                OptionForm(None, n, OptionForm.initial_for(option))
                for n, option in numbered(saved.options, MAX_OPTIONS)
            ],
            [
                TierForm(None, n, TierForm.initial_for(tier))
                for n, tier in numbered(saved.tiers, MAX_TIERS)
            ],
            [
                AwarenessForm(None, n, q, AwarenessForm.initial_for(setting))
                for n, (q, setting) in enumerate(
                    zip(awareness, saved.awareness or (), strict=True), start=1
                )
            ],
        )

    def all_forms(self) -> list[forms.Form]:
        return [self.general, *self.questions, *self.awareness, *self.options, *self.tiers]

    def is_valid(self) -> bool:
        # Every form is validated, not only up to the first invalid one.
        invalid = [form for form in self.all_forms() if not form.is_valid()]
        return self._overall_is_a_question() and not invalid

    def _overall_is_a_question(self) -> bool:
        overall = self.general.cleaned_data.get("overall")
        if overall is None:  # not chosen, which has its own error
            return True
        row = self.questions[overall - 1]
        if row.is_valid() and not row.question():
            self.general.add_error("overall", _("选为总体评价题的这一行没有填写题目。"))
            return False
        return True

    def settings(self) -> SurveySettings:
        """The typed settings, once valid."""
        data = self.general.cleaned_data
        asked = [form for form in self.questions if form.question()]
        return SurveySettings(
            sample_size=data["sample_size"],
            pass_percent=data["pass_percent"],
            min_duration_seconds=data["min_duration_seconds"],
            cluster_size=data["cluster_size"],
            notice=data["notice"],
            questions=[form.question() for form in asked],
            # The page numbers its rows; the settings number the questions left after the
            # blank rows.
            overall=[form.number for form in asked].index(data["overall"]) + 1,
            options=[o for o in (form.option() for form in self.options) if o is not None],
            tiers=[t for t in (form.tier() for form in self.tiers) if t is not None],
            awareness=[form.setting() for form in self.awareness],
        )

    def refuse(self, message: str) -> None:
        """Show the action's refusal, a problem of the settings as a whole, above the form."""
        self.general.add_error(None, message)

    def problems(self) -> list[Problem]:
        """Everything to fix, the settings' own problems first, then in the page's order."""
        found = [Problem("", str(message), "") for message in self.general.non_field_errors()]
        found += [
            Problem(str(field.label), str(message), input_id(field))
            for field in self._fields_in_page_order()
            for message in field.errors
        ]
        return found

    def _fields_in_page_order(self) -> Iterator[BoundField]:
        yield from self.general.sample_and_quality_fields()
        yield self.general["notice"]
        for question in self.questions:
            yield from question
        yield self.general["overall"]
        for row in [*self.awareness, *self.options, *self.tiers]:
            yield from row

    def question_rows(self) -> list[tuple[QuestionForm, BoundWidget]]:
        """Each question's row with its radio for "this is the overall question"."""
        return list(zip(self.questions, self.general["overall"].subwidgets, strict=True))

    def lock_questionnaire(self) -> None:
        """Show the questions and options without letting them change: answers are in. The
        awareness questions' targets and points, like the tiers, may still change."""
        for question in [*self.questions, *self.awareness]:
            question.fields["text"].widget.attrs["readonly"] = True
        for option in self.options:
            option.fields["label"].widget.attrs["readonly"] = True
            for flag in ("satisfied", "valid"):
                # HTML has no read-only checkbox, and a disabled one would not be posted.
                option.fields[flag].widget.attrs["onclick"] = "return false"
        # The page posts the overall question in a hidden input instead.
        self.general.fields["overall"].widget.attrs["disabled"] = True


def saved_settings(scheme: SurveyScheme) -> SurveySettings:
    """The campaign's settings as saved, for the page to start from."""
    config = scheme.config
    return SurveySettings(
        sample_size=config.sample_size,
        pass_percent=None if config.pass_rate is None else percent(config.pass_rate),
        min_duration_seconds=config.min_duration_seconds,
        cluster_size=config.cluster_size,
        notice=config.notice,
        questions=[q.text for q in scheme.satisfaction_questions],
        overall=next(
            (n for n, q in enumerate(scheme.satisfaction_questions, start=1) if q.is_overall), 0
        ),
        options=[
            OptionRow(o.label, o.counts_as_satisfied, o.counts_as_valid) for o in scheme.options
        ],
        tiers=[TierRow(percent(t.min_rate), t.points) for t in scheme.tiers],
        awareness=[
            AwarenessSetting(q.text, percent(q.target_rate or 0), q.points or Decimal(0))
            for q in scheme.awareness_questions
        ],
    )
