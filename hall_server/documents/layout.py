"""A certificate laid out on A4: data in, unsigned PDF bytes out (fpdf2, the CJK font embedded as subsets)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from hall_server.documents import qr_drawing, seal
from hall_server.documents.certificate import Certificate, CertificateFonts, when
from hall_server.documents.wording import title, word

RED = (179, 38, 30)
INK = (30, 30, 30)
GREY = (110, 110, 110)
MARGIN_MM = 15.0
BODY_PT = 10.0
CELL_LINE_MM = 5.4
CELL_PAD_MM = 1.3


class _Page(FPDF):
    def __init__(self, cert: Certificate) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.cert = cert

    def header(self) -> None:
        if self.page_no() == 1:
            return
        cert = self.cert
        self.set_font("cjk0", "", 8)
        self.set_text_color(*GREY)
        self.set_xy(MARGIN_MM, 8)
        running = f"{cert.hall_name}  ·  {title(cert.kind, cert.lang)}  ·  {cert.holder_name}"
        self.cell(0, 5, running, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*RED)
        self.set_line_width(0.3)
        self.line(MARGIN_MM, 14, self.w - MARGIN_MM, 14)
        self.set_y(18)

    def footer(self) -> None:
        cert = self.cert
        self.set_y(-14)
        self.set_draw_color(200, 200, 200)
        self.set_line_width(0.2)
        self.line(MARGIN_MM, self.get_y(), self.w - MARGIN_MM, self.get_y())
        self.set_font("cjk0", "", 8)
        self.set_text_color(*GREY)
        third = (self.w - 2 * MARGIN_MM) / 3
        self.set_x(MARGIN_MM)
        self.cell(third, 7, f"{word('code', cert.lang)} {cert.code}")
        self.cell(third, 7, word("page", cert.lang, n=self.page_no(), m="{nb}"), align="C")
        self.cell(third, 7, f"{word('issued_at', cert.lang)} {when(cert.issued_at)}", align="R")


def _period(cert: Certificate) -> str:
    if cert.start is None and cert.end is None:
        return word("all_records", cert.lang)
    return f"{cert.start.isoformat() if cert.start else '…'} — {cert.end.isoformat() if cert.end else '…'}"


def _first_page_head(pdf: _Page) -> None:
    cert = pdf.cert
    top = 14.0
    qr_size = 26.0
    qr_x = pdf.w - MARGIN_MM - qr_size
    qr_drawing.draw(pdf, cert.verify_url, qr_x, top, qr_size)
    pdf.set_font("cjk0", "", 7)
    pdf.set_text_color(*GREY)
    pdf.set_xy(qr_x - 10, top + qr_size + 1)
    pdf.cell(qr_size + 20, 4, cert.code, align="C")

    text_w = qr_x - MARGIN_MM - 6
    pdf.set_xy(MARGIN_MM, top)
    pdf.set_text_color(*RED)
    pdf.set_font("cjk0", "B", 13)
    pdf.cell(text_w, 8, cert.hall_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.set_font("cjk0", "B", 19 if cert.lang != "en" else 16)
    pdf.multi_cell(text_w, 10, title(cert.kind, cert.lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.8)
    line_y = max(pdf.get_y() + 2, top + qr_size + 6)
    pdf.line(MARGIN_MM, line_y, pdf.w - MARGIN_MM, line_y)
    pdf.set_line_width(0.2)
    pdf.line(MARGIN_MM, line_y + 1.2, pdf.w - MARGIN_MM, line_y + 1.2)

    pdf.set_y(line_y + 5)
    facts = [
        (word("name", cert.lang), cert.holder_name),
        (word("id_number", cert.lang), cert.masked_id),
        (word("period", cert.lang), _period(cert)),
        (word("issued_at", cert.lang), when(cert.issued_at)),
    ]
    label_w = 32.0 if cert.lang == "en" else 28.0
    for label, value in facts:
        pdf.set_x(MARGIN_MM)
        pdf.set_font("cjk0", "B", 10)
        pdf.set_text_color(*GREY)
        pdf.cell(label_w, 7, label)
        pdf.set_font("cjk0", "", 11)
        pdf.set_text_color(*INK)
        pdf.multi_cell(0, 7, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _column_widths(pdf: _Page, cert: Certificate) -> list[float]:
    """Each column as wide as its widest text when the page allows; else no narrower than its longest
    word (so a heading never breaks inside a word), the rest of the room shared by what each lacks."""
    pad = 2 * CELL_PAD_MM + 0.6
    natural, least = [], []
    for key, label in cert.columns:
        pdf.set_font("cjk0", "B", BODY_PT)
        widest = pdf.get_string_width(label)
        longest_word = max(pdf.get_string_width(w) for w in label.split() or [""])
        pdf.set_font("cjk0", "", BODY_PT)
        for row in cert.rows:
            cell = row.get(key, "")
            widest = max(widest, pdf.get_string_width(cell))
            longest_word = max(longest_word, *(pdf.get_string_width(w) for w in cell.split() or [""]))
        natural.append(min(widest, 95.0) + pad)
        least.append(min(longest_word, widest, 45.0) + pad)
    room = pdf.w - 2 * MARGIN_MM
    if sum(natural) <= room:
        # Spare room goes to every column alike, so the table spans the page.
        return [w + (room - sum(natural)) / len(natural) for w in natural]
    if sum(least) >= room:
        return [w * room / sum(least) for w in least]
    share = (room - sum(least)) / (sum(natural) - sum(least))
    return [low + (high - low) * share for low, high in zip(least, natural, strict=True)]


def _cell_lines(pdf: _Page, text: str, width: float) -> list[str]:
    if pdf.get_string_width(text) <= width:
        return [text]
    lines = pdf.multi_cell(width, CELL_LINE_MM, text, dry_run=True, output=MethodReturnValue.LINES)
    assert isinstance(lines, list)
    return [str(line) for line in lines] or [""]


def _row_cells(pdf: _Page, widths: Sequence[float], texts: Sequence[str], *,
               heading: bool) -> list[list[str]]:
    """Each cell's lines, wrapped within its column."""
    pdf.set_font("cjk0", "B" if heading else "", BODY_PT)
    return [_cell_lines(pdf, text, w - 2 * CELL_PAD_MM) for text, w in zip(texts, widths, strict=True)]


