"""A square pad to write one character on with a finger, with the recogniser's best candidates,
undo-last-stroke and rewrite. The strokes are personal data: they live only here."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.graphics import Color, InstructionGroup, Line
from kivy.properties import ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.handwriting.recognition import HandwritingRecognition
from kiosk.handwriting.zinnia import HandwritingInputError, HandwritingUnavailable
from kiosk.i18n import N_, _
from kiosk.ui.widgets.labels import KioskLabel
from kiosk.ui.widgets.name_key import NameKeyButton

# The recogniser sees every character in a box of this side, whatever the pad's size on screen.
RECOGNITION_SIDE = 1000
# A point closer than this (a share of the side) to the last one adds nothing but work.
MIN_STEP = 0.01
INK = (0.13, 0.13, 0.15, 1)
GUIDE = (0.80, 0.82, 0.86, 1)

HINT_WRITE = N_("Write one character in the box")
HINT_NONE = N_("Not recognised: rewrite it, or undo a stroke")
HINT_UNAVAILABLE = N_("Handwriting is not available on this kiosk")



class WritingArea(Widget):
    """Records one finger's strokes as points in 0..1 of its side (y down, as the recogniser
    wants) and draws them; ``on_stroke`` fires when a finger lifts."""

    __events__ = ("on_stroke",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.strokes: list[list[tuple[float, float]]] = []
        self._ink: list[InstructionGroup] = []
        self._touch: Any = None
        self.bind(pos=self._redraw, size=self._redraw)

    def on_stroke(self) -> None:
        pass

    # -- touches --

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos) or self.disabled:
            return False
        if self._touch is not None:
            # One finger writes; a palm or a second finger is not a stroke.
            return True
        touch.grab(self)
        self._touch = touch
        self.strokes.append([])
        group = InstructionGroup()
        group.add(Color(*INK))
        group.add(Line(points=[], width=self._ink_width(), cap="round", joint="round"))
        self._ink.append(group)
        self.canvas.add(group)
        self._add_point(touch)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if touch.grab_current is not self or touch is not self._touch:
            return self.collide_point(*touch.pos)
        self._add_point(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self or touch is not self._touch:
            return self.collide_point(*touch.pos)
        touch.ungrab(self)
        self._add_point(touch)
        self._touch = None
        self.dispatch("on_stroke")
        return True

    def _add_point(self, touch: Any) -> None:
        side = max(self.width, 1.0)
        x = min(max((touch.x - self.x) / side, 0.0), 1.0)
        y = min(max((self.top - touch.y) / max(self.height, 1.0), 0.0), 1.0)
        stroke = self.strokes[-1]
        if stroke and abs(x - stroke[-1][0]) < MIN_STEP and abs(y - stroke[-1][1]) < MIN_STEP:
            return
        stroke.append((x, y))
        line = self._ink[-1].children[-1]
        line.points = [*line.points, self.x + x * self.width, self.top - y * self.height]

    # -- editing --

    def undo(self) -> None:
        if self.strokes and self._touch is None:
            self.strokes.pop()
            self.canvas.remove(self._ink.pop())

    def clear(self) -> None:
        """Forget every stroke (a finger still down is let go)."""
        if self._touch is not None:
            self._touch.ungrab(self)
            self._touch = None
        self.strokes.clear()
        for group in self._ink:
            self.canvas.remove(group)
        self._ink.clear()

    def scaled_strokes(self, side: float) -> list[list[tuple[float, float]]]:
        return [[(x * side, y * side) for x, y in stroke] for stroke in self.strokes]

    def _ink_width(self) -> float:
        return max(3.0, self.width / 70)

    def _redraw(self, *_args: Any) -> None:
        for group, stroke in zip(self._ink, self.strokes, strict=True):
            line = group.children[-1]
            line.width = self._ink_width()
            line.points = [v for x, y in stroke
                           for v in (self.x + x * self.width, self.top - y * self.height)]


class HandwritingPad(BoxLayout):
    """The writing area, the best candidates beside it, undo and rewrite. Choosing a candidate
    fires ``on_choose(char)`` and clears the pad."""

    __events__ = ("on_choose",)

    recognition = ObjectProperty(None, allownone=True)
    candidates = ListProperty([])
    stroke_count = NumericProperty(0)
    hint = StringProperty(HINT_WRITE)
    # Candidate keys beside the area (two rows of three).
    count = NumericProperty(6)

    def __init__(self, **kwargs: Any) -> None:
        # Set before the kv rule applies: on_kv_post runs inside BoxLayout.__init__.
        self.candidate_keys: list[NameKeyButton] = []
        self.hint_label: KioskLabel | None = None
        # Each change of the strokes starts a new generation; a late answer for an older one is
        # dropped, so a cleared pad never shows what the last citizen wrote.
        self._generation = 0
        self._answer: tuple[int, list[str] | None] | None = None
        self._show_answer = Clock.create_trigger(self._take_answer)
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: Any) -> None:
        self.grid = GridLayout(cols=3)
        self.grid.spacing = self._gap()
        for _slot in range(int(self.count)):
            key = NameKeyButton(role="title", kind="secondary")
            key.bind(on_release=self._on_key)
            self.candidate_keys.append(key)
        app = App.get_running_app()
        if app is not None and hasattr(app, "lang"):
            # A bound method, which Kivy holds weakly: the app must not keep the pad alive.
            app.bind(lang=self._on_app_lang)
        self._fill()

    def on_choose(self, char: str) -> None:
        pass

    @property
    def area(self) -> WritingArea:
        area: WritingArea = self.ids.area
        return area

    # -- keys --

    def _on_key(self, key: NameKeyButton) -> None:
        self.choose(key.value)

    def choose(self, char: str) -> None:
        if char and char in self.candidates:
            self.dispatch("on_choose", char)
            self.clear()

    def undo(self) -> None:
        self.area.undo()
        self._strokes_changed()
        if self.area.strokes:
            self.recognise()

    def rewrite(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Strokes and candidates gone (after a choice, on rewrite, at the end of a visit)."""
        self.area.clear()
        self._strokes_changed()

    def key(self, char: str) -> NameKeyButton:
        return next(k for k in self.candidate_keys if k.value == char and k.parent is not None)

    # -- recognition --

    def recognise(self) -> None:
        """Ask for candidates for the strokes so far, off the UI thread (10-100 ms a classify)."""
        self._strokes_changed()
        recognition: HandwritingRecognition | None = self.recognition
        if recognition is None or not self.area.strokes:
            return
        generation = self._generation
        future = recognition.submit(self.area.scaled_strokes(RECOGNITION_SIDE), RECOGNITION_SIDE,
                                    RECOGNITION_SIDE, int(self.count))

        def done(finished: Future[list[str]]) -> None:
            try:
                found: list[str] | None = finished.result()
            except (HandwritingUnavailable, HandwritingInputError):
                found = None
            # Runs on the recognition thread: hand over and let the UI thread show it.
            self._answer = (generation, found)
            self._show_answer()

        future.add_done_callback(done)

    def _take_answer(self, *_args: Any) -> None:
        answer, self._answer = self._answer, None
        if answer is None or answer[0] != self._generation:
            return
        found = answer[1]
        if found is None:
            self.candidates = []
            self.hint = HINT_UNAVAILABLE
        else:
            self.candidates = found
            self.hint = HINT_NONE if not found else HINT_WRITE
        self._fill()

    def _strokes_changed(self) -> None:
        self._generation += 1
        self.stroke_count = len(self.area.strokes)
        if not self.area.strokes:
            self.candidates = []
            self.hint = HINT_WRITE
            self._fill()

    # -- showing --

    def _gap(self) -> float:
        app = App.get_running_app()
        theme = getattr(app, "theme", None)
        return float(theme.gap * 0.5) if theme is not None else 8.0

    def _fill(self) -> None:
        box = self.ids.candidate_box
        box.clear_widgets()
        self.grid.clear_widgets()
        if not self.candidates:
            if self.hint_label is None:
                self.hint_label = KioskLabel(role="body", halign="center")
                self.hint_label.size_hint_y = 1
            self._translate_hint()
            box.add_widget(self.hint_label)
            return
        self.grid.spacing = self._gap()
        padded = [*self.candidates, *[""] * len(self.candidate_keys)]
        for key, char in zip(self.candidate_keys, padded, strict=False):
            key.value = char
            key.text = char
            key.shown = bool(char)
            key.disabled = not char
            self.grid.add_widget(key)
        box.add_widget(self.grid)

    def _on_app_lang(self, *_args: Any) -> None:
        self._translate_hint()

    def _translate_hint(self) -> None:
        if self.hint_label is not None:
            self.hint_label.text = _(self.hint)
