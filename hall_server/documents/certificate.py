"""What a certificate says, the fonts it is set in, and how it prints an instant: the pieces of the
certificate desk a hall holds from its start (fpdf2, which lays a certificate out, loads only with the
first certificate: ``layout``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hall_server.documents.font_pieces import BOLD_FONT, REGULAR_FONT, PiecedFont, Warmed
from hall_server.documents.wording import every_text

if TYPE_CHECKING:
    from fpdf import FPDF


@dataclass(frozen=True)
class Certificate:
    """What one certificate says; ``issued_at`` is in the hall's time zone."""

    kind: str
    lang: str
    hall_name: str
    seal_name: str
    holder_name: str
    masked_id: str
    columns: Sequence[tuple[str, str]]
    rows: Sequence[Mapping[str, str]]
    start: date | None
    end: date | None
    issued_at: datetime
    code: str
    verify_url: str

    def texts(self) -> list[str]:
        """Every text the certificate draws, so the fonts hold each of its characters."""
        cells = [row.get(key, "") for row in self.rows for key, _ in self.columns]
        return [self.hall_name, self.seal_name, self.holder_name, self.masked_id, self.code, self.verify_url,
                *(label for _, label in self.columns), *cells]

    def bold_texts(self) -> list[str]:
        """What is set in bold beyond the fixed words: the hall's name, the seal and the column headings."""
        return [self.hall_name, self.seal_name, *(label for _, label in self.columns)]


class CertificateFonts:
    """The regular and bold faces, cut into pieces once per process and cached on disk."""

    def __init__(self, cache_dir: Path) -> None:
        fixed = {ord(c) for c in every_text()}
        self.regular = PiecedFont(REGULAR_FONT, cache_dir, extra_common=fixed)
        self.bold = PiecedFont(BOLD_FONT, cache_dir, extra_common=fixed)

    def warm(self) -> Warmed:
        """Cut the first piece of each face unless cached; how many were cut of how many wanted."""
        regular, bold = self.regular.warm(), self.bold.warm()
        return Warmed(regular.cut + bold.cut, regular.wanted + bold.wanted)

    def install(self, pdf: FPDF, text: str, bold_text: str) -> None:
        """Add the pieces ``text`` needs as families cjk0, cjk1, … (bold faces for ``bold_text``)."""
        regular = self.regular.pieces_for(text)
        bold = self.bold.pieces_for(bold_text)
        for piece in regular:
            pdf.add_font(f"cjk{piece.index}", "", str(piece.path))
        for piece in bold:
            pdf.add_font(f"cjk{piece.index}", "B", str(piece.path))
        # Text is set in cjk0; a character cjk0 lacks is drawn from the piece that has it, in the same
        # weight where that piece was added in it.
        others = sorted({piece.index for piece in (*regular, *bold)} - {0})
        pdf.set_fallback_fonts([f"cjk{index}" for index in others], exact_match=False)
        for font in pdf.fonts.values():
            # The pieces' bounding boxes are already right; recomputing them walks every glyph drawn and
            # was a quarter of the time a certificate took.
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.recalcBBoxes = False


def when(at: datetime) -> str:
    """An instant as printed: ``2026-11-25 10:00 (UTC+08:00)``."""
    offset = at.strftime("%z")
    return f"{at:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"
