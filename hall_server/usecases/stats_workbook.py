"""A statistics report as an Excel workbook (XLSX): the same rows and total row as its CSV, as numbers."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from hall_server.usecases.stats_scope import Grouping, Report


def report_xlsx(report: Report, by: Grouping, title: str) -> bytes:
    """One sheet named after the report: a title line, the header, the rows, then the ``total`` row."""
    lead = () if by == "total" else (by,)
    columns = (*lead, *report.columns)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = report.name
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(columns))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in report.rows:
        sheet.append([_value(row.get(c)) for c in columns])
    total = {**report.totals, **{c: "total" for c in (*lead, report.columns[0]) if c not in report.totals}}
    sheet.append([_value(total.get(c)) for c in columns])
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _value(value: Any) -> Any:
    return value if value is None or isinstance(value, int | float | str) else str(value)
