"""Reading the spreadsheets offices really send, and writing ones that open cleanly in Excel/WPS.

Real files have a title row above the header, stray and full-width spaces, numbers stored as
text, blank trailing rows and a 合计 row at the bottom. Reading finds the header row by name,
cleans each cell and remembers every data row's sheet row number so errors can point at it.
Writing streams rows (openpyxl write-only, constant memory) and defuses text that a spreadsheet
would otherwise run as a formula.
"""

import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook as WorkbookType
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A real register of 110,000 communities is ~15 MB unpacked; anything far beyond is hostile.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
HEADER_SCAN_ROWS = 20
TOTAL_ROW_MARKERS = ("合计", "总计", "小计")  # i18n-data
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


class SheetError(Exception):
    """The file as a whole cannot be used; the message is for the person who uploaded it."""


def read_file(path: Path) -> bytes:
    """A spreadsheet named on the command line, or a SheetError saying why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SheetError(
            _("无法读取文件 %(file)s：%(error)s") % {"file": path, "error": exc.strerror}
        ) from exc


def open_workbook(data: bytes) -> WorkbookType:
    """Open an uploaded .xlsx after checking it really is one (by content, not by name)."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SheetError(
            _("这是旧版 Excel（.xls）文件，请在 Excel 或 WPS 中“另存为” .xlsx 格式后再上传。")
        )
    if not zipfile.is_zipfile(BytesIO(data)):
        raise SheetError(_("文件不是有效的 Excel（.xlsx）文件，可能已损坏，或并非表格文件。"))
    with zipfile.ZipFile(BytesIO(data)) as archive:
        entries = archive.infolist()
        if not any(entry.filename == "xl/workbook.xml" for entry in entries):
            raise SheetError(_("文件不是 Excel 工作簿（可能是 Word 文档或其他压缩包）。"))
        if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
            raise SheetError(_("文件解压后过大，拒绝处理。"))
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise SheetError(_("无法读取该 Excel 文件，文件可能已损坏。")) from exc


def header_key(text: Any) -> str:
    """Compare headers loosely: full/half width, spaces and required-marks (*) don't matter."""
    if text is None:
        return ""
    normalized = unicodedata.normalize("NFKC", str(text)).translate(_INVISIBLE)
    return "".join(ch for ch in normalized if not ch.isspace() and ch != "*").lower()


def clean_cell(value: Any) -> Any:
    """Trim text (including full-width spaces), turn empty text into None, undo defusing."""
    if isinstance(value, str):
        value = value.translate(_INVISIBLE).strip()
        if not value:
            return None
        if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
            value = value[1:]
    return value


def normalize_number_text(value: str) -> str:
    """Full-width digits and signs to ASCII, thousands separators and inner spaces removed."""
    text = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in text if not ch.isspace() and ch != ",")


@dataclass(frozen=True)
class Issue:
    """One problem in an uploaded file, located as precisely as possible."""

    row: int | None
    column: str | None
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        where = _("“%(sheet)s”表") % {"sheet": self.sheet} if self.sheet else ""
        if self.row is not None:
            where += _("第%(row)d行") % {"row": self.row}
        if self.column:
            where += f"“{self.column}”"
        return f"{where}：{self.message}" if where else self.message


@dataclass
class SheetRow:
    number: int
    values: dict[str, Any]


@dataclass
class Table:
    sheet_title: str
    header_row: int
    columns: list[str]
    rows: list[SheetRow]
    ignored_columns: list[str] = field(default_factory=list)
    skipped_total_rows: list[int] = field(default_factory=list)


