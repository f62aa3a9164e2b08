"""An on-screen keyboard for names: pinyin letters with a row of candidate characters, Latin
letters straight into the name (ABC), or a character written by hand, with erase and clear. The
state lives in a NameComposer."""

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.utils import escape_markup, get_hex_from_color

from kiosk.flows.name_input import HANDWRITING, LATIN, NAME_DOT, PINYIN, NameComposer
from kiosk.handwriting.recognition import HandwritingRecognition, shared_recognition
from kiosk.i18n import N_, _
from kiosk.ui.widgets.handwriting_pad import HandwritingPad
from kiosk.ui.widgets.labels import KioskLabel
from kiosk.ui.widgets.name_key import NameKeyButton

__all__ = ["LETTERS", "NameKeyButton", "NameKeyboard"]

LETTERS = "abcdefghijklmnopqrstuvwxyz"
# What the candidate row says while it has no candidates, by mode.
HINTS = {
    PINYIN: N_("Type the pinyin, then touch a character"),
    LATIN: N_("Letters go straight into your name"),
    HANDWRITING: N_("Write one character in the box"),
}


class NameKeyboard(BoxLayout):
    """Edits ``name``; ``letters`` are the pinyin typed since the last character was chosen and
    ``composition`` shows both (markup) for the name field above the keyboard."""

    name = StringProperty("")
    letters = StringProperty("")
    mode = StringProperty(PINYIN)
    composition = StringProperty("")
    hint = StringProperty(HINTS[PINYIN])
    has_more = BooleanProperty(False)
    has_previous = BooleanProperty(False)
    page_candidates = ListProperty([])
    # Candidate keys in the row between Previous and More.
    page_size = NumericProperty(5)
    # libzinnia and its model are there (and not switched off in the kiosk's settings).
    handwriting_available = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.composer = NameComposer(page_size=int(self.page_size))
        self.letter_keys: dict[str, NameKeyButton] = {}
        self.candidate_keys: list[NameKeyButton] = []
        self.hint_label: Any = None
        self.pad: HandwritingPad | None = None
        self.recognition: HandwritingRecognition | None = None
        self.fbind("mode", self._refresh_letter_labels)

    def on_kv_post(self, base_widget: Any) -> None:
        for letter in LETTERS:
            key = NameKeyButton(value=letter, text=letter.upper())
            key.bind(on_release=self._on_key)
            self.ids.letters.add_widget(key)
            self.letter_keys[letter] = key
        # The last cell joins the parts of a name: · in pinyin (买买提·艾力), - in Latin names.
        self.separator_key = NameKeyButton(value=NAME_DOT, text=NAME_DOT, kind="secondary")
        self.separator_key.bind(on_release=self._on_key)
        self.ids.letters.add_widget(self.separator_key)
        for _slot in range(int(self.page_size)):
            key = NameKeyButton(role="title", kind="secondary")
            key.bind(on_release=self._on_key)
            self.candidate_keys.append(key)
        self.recognition = self._recognition()
        self.handwriting_available = self.recognition is not None
        self._refresh_letter_labels()
        self._sync()

    @staticmethod
    def _recognition() -> HandwritingRecognition | None:
        """The kiosk's recognition if its settings allow it and libzinnia and the model are there."""
        app = App.get_running_app()
        settings = getattr(getattr(app, "kiosk_config", None), "handwriting", None)
        if settings is None:
            recognition = shared_recognition()
        elif not settings.enabled:
            return None
        else:
            recognition = shared_recognition(settings.model, settings.library, settings.name_supplement)
        return recognition if recognition.available() else None

    # -- input --

    def _on_key(self, key: NameKeyButton) -> None:
        self.press(key.value)

    def press(self, key: str) -> None:
        """One key: a letter, a candidate character, ``·``/`` ``/``-``, or one of ``previous``,
        ``more``, ``mode`` (pinyin/ABC), ``handwriting`` (in and out of handwriting), ``erase``,
        ``clear``. Keys that make no sense now are ignored."""
        composer = self.composer
        if key == "previous":
            composer.previous()
        elif key == "more":
            composer.more()
        elif key == "mode":
            composer.set_mode(PINYIN if composer.mode == LATIN else LATIN)
        elif key == "handwriting":
            if not self.handwriting_available:
                return
            composer.set_mode(PINYIN if composer.mode == HANDWRITING else HANDWRITING)
        elif key == "erase":
            composer.erase()
        elif key == "clear":
            composer.clear()
        elif key in (NAME_DOT, " ", "-"):
            composer.separator(key)
        elif len(key) == 1 and key.lower() in LETTERS:
            composer.type_letter(key)
        elif len(key) == 1 and key in composer.page_candidates():
            composer.choose(key)
        else:
            return
        self._sync()

    def clear(self) -> None:
        """Forget the name, the letters and any strokes on the pad and go back to pinyin (the
        next citizen's default)."""
        if self.pad is not None:
            self.pad.clear()
        self.composer.clear()
        self.composer.set_mode(PINYIN)
        self._sync()

    def finished_name(self) -> str:
        return self.composer.finished_name()

    @property
    def has_strokes(self) -> bool:
        """Something is written on the pad that is not yet a character of the name."""
        return self.pad is not None and self.pad.parent is not None and bool(self.pad.stroke_count)

    def key(self, value: str) -> NameKeyButton:
        """The key that types ``value`` now (a letter, a candidate, ``·`` or ``-``)."""
        keys = [*self.letter_keys.values(), self.separator_key, *self.candidate_keys,
                *(self.pad.candidate_keys if self.pad is not None else ())]
        return next(k for k in keys if k.value == value and k.parent is not None)

    # -- showing the state --

    def _sync(self) -> None:
        composer = self.composer
        self.name = composer.name
        self.letters = composer.letters
        self.mode = composer.mode
        self.hint = HINTS[composer.mode]
        self.has_more = composer.has_more
        self.has_previous = composer.has_previous
        self.page_candidates = list(composer.page_candidates())
        accent = get_hex_from_color(self._accent())
        self.composition = escape_markup(composer.name) + (
            f"[color={accent}][u]{composer.letters}[/u][/color]" if composer.letters else ""
        )
        allowed = composer.allowed_letters()
        for letter, key in self.letter_keys.items():
            key.disabled = letter not in allowed
        separator = NAME_DOT if composer.mode == PINYIN else "-"
        self.separator_key.value = separator
        self.separator_key.text = separator
        self.separator_key.disabled = not composer.accepts_separator(separator)
        self.ids.space.disabled = composer.mode != LATIN or not composer.accepts_separator(" ")
        self._show_body()
        self._fill_candidates()

    def _on_written(self, _pad: HandwritingPad, char: str) -> None:
        self.composer.write(char)
        self._sync()

    def _show_body(self) -> None:
        """The pad above the control row in handwriting mode; else candidates and letters."""
        row, letters = self.ids.candidate_row, self.ids.letters
        if self.mode == HANDWRITING:
            if self.pad is None:
                self.pad = HandwritingPad(recognition=self.recognition, size_hint_y=4)
                self.pad.bind(on_choose=self._on_written)
            if self.pad.parent is None:
                self.remove_widget(row)
                self.remove_widget(letters)
                # Children run bottom-up: index 1 is just above the control row.
                self.add_widget(self.pad, index=1)
        elif self.pad is not None and self.pad.parent is not None:
            # What was written is not kept for a return to handwriting.
            self.pad.clear()
            self.remove_widget(self.pad)
            self.add_widget(letters, index=1)
            self.add_widget(row, index=2)

    def _accent(self) -> Any:
        app = App.get_running_app()
        theme = getattr(app, "theme", None)
        return theme.accent if theme is not None else (0.09, 0.36, 0.66, 1)

    def _fill_candidates(self) -> None:
        row = self.ids.candidates
        row.clear_widgets()
        if not self.page_candidates:
            if self.hint_label is None:
                label = self.hint_label = KioskLabel(role="body", halign="center")
                label.size_hint_y = 1
                app = App.get_running_app()
                if app is not None and hasattr(app, "lang"):
                    # A bound method, which Kivy holds weakly: the app must not keep the keyboard
                    # (and its screen) alive.
                    app.bind(lang=self._on_app_lang)
            self._translate_hint()
            row.add_widget(self.hint_label)
            return
        for key, char in zip(self.candidate_keys, [*self.page_candidates, *[""] * len(self.candidate_keys)],
                             strict=False):
            key.value = char
            key.text = char
            key.shown = bool(char)
            key.disabled = not char
            row.add_widget(key)

    def _on_app_lang(self, *_args: Any) -> None:
        self._translate_hint()

    def _refresh_letter_labels(self, *_args: Any) -> None:
        # In pinyin ü is typed v: the key says so.
        key = self.letter_keys.get("v")
        if key is not None:
            key.text = "V/Ü" if self.mode == PINYIN else "V"
            key.role = "small" if self.mode == PINYIN else "large"

    def _translate_hint(self) -> None:
        if self.hint_label is not None:
            self.hint_label.text = _(self.hint)
