"""Building spreadsheets the way offices do, and passing files through a real LibreOffice."""

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook


def workbook_bytes(rows: Sequence[Sequence[Any]], title: str = "Sheet1") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_rows(data: bytes, sheet: int | str = 0) -> list[tuple[Any, ...]]:
    workbook = load_workbook(BytesIO(data), data_only=True)
    worksheet = workbook.worksheets[sheet] if isinstance(sheet, int) else workbook[sheet]
    return [tuple(row) for row in worksheet.iter_rows(values_only=True)]


def libreoffice_convert(data: bytes, target: str, suffix: str = ".xlsx") -> bytes:
    """Open the file in LibreOffice and save it as ``target`` ("xlsx", "csv", ...).

    A fresh profile per call keeps parallel or leftover LibreOffice instances out of the way.
    """
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office, "LibreOffice is not installed (make test installs libreoffice-calc-nogui)"
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"input{suffix}"
        source.write_bytes(data)
        out = Path(tmp) / "out"
        out.mkdir()
        # CSV: comma-separated, double quotes, UTF-8 (76), first sheet only.
        filter_name = "csv:Text - txt - csv (StarCalc):44,34,76,1" if target == "csv" else target
        completed = subprocess.run(
            [
                office,
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--norestore",
                "--convert-to",
                filter_name,
                "--outdir",
                str(out),
                str(source),
            ],
            capture_output=True,
            timeout=180,
        )
        produced = list(out.iterdir())
        assert completed.returncode == 0 and produced, completed.stderr.decode(errors="replace")
        return produced[0].read_bytes()


def survey_row(code: str, reference: str, answer: str = "满意", **cells: Any) -> dict[str, Any]:
    """One questionnaire of a survey firm's sheet, by column header; question columns (headed
    "1. …") all get ``answer`` unless given by header."""
    return {
        "社区代码": code,
        "问卷编号": reference,
        "调查方式": "电话",
        "调查员": "调查员甲",
        "开始时间": "2020-10-12 09:30",
        "结束时间": "2020-10-12 09:33",
        "answer": answer,
        **cells,
    }


def survey_workbook(campaign: Any, rows: Sequence[dict[str, Any]]) -> bytes:
    """The campaign's survey template (as the office hands it to the firm) filled with rows;
    awareness questions (是/否) are answered 是 unless given by header."""
    from campaign.survey.models import QuestionKind, SurveyQuestion
    from campaign.survey.sheet_template import template_workbook

    workbook = load_workbook(BytesIO(template_workbook(campaign)))
    sheet = workbook.worksheets[0]
    headers = [str(cell.value or "") for cell in sheet[1]]
    awareness = {
        f"{position}."
        for position in SurveyQuestion.objects.filter(
            campaign=campaign, kind=QuestionKind.AWARENESS
        ).values_list("position", flat=True)
    }

    def default(header: str, answer: str) -> Any:
        if not header[:1].isdigit():
            return None
        return "是" if header.split(" ")[0].split("．")[0] in awareness else answer

    for row in rows:
        sheet.append([row.get(header, default(header, row["answer"])) for header in headers])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
