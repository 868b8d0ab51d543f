"""The look every export shares: a title row and a note above a styled header, print set-up
(landscape A4, repeated header rows, page numbers) and text that cannot run as a formula.

Sheets are openpyxl write-only (rows stream to disk, constant memory). Only title and header
cells carry styles; data rows are plain values, so a 10,000-row sheet costs what openpyxl
itself costs, and printed grid lines stand in for cell borders.
"""

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from communities.sheets import Column, defuse

__all__ = [
    "Column",
    "Layout",
    "Params",
    "Progress",
    "bold_row",
    "data_text",
    "export_date_note",
    "finish_sheet",
    "heading_row",
    "local_time",
    "new_workbook",
    "no_progress",
    "percent_text",
    "points_text",
    "start_sheet",
]

TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(color="555555")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_THIN = Side(style="thin", color="999999")
HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
# Excel refuses these in sheet names, and names longer than 31 characters.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31


# Called with (rows done, rows in all) as a workbook is written.
Progress = Callable[[int, int], None]
Params = Mapping[str, Any]


def no_progress(done: int, total: int) -> None:
    """For callers that do not report progress (the benchmark, tests)."""


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def data_text(value: str | None) -> str | None:
    """Text for a data cell: control characters a worksheet cannot hold are dropped, and text
    a spreadsheet would run as a formula (= + - @) is defused."""
    if not value:
        return None
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return defuse(value)


def local_time(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Spreadsheets know no time zones: the local wall-clock time."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None)


def sheet_name(name: str, taken: set[str]) -> str:
    base = _SHEET_NAME_FORBIDDEN.sub("_", name).strip("'") or "Sheet"
    candidate = base[:MAX_SHEET_NAME]
    n = 2
    while candidate in taken:
        suffix = f"({n})"
        candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate


@dataclass(frozen=True)
class Layout:
    """Where a sheet's header ends, for the caller's auto-filter and print area."""

    sheet: Any
    header_row: int
    width: int


def _styled(sheet: Any, value: Any, font: Font, *, header: bool = False) -> Cell:
    """A title or header cell. Its style is registered with the workbook once per kind and
    copied after that: registering compares whole style objects, and wide sheets have
    hundreds of header cells."""
    styles: dict[tuple[int, bool], Any] = sheet.parent.__dict__.setdefault("_export_styles", {})
    key = (id(font), header)
    if isinstance(value, str):
        value = data_text(value)
    if key in styles:
        return Cell(sheet, row=1, column=1, value=value, style_array=styles[key])
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    if header:
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = HEADER_ALIGNMENT
    else:
        cell.alignment = Alignment(vertical="center")
    styles[key] = getattr(cell, "_style")  # noqa: B009 - private in the type stubs
    return cell


def start_sheet(
    workbook: Workbook,
    title: str,
    heading: str,
    note: str,
    columns: Sequence[Column],
    *,
    groups: Sequence[tuple[str, int]] = (),
    frozen_columns: int = 0,
    fit_to_width: bool = True,
    taken: set[str] | None = None,
) -> Layout:
    """A sheet with its title row, note row and header, ready for data rows.

    ``groups`` adds a header row above the column headers: (label, number of columns) spans,
    e.g. an item's code above its 自评/审核/联审后 columns; both header rows then repeat on
    every printed page. Wide sheets that cannot fit one page's width repeat their first
    ``frozen_columns`` columns on every page instead of shrinking to unreadable type.
    """
    # Typed loosely: the stubs do not know write-only sheets share the print set-up attributes.
    sheet: Any = workbook.create_sheet(sheet_name(title, taken if taken is not None else set()))
    width = len(columns)
    last = get_column_letter(width)
    _set_widths(sheet, [column.width for column in columns])
    first_header = 3
    header_row = first_header + (1 if groups else 0)
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{header_row + 1}"
    sheet.print_title_rows = f"{first_header}:{header_row}"
    if frozen_columns:
        sheet.print_title_cols = f"A:{get_column_letter(frozen_columns)}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = Worksheet.PAPERSIZE_A4
    if fit_to_width:
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")

    sheet.append([_styled(sheet, heading, TITLE_FONT)])
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.append([_styled(sheet, note, NOTE_FONT)])
    sheet.merged_cells.add(f"A2:{last}2")
    if groups:
        row: list[Cell | None] = []
        start = 1
        for label, span in groups:
            row.append(_styled(sheet, label, HEADER_FONT, header=True))
            row.extend(_styled(sheet, None, HEADER_FONT, header=True) for _i in range(span - 1))
            if span > 1:
                sheet.merged_cells.add(
                    f"{get_column_letter(start)}{first_header}:"
                    f"{get_column_letter(start + span - 1)}{first_header}"
                )
            start += span
        sheet.append(row)
    sheet.append([_styled(sheet, c.header, HEADER_FONT, header=True) for c in columns])
    return Layout(sheet, header_row, width)


def _set_widths(sheet: Any, widths: Sequence[float]) -> None:
    """Column widths, one <col> element for each run of equal widths: a score matrix has a
    hundred columns of a few widths, and openpyxl writes each element slowly."""
    first = 1
    for last in range(1, len(widths) + 1):
        if last < len(widths) and widths[last] == widths[first - 1]:
            continue
        dimension = sheet.column_dimensions[get_column_letter(first)]
        dimension.width = widths[first - 1]
        dimension.min, dimension.max = first, last
        first = last + 1


def finish_sheet(layout: Layout, data_rows: int) -> None:
    """An auto-filter over the header and the rows written below it."""
    last = get_column_letter(layout.width)
    layout.sheet.auto_filter.ref = f"A{layout.header_row}:{last}{layout.header_row + data_rows}"


def heading_row(sheet: Any, values: Sequence[Any]) -> None:
    """A header row in the middle of a sheet (a second small table on a summary sheet)."""
    sheet.append([_styled(sheet, value, HEADER_FONT, header=True) for value in values])


def bold_row(sheet: Any, values: Sequence[Any]) -> None:
    """A 合计 or section-title row."""
    sheet.append([_styled(sheet, value, HEADER_FONT) for value in values])


def percent_text(bounds: tuple[Any, Any] | None) -> str | None:
    """A 95 % interval as printed in the tables: 79.5～93.6."""
    if bounds is None:
        return None
    return f"{bounds[0]}～{bounds[1]}"


def points_text(points: Any) -> str:
    """16.0 → "16", 1.5 → "1.5": points as printed in a header."""
    text = f"{points:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def export_date_note(moment: datetime.datetime) -> str:
    return _("导出时间：%(time)s") % {"time": f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"}
