"""Importing the community register from a spreadsheet: preview (dry run) and apply.

The whole file is applied in one transaction or not at all. Every problem names the sheet
row and the column, in Chinese, so a district clerk can fix the file and upload it again.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import Result, RowResult

from campaign.kernel import audit_log
from campaign.kernel.users import Actor
from communities.resources import CODE, REQUIRED_COLUMNS, CommunityResource
from communities.sheets import Issue, SheetError, Table, open_workbook, read_table
from communities.widgets import CodeWidget

if TYPE_CHECKING:
    from campaign.kernel.roles import Scope

logger = logging.getLogger(__name__)


@dataclass
class Change:
    row: int
    code: str
    name: str
    kind: str  # "new", "update" or "unchanged"
    fields: list[tuple[str, str, str]] = field(default_factory=list)

    def describe(self) -> str:
        """What changes, column by column: “户数（户）：2000 → 2100；联系人：（空） → 王书记”."""
        empty = _("（空）")
        return "；".join(
            f"{column}：{old or empty} → {new or empty}" for column, old, new in self.fields
        )


@dataclass
class ImportReport:
    filename: str = ""
    sheet: str = ""
    header_row: int = 0
    changes: list[Change] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    skipped_total_rows: list[int] = field(default_factory=list)
    new_streets: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in ("new", "update", "unchanged")}

    def summary(self) -> str:
        counts = self.counts
        return _("共%(rows)d行：新增%(new)d个，更新%(update)d个，无变化%(unchanged)d个。") % {
            "rows": len(self.changes),
            **counts,
        }


def preview_import(data: bytes, scope: "Scope | None", filename: str = "") -> ImportReport:
    """Validate the whole file and show what would change; nothing is saved."""
    return _run(data, scope, filename, dry_run=True)


def apply_import(
    data: bytes,
    scope: "Scope | None",
    *,
    actor: Actor | None = None,
    filename: str = "",
    ip: str | None = None,
) -> ImportReport:
    """Apply the file if, and only if, every row is valid; record it in the audit log."""
    with transaction.atomic(durable=True):
        report = _run(data, scope, filename, dry_run=False)
        if not report.ok:
            transaction.set_rollback(True)
            return report
        audit_log.record(
            "community.import",
            actor=actor,
            district_id=scope.district_id if scope is not None else None,
            comment=report.summary(),
            details={
                "filename": filename,
                **report.counts,
                "new": [c.code for c in report.changes if c.kind == "new"],
                "updated": [c.code for c in report.changes if c.kind == "update"],
                "new_streets": report.new_streets,
            },
            ip=ip,
        )
    return report


def _run(data: bytes, scope: "Scope | None", filename: str, *, dry_run: bool) -> ImportReport:
    report = ImportReport(filename=filename)
    try:
        table = read_table(
            open_workbook(data).worksheets[0], CommunityResource.column_names(), REQUIRED_COLUMNS
        )
    except SheetError as exc:
        report.issues.append(Issue(None, None, str(exc)))
        return report
    report.sheet, report.header_row = table.sheet_title, table.header_row
    report.ignored_columns, report.skipped_total_rows = (
        table.ignored_columns,
        table.skipped_total_rows,
    )
    if not table.rows:
        report.issues.append(Issue(None, None, _("表格中没有数据行。")))
        return report
    report.issues.extend(_duplicate_codes(table))

    resource = CommunityResource(scope=scope)
    dataset = tablib.Dataset(headers=table.columns)
    for row in table.rows:
        dataset.append([row.values[column] for column in table.columns])
    result = resource.import_data(
        dataset,
        dry_run=dry_run or not report.ok,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    row_numbers = [row.number for row in table.rows]
    report.issues.extend(_issues(result, resource, row_numbers))
    report.changes = _changes(result, resource, row_numbers)
    report.new_streets = _created_streets(resource)
    report.applied = not dry_run and report.ok
    return report


def _duplicate_codes(table: Table) -> Iterable[Issue]:
    first_seen: dict[str, int] = {}
    widget = CodeWidget(12)
    for row in table.rows:
        try:
            code = widget.clean(row.values.get(CODE))
        except ValueError:
            continue
        if code in first_seen:
            yield Issue(
                row.number, CODE, _("与第%(row)d行的社区代码重复。") % {"row": first_seen[code]}
            )
        else:
            first_seen[code] = row.number


def _issues(result: Result, resource: CommunityResource, row_numbers: list[int]) -> list[Issue]:
    columns = {f.attribute: f.column_name for f in resource.fields.values()}
    issues = [Issue(None, None, str(error.error)) for error in result.base_errors]
    for number, errors in result.row_errors():
        for error in errors:
            logger.error("register import: row %s could not be saved", number, exc_info=error.error)
            issues.append(
                Issue(
                    row_numbers[number - 1], None, _("保存失败：%(error)s") % {"error": error.error}
                )
            )
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = None if attribute == NON_FIELD_ERRORS else columns.get(attribute, attribute)
            issues.extend(Issue(row_numbers[invalid.number - 1], column, m) for m in messages)
    position = {name: index for index, name in enumerate(CommunityResource.column_names())}
    return sorted(issues, key=lambda issue: (issue.row or 0, position.get(issue.column or "", -1)))


def _changes(result: Result, resource: CommunityResource, row_numbers: list[int]) -> list[Change]:
    kinds = {
        RowResult.IMPORT_TYPE_NEW: "new",
        RowResult.IMPORT_TYPE_UPDATE: "update",
        RowResult.IMPORT_TYPE_SKIP: "unchanged",
    }
    changes = []
    for number, row_result in zip(row_numbers, result.rows, strict=True):
        kind = kinds.get(row_result.import_type)
        instance = row_result.instance
        if kind is None or instance is None:
            continue
        change = Change(number, instance.code, instance.name, kind)
        if kind == "update" and row_result.original is not None:
            change.fields = _differences(resource, row_result.original, instance)
            if not change.fields:
                change.kind = "unchanged"
        changes.append(change)
    return changes


def _differences(
    resource: CommunityResource, before: Any, after: Any
) -> list[tuple[str, str, str]]:
    differences = []
    for name in resource._meta.fields:
        resource_field = resource.fields[name]
        old, new = resource_field.get_value(before), resource_field.get_value(after)
        if old != new:
            render = resource_field.widget.render
            differences.append((resource_field.column_name, render(old), render(new)))
    return differences


def _created_streets(resource: CommunityResource) -> list[str]:
    return [f"{s.name}（{s.code}）" for s in resource.fields["street"].widget.created]
