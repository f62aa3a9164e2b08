"""Where a label's lines break: no closing mark at a line's start, no number cut in two (Chinese
typesetting's kinsoku), and a word on a narrow key kept on one line."""

from typing import Any

from kivy.app import App
from kivy.core.text import Label as CoreLabel

from kiosk.ui.theme import FONT_SIZES

# Marks that Chinese typesetting never lets begin a line (GB/T 15834 closing punctuation). Kivy wraps
# a run of Chinese at any character and honours no joiner (U+2060, U+FEFF, NBSP), so the label is
# narrowed instead: the last character of the line before then goes down with the mark.
NO_LINE_START = frozenset("。，、；：？！）》」』】〕〉”’…%")
# The air a word on a key keeps on its sides together.
_KEY_TEXT_MARGIN = 10
# How many characters' width a label may give up to keep a mark with its text.
_MAX_NARROWING = 3


def rendered_lines(label: Any) -> list[str]:
    """The lines a label is drawn in, as its core label laid them out."""
    lines = getattr(getattr(label, "_label", None), "_cached_lines", None) or ()
    return ["".join(word.text for word in line.words) for line in lines]


def _in_a_word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in ":.")


def bad_breaks(label: Any) -> list[tuple[str, str]]:
    """The places (line before, line after) where a label breaks badly: a line that starts with a
    closing mark, or a number or Latin word cut in two (12:00 as 1 / 2:00)."""
    lines = rendered_lines(label)
    text = None if label.markup else label.text
    found = []
    position = 0
    for index, line in enumerate(lines):
        start = text.find(line, position) if text is not None and line else -1
        before = lines[index - 1] if index else ""
        if before and line:
            if line[0] in NO_LINE_START:
                found.append((before, line))
            elif start == position and _in_a_word(before[-1]) and _in_a_word(line[0]):
                # Nothing (no space, no newline) between the two lines: the break is inside a word.
                found.append((before, line))
        if start >= 0:
            position = start + len(line)
    return found


def keep_marks_attached(label: Any) -> None:
    """Wrap ``label`` so that no line of it starts with a closing mark or cuts a number in two,
    whatever its width: the text gives up a character's width on its right (left-aligned text stays
    where it is)."""
    base = list(label.padding)
    state = {"extra": 0.0}

    def set_extra(extra: float) -> None:
        state["extra"] = extra
        label.padding = [base[0], base[1], base[2] + extra, base[3]]

    def check(*_args: Any) -> None:
        for _attempt in range(_MAX_NARROWING):
            if not label.text_size[0] or not bad_breaks(label):
                return
            extra = state["extra"] + label.font_size
            if extra > label.font_size * _MAX_NARROWING or extra >= label.width / 2:
                return
            set_extra(extra)
            label.texture_update()

    def widen(*_args: Any) -> None:
        # New words, a new size or a new width are laid out from the full width again.
        if state["extra"]:
            set_extra(0.0)

    label.bind(text=widen, font_size=widen, width=widen, texture_size=check)


def fit_on_one_line(button: Any) -> None:
    """Keep a word on a narrow key on one line, in the largest of the theme's sizes (large, body,
    small) that fits the key in any language and text size; the key's own rule would give it the
    large size of a letter and break a long word in two ("Eras" / "e")."""

    def fit(*_args: Any) -> None:
        theme = App.get_running_app().theme
        room = button.width - _KEY_TEXT_MARGIN
        # Last, the ordinary small size: a word that fits no size of elderly mode still fits a key.
        sizes = (theme.font_large, theme.font_body, theme.font_small, FONT_SIZES[False]["small"])
        size = next((s for s in sizes if _text_width(button.text, s, button.font_name) <= room), sizes[-1])
        if button.font_size != size:
            button.font_size = size

    def unwrapped(*_args: Any) -> None:
        # One word is never wrapped: it is centred in the key at its natural width.
        if tuple(button.text_size) != (None, None):
            button.text_size = (None, None)

    # The key's rule sets the size and the wrapping width again when the theme or the width
    # changes: fit again then.
    button.bind(width=fit, text=fit, font_size=fit, text_size=unwrapped)
    unwrapped()
    fit()


def _text_width(text: str, font_size: float, font_name: str) -> float:
    width, _height = CoreLabel(font_size=font_size, font_name=font_name).get_extents(text)
    return float(width)


def fitting_font_size(text: str, room: float, sizes: tuple[float, ...], font_name: str = "Roboto") -> float:
    """The first of ``sizes`` (largest first) at which ``text`` fits in ``room`` pixels; the last when
    none does. For a field whose text grows, such as an 18-character ID number in elderly mode's title
    size, which would otherwise run off both ends."""
    return next((s for s in sizes if _text_width(text, s, font_name) <= room), sizes[-1])
