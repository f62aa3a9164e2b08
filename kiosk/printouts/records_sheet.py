"""The records printout: a citizen's list of records as a table, over as many cut sheets as it needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from citizen_id.masking import mask_id_number, mask_name
from kiosk.i18n import _
from kiosk.printouts.wording import check_lang, printed_time
from terminal_drivers.printer.columns import Justify, fit_widths
from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.printer.sheet import Sheet


@dataclass(frozen=True)
class RecordContent:
    """A list of records; ``name`` and ``id_number`` are masked on paper by the layout itself.

    ``facts`` are label/value pairs every row shares (the insurance type, the employer): they are
    printed in the head of every sheet, so each sheet says whose and which records it lists.
    """

    title: str
    name: str
    id_number: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    printed_at: datetime
    hall_name: str = ""
    justify: Sequence[Justify] = ()
    facts: Sequence[tuple[str, str]] = ()
    note: str = ""
    rows_per_sheet: int = 20
    lang: str = "zh_Hans"

    def __post_init__(self) -> None:
        check_lang(self.lang)
        if not self.columns:
            raise ValueError("a record printout needs columns")
        if any(len(r) != len(self.columns) for r in self.rows):
            raise ValueError("every row needs one cell per column")
        if self.justify and len(self.justify) != len(self.columns):
            raise ValueError("justify needs one entry per column")
        if self.rows_per_sheet < 1:
            raise ValueError("rows_per_sheet must be at least 1")


def record_printout(content: RecordContent, paper: PaperFormat) -> list[bytes]:
    """One job per cut sheet; a long list continues over sheets marked 第1/3张."""
    lang = content.lang
    justify: list[Justify] = list(content.justify) or ["left"] * len(content.columns)
    cells = [[str(c) for c in row] for row in content.rows]
    table = [[h, *(row[i] for row in cells)] for i, h in enumerate(content.columns)]
    widths = fit_widths(table, paper.columns)
    per = content.rows_per_sheet
    sheets = [cells[i : i + per] for i in range(0, len(cells), per)] or [[]]
    jobs: list[bytes] = []
    for number, rows in enumerate(sheets, start=1):
        sheet = Sheet(paper)
        if content.hall_name:
            sheet.centered(content.hall_name)
        sheet.heading(content.title)
        if len(sheets) > 1:
            sheet.centered(_("Sheet {i}/{n}", lang).format(i=number, n=len(sheets)))
        sheet.pairs(
            [
                (_("Name", lang), mask_name(content.name)),
                (_("ID document number", lang), mask_id_number(content.id_number)),
                (_("Printed", lang), printed_time(content.printed_at)),
                *content.facts,
            ]
        )
        sheet.rule("=")
        sheet.job.align("left").bold()
        sheet.table_lines(list(content.columns), widths, ["left"] * len(widths))
        sheet.job.bold(False)
        sheet.rule()
        if not rows:
            sheet.centered(_("No records", lang))
        for row in rows:
            sheet.table_lines(row, widths, justify)
        sheet.rule()
        last = number == len(sheets)
        sheet.centered(_("(end of list)", lang) if last else _("(continued)", lang))
        if last and content.note:
            sheet.centered(content.note)
        jobs.append(sheet.finish())
    return jobs
