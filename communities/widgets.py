"""django-import-export widgets for the messy cells of real office spreadsheets.

``clean`` turns a cell into a model value or raises ValueError with a Chinese message that
names what was expected; import-export attaches it to the row and column. ``to_cell`` gives
the native spreadsheet value for streamed exports (numbers stay numbers, codes stay text).
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from import_export import widgets

from communities.sheets import header_key, normalize_number_text
from communities.units import wan_to_yuan, yuan_to_wan


class CellWidget(widgets.Widget):
    def to_cell(self, value: Any) -> Any:
        return value

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        cell = self.to_cell(value)
        return "" if cell is None else str(cell)


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:20] + "…"


class TextWidget(CellWidget):
    def __init__(self, max_length: int, required: bool = False) -> None:
        self.max_length = max_length
        self.required = required

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        if value is None:
            if self.required:
                raise ValueError(_("不能为空。"))
            return ""
        text = _number_as_text(value)
        if len(text) > self.max_length:
            raise ValueError(_("不能超过%(n)d个字。") % {"n": self.max_length})
        return text

    def to_cell(self, value: Any) -> Any:
        return value or None


class PhoneWidget(TextWidget):
    """Full-width digits become ASCII; spacing and separators are kept as written."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        return unicodedata.normalize("NFKC", super().clean(value, row, **kwargs)).strip()


def _number_as_text(value: Any) -> str:
    """A phone or code typed into Excel arrives as 6315895580.0; give back its digits."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class CodeWidget(CellWidget):
    """A 统计用区划代码 of a fixed length; Excel often stores it as a number."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        if value is None:
            raise ValueError(_("不能为空。"))
        text = normalize_number_text(_number_as_text(value)).lstrip("'")
        if not re.fullmatch(rf"\d{{{self.digits}}}", text):
            raise ValueError(
                _("应为%(n)d位数字（统计用区划代码），当前为“%(value)s”。")
                % {"n": self.digits, "value": _shown(value)}
            )
        return text


class NumberWidget(CellWidget):
    """A non-negative number with at most ``places`` decimals, written in any office fashion."""

    def __init__(self, places: int = 0, unit: str = "") -> None:
        self.places = places
        self.unit = unit

    def parse(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool):
            raise ValueError(_("应为数字，当前为“%(value)s”。") % {"value": value})
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        else:
            text = normalize_number_text(str(value))
            if self.unit and text.endswith(self.unit):
                text = text[: -len(self.unit)]
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise ValueError(
                    _("应为数字，当前为“%(value)s”。") % {"value": _shown(value)}
                ) from None
        if not number.is_finite():
            raise ValueError(_("应为数字，当前为“%(value)s”。") % {"value": _shown(value)})
        if number < 0:
            raise ValueError(_("不能为负数。"))
        if number != number.quantize(Decimal(1).scaleb(-self.places)):
            if self.places == 0:
                raise ValueError(_("应为整数，当前为“%(value)s”。") % {"value": _shown(value)})
            raise ValueError(_("最多保留%(n)d位小数。") % {"n": self.places})
        return number

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        number = self.parse(value)
        if number is None:
            return None
        return int(number) if self.places == 0 else number


class MoneyWidget(NumberWidget):
    """Cells in 万元, stored in yuan."""

    def __init__(self) -> None:
        super().__init__(places=4, unit="万元")  # i18n-data: a suffix accepted in cells

    def parse(self, value: Any) -> Decimal | None:
        if isinstance(value, str) and normalize_number_text(value).endswith("万"):  # i18n-data
            value = normalize_number_text(value)[:-1]
        return super().parse(value)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        number = self.parse(value)
        return None if number is None else wan_to_yuan(number)

    def to_cell(self, value: Any) -> Any:
        return yuan_to_wan(value)


class ChoiceWidget(CellWidget):
    def __init__(self, choices: type[TextChoices], aliases: dict[str, str] | None = None) -> None:
        self.choices = choices
        self.lookup = {header_key(label): value for value, label in choices.choices}
        self.lookup.update({header_key(value): value for value in choices.values})
        self.lookup.update({header_key(alias): value for alias, value in (aliases or {}).items()})

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        options = "、".join(str(label) for label in self.choices.labels)
        if value is None:
            raise ValueError(_("不能为空，应为：%(options)s。") % {"options": options})
        found = self.lookup.get(header_key(value))
        if found is None:
            raise ValueError(
                _("应为：%(options)s；当前为“%(value)s”。")
                % {"options": options, "value": _shown(value)}
            )
        return found

    def to_cell(self, value: Any) -> Any:
        return str(self.choices(value).label) if value else None
