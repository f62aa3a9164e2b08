"""Column arithmetic for a receipt in font A: 12-dot ASCII cells, 24-dot Hanzi cells.

In Chinese mode every non-ASCII character is drawn from the 24×24 double-byte font, so it takes
two columns whatever its East Asian Width says (· and — included); an ASCII character takes one.
80 mm paper (576 dots) holds 48 columns, 58 mm (384 dots) 32; ``GS !`` width ×k divides that by k.
"""

from __future__ import annotations

from typing import Literal

ASCII_CELL_DOTS = 12
PAPER_WIDTHS_DOTS = (384, 576)

Justify = Literal["left", "center", "right"]


def columns_for(width_dots: int, width_multiplier: int = 1) -> int:
    """How many single-width columns fit on a line of ``width_dots`` at a ``GS !`` width."""
    if width_dots <= 0 or width_multiplier < 1:
        raise ValueError(f"bad line width {width_dots} dots at ×{width_multiplier}")
    return width_dots // (ASCII_CELL_DOTS * width_multiplier)


def char_width(char: str) -> int:
    """Columns one character takes on the printer."""
    code = ord(char)
    if code < 0x20 or code == 0x7F:
        return 0
    return 1 if code < 0x80 else 2


def display_width(text: str) -> int:
    """Columns ``text`` takes on the printer."""
    return sum(char_width(c) for c in text)


def truncate(text: str, cols: int, ellipsis: str = "…") -> str:
    """Cut ``text`` to at most ``cols`` columns, ending in ``ellipsis`` when something was cut."""
    if display_width(text) <= cols:
        return text
    room = cols - display_width(ellipsis)
    if room < 0:
        return ""
    out: list[str] = []
    used = 0
    for char in text:
        w = char_width(char)
        if used + w > room:
            break
        out.append(char)
        used += w
    return "".join(out) + ellipsis


# A line may not start with closing punctuation (Chinese line-breaking rule 禁则).
_NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)")


def wrap(text: str, cols: int) -> list[str]:
    """Break ``text`` into lines of at most ``cols`` columns.

    Hanzi break anywhere; runs of ASCII letters and digits (words, numbers, codes) stay whole when
    they fit on a line; explicit newlines are kept; closing punctuation never starts a line when
    it can still join the previous one.
    """
    if cols < 2:
        raise ValueError("a line needs at least two columns")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, cols))
    return lines


def wrap_balanced(text: str, cols: int) -> list[str]:
    """Like ``wrap`` but with lines of even length, so centred text never leaves one orphan
    character on its last line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        plain = _wrap_paragraph(paragraph, cols)
        best = plain
        narrower = cols - 1
        while narrower >= 2:
            attempt = _wrap_paragraph(paragraph, narrower)
            if len(attempt) > len(plain):
                break
            best = attempt
            narrower -= 1
        lines.extend(best)
    return lines


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    word = ""
    for char in text:
        if char.isascii() and char.isalnum():
            word += char
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(char)
    if word:
        tokens.append(word)
    return tokens


def _wrap_paragraph(text: str, cols: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for token in _tokens(text):
        width = display_width(token)
        if display_width(current) + width <= cols:
            current += token
            continue
        if token == " ":
            lines.append(current.rstrip())
            current = ""
            continue
        if token in _NO_LINE_START:
            # Pull the last character (and any closing punctuation before it) down with it.
            k = 1
            while k < len(current) - 1 and current[-k] in _NO_LINE_START:
                k += 1
            if k < len(current) and display_width(current[-k:]) + width <= cols:
                lines.append(current[:-k].rstrip())
                current = current[-k:] + token
                continue
        if width > cols:
            # A word longer than a line: break it by characters.
            for char in token:
                if display_width(current) + char_width(char) > cols:
                    lines.append(current.rstrip())
                    current = ""
                current += char
            continue
        lines.append(current.rstrip())
        current = token.lstrip(" ")
    lines.append(current.rstrip())
    return lines


def pad(text: str, cols: int, justify: Justify = "left") -> str:
    """Pad ``text`` with spaces to exactly ``cols`` columns (truncating when it is longer)."""
    text = truncate(text, cols)
    room = cols - display_width(text)
    if justify == "right":
        return " " * room + text
    if justify == "center":
        left = room // 2
        return " " * left + text + " " * (room - left)
    return text + " " * room


def two_columns(left: str, right: str, cols: int, fill: str = ".") -> str:
    """``left`` flush left, ``right`` flush right, ``fill`` between: "people ahead ....... 3".

    The right part wins: the left one is truncated when both do not fit.
    """
    if char_width(fill) != 1:
        raise ValueError("fill must be one single-width character")
    right_width = display_width(right)
    left = truncate(left, max(cols - right_width - 2, 0))
    gap = cols - display_width(left) - right_width
    if gap < 2:
        return (left + " " + right) if gap >= 1 else left + right
    return left + " " + fill * (gap - 2) + " " + right


def table_row(cells: list[str], widths: list[int], justify: list[Justify]) -> str:
    """One row of fixed-width columns separated by a space; each cell truncated to its width."""
    if not (len(cells) == len(widths) == len(justify)):
        raise ValueError("cells, widths and justify must have the same length")
    return " ".join(pad(c, w, j) for c, w, j in zip(cells, widths, justify, strict=True)).rstrip()


def fit_widths(columns: list[list[str]], cols: int) -> list[int]:
    """Widths for a table's columns (each a list of its cells) that sum, with separators, to ≤ cols.

    Each column gets what its widest cell needs; when that is too much, the widest columns give
    way first, but not below their longest unbreakable run of ASCII (an amount, a date) while
    another column can still give; then down to two columns (one Hanzi). Raises ValueError when
    even that does not fit.
    """
    if not columns:
        return []
    widths = [max((display_width(c) for c in col), default=1) for col in columns]
    keep = [max((_longest_ascii_run(c) for c in col), default=1) for col in columns]
    room = cols - (len(columns) - 1)
    for floor in (keep, [2] * len(columns)):
        while sum(widths) > room:
            can_give = [i for i in range(len(widths)) if widths[i] > max(floor[i], 2)]
            if not can_give:
                break
            widths[max(can_give, key=lambda i: widths[i])] -= 1
    if sum(widths) > room:
        raise ValueError(f"{len(columns)} columns do not fit in {cols}")
    return widths


def _longest_ascii_run(text: str) -> int:
    runs = "".join(ch if ch.isascii() and ch != " " else " " for ch in text).split()
    return max((len(r) for r in runs), default=0)