def read_table(worksheet: Any, columns: Sequence[str], required: Sequence[str]) -> Table:
    """Read a sheet (read-only or normal openpyxl worksheet) into rows keyed by the canonical
    column names in ``columns``."""
    canonical = {header_key(name): name for name in columns}
    required_keys = {header_key(name) for name in required}
    rows = worksheet.iter_rows(values_only=True)
    header_row = 0
    header: tuple[Any, ...] = ()
    for number, values in enumerate(rows, start=1):
        if required_keys <= {header_key(v) for v in values}:
            header_row, header = number, values
            break
        if number >= HEADER_SCAN_ROWS:
            break
    if not header_row:
        raise SheetError(
            _(
                "工作表“%(sheet)s”前%(n)d行中没有找到表头（应包含：%(columns)s）。请使用系统导出的模板。"
            )
            % {"sheet": worksheet.title, "n": HEADER_SCAN_ROWS, "columns": "、".join(required)}
        )

    positions: dict[int, str] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        key = header_key(title)
        if not key:
            continue
        name = canonical.get(key)
        if name is None:
            ignored.append(str(title).strip())
        elif name in positions.values():
            raise SheetError(
                _("第%(row)d行表头中“%(column)s”出现了两次。") % {"row": header_row, "column": name}
            )
        else:
            positions[index] = name

    table = Table(worksheet.title, header_row, list(positions.values()), [], ignored)
    for number, values in enumerate(rows, start=header_row + 1):
        cleaned = [clean_cell(v) for v in values]
        if all(v is None for v in cleaned):
            continue
        first = next(v for v in cleaned if v is not None)
        if isinstance(first, str) and first.replace(" ", "").startswith(TOTAL_ROW_MARKERS):
            table.skipped_total_rows.append(number)
            continue
        row = {name: cleaned[i] if i < len(cleaned) else None for i, name in positions.items()}
        table.rows.append(SheetRow(number, row))
    return table


def defuse(value: Any) -> Any:
    """Prefix text a spreadsheet would run as a formula; reading strips the prefix again."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class BinaryWriter(Protocol):
    """A file, a BytesIO or a Django HttpResponse: anything a workbook can be written to."""

    def write(self, data: bytes, /) -> Any: ...


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 12
    text: bool = False
    number_format: str | None = None


_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


class SheetWriter:
    """A write-only workbook of plain tables: title row, header row, data, print set-up."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)

    def add_table(
        self,
        title: str,
        heading: str,
        columns: Sequence[Column],
        rows: Iterable[Sequence[Any]],
        note: str = "",
    ) -> WriteOnlyWorksheet:
        sheet = self.workbook.create_sheet(title)
        last_column = get_column_letter(len(columns))
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        header_row = 3 if note else 2
        sheet.freeze_panes = f"A{header_row + 1}"
        sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True

        sheet.append([self._cell(sheet, heading, Font(bold=True, size=14))])
        sheet.merged_cells.add(f"A1:{last_column}1")
        if note:
            sheet.append([self._cell(sheet, note, Font(color="666666"))])
            sheet.merged_cells.add(f"A2:{last_column}2")
        sheet.append(
            [
                self._cell(sheet, c.header, Font(bold=True), fill=_HEADER_FILL, wrap=True)
                for c in columns
            ]
        )
        count = 0
        for count, values in enumerate(rows, start=1):  # noqa: B007 - count is used after the loop
            sheet.append(
                [self._data_cell(sheet, c, v) for c, v in zip(columns, values, strict=True)]
            )
        sheet.auto_filter.ref = f"A{header_row}:{last_column}{header_row + count}"
        return sheet

    @staticmethod
    def _cell(
        sheet: WriteOnlyWorksheet,
        value: Any,
        font: Font,
        fill: PatternFill | None = None,
        wrap: bool = False,
    ) -> Cell:
        cell = WriteOnlyCell(sheet, value=defuse(value))
        cell.font = font
        if fill is not None:
            cell.fill = fill
            cell.border = _BORDER
        cell.alignment = Alignment(wrap_text=wrap, vertical="center")
        return cell

    @staticmethod
    def _data_cell(sheet: WriteOnlyWorksheet, column: Column, value: Any) -> Cell:
        if column.text and value is not None:
            value = str(value)
        cell = WriteOnlyCell(sheet, value=defuse(value))
        cell.border = _BORDER
        if column.text:
            cell.number_format = "@"
        elif column.number_format:
            cell.number_format = column.number_format
        return cell

    def save(self, target: "str | BinaryWriter") -> None:
        self.workbook.save(target)


def xlsx_response(filename: str) -> HttpResponse:
    """An empty download response; write the workbook into it. The Chinese file name is sent
    RFC 5987-encoded, with an ASCII fallback for old clients."""
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"download.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