def _row_height(cells: Sequence[Sequence[str]]) -> float:
    return max(len(lines) for lines in cells) * CELL_LINE_MM + 1.6 * CELL_PAD_MM


def _draw_row(pdf: _Page, widths: Sequence[float], cells: Sequence[Sequence[str]], *, heading: bool) -> None:
    """One row at the cursor, its cells framed (headings shaded)."""
    pdf.set_font("cjk0", "B" if heading else "", BODY_PT)
    height = _row_height(cells)
    x, y = pdf.l_margin, pdf.get_y()
    pdf.set_fill_color(238, 232, 230)
    for w, lines in zip(widths, cells, strict=True):
        pdf.rect(x, y, w, height, style="DF" if heading else "D")
        for i, line in enumerate(lines):
            pdf.set_xy(x + CELL_PAD_MM, y + 0.8 * CELL_PAD_MM + i * CELL_LINE_MM)
            pdf.cell(w - 2 * CELL_PAD_MM, CELL_LINE_MM, line)
        x += w
    pdf.set_xy(pdf.l_margin, y + height)


def _table(pdf: _Page, cert: Certificate) -> None:
    """The rows as a framed table; a row that does not fit starts a new page, which repeats the headings.

    Drawn cell by cell rather than with fpdf2's table, which lays every cell out twice and took half
    of a certificate's time.
    """
    pdf.set_font("cjk0", "", BODY_PT)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    if not cert.rows:
        pdf.cell(0, 10, word("no_rows", cert.lang), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    widths = _column_widths(pdf, cert)
    headings = _row_cells(pdf, widths, [label for _, label in cert.columns], heading=True)
    _draw_row(pdf, widths, headings, heading=True)
    for row in cert.rows:
        cells = _row_cells(pdf, widths, [row.get(key, "") for key, _ in cert.columns], heading=False)
        if pdf.get_y() + _row_height(cells) > pdf.page_break_trigger:
            pdf.add_page()
            _draw_row(pdf, widths, headings, heading=True)
        _draw_row(pdf, widths, cells, heading=False)
    pdf.ln(2)
    pdf.set_font("cjk0", "", 8.5)
    pdf.set_text_color(*GREY)
    pdf.cell(0, 5, word("rows", cert.lang, n=len(cert.rows)), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _closing(pdf: _Page, cert: Certificate) -> None:
    block_h = 50.0
    if pdf.will_page_break(block_h):
        pdf.add_page()
    top = pdf.get_y() + 3
    room = pdf.w - 2 * MARGIN_MM
    left_w = room * 0.55
    pdf.set_xy(MARGIN_MM, top)
    pdf.set_font("cjk0", "", 9)
    pdf.set_text_color(*INK)
    pdf.multi_cell(left_w, 5, word("statement", cert.lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk0", "", 8)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(left_w, 5, cert.verify_url, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # Stamped over the issuer's name and the date as on paper; the seal goes down first so the words stay
    # crisp on top of it.
    issuer_x = MARGIN_MM + left_w + 6
    issuer_w = room - left_w - 6
    radius = 19.0
    seal.draw(pdf, issuer_x + issuer_w / 2, top + 8 + radius * 0.8, radius, cert.seal_name,
              word("seal_caption", cert.lang))
    pdf.set_xy(issuer_x, top + 10)
    pdf.set_font("cjk0", "B", 10)
    pdf.set_text_color(*INK)
    pdf.multi_cell(issuer_w, 6, f"{word('issuer', cert.lang)}: {cert.hall_name}", align="C",
                   new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("cjk0", "", 10)
    pdf.cell(issuer_w, 6, f"{cert.issued_at:%Y-%m-%d}", align="C")
    pdf.set_y(top + block_h)


@dataclass(frozen=True)
class LaidOut:
    pdf: bytes
    pages: int


def build_pdf(cert: Certificate, fonts: CertificateFonts) -> LaidOut:
    """The unsigned certificate, A4, every page numbered 第 n 页 共 m 页 (or the reader's language)."""
    pdf = _Page(cert)
    fonts.install(pdf, "".join(cert.texts()), "".join(cert.bold_texts()))
    pdf.set_margins(MARGIN_MM, 18, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=20)
    pdf.alias_nb_pages()
    pdf.set_lang(cert.lang)
    pdf.set_title(title(cert.kind, cert.lang))
    pdf.set_author(cert.hall_name)
    pdf.set_creator("gov-kiosk hall server")
    pdf.set_creation_date(cert.issued_at)
    pdf.add_page()
    _first_page_head(pdf)
    _table(pdf, cert)
    _closing(pdf, cert)
    return LaidOut(bytes(pdf.output()), pdf.page_no())
