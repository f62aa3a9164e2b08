"""Guides screen: departments and their services, search by pinyin initials, the guide page with
the one-time-notification list of materials, and a QR code to take the guide away.
"""

from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from hall_contract import Service
from kiosk.flows import guides as rules
from kiosk.flows.catalogue_cache import CatalogueCache
from kiosk.flows.guides import GuidesFlow, GuidesUnavailable, Sourced
from kiosk.i18n import N_, _
from kiosk.ui.screens.flow_screen import ScrollList, cache_dir
from kiosk.ui.screens.service_search import ServiceSearchScreen
from kiosk.ui.widgets.qr import QrCode


class GuidesScreen(ServiceSearchScreen):
    step = StringProperty("browse")
    title_msgid = N_("Service guides")
    back_steps: ClassVar[dict[str, str]] = {"guide": "browse"}
    from_cache = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._flow: GuidesFlow | None = None
        self.department: str | None = None
        self.department_buttons: dict[str | None, Any] = {}
        self.qr: QrCode | None = None
        self.saved_at: datetime | None = None

    @property
    def flow(self) -> GuidesFlow:
        if self._flow is None:
            self._flow = GuidesFlow(self.app.hall, CatalogueCache(cache_dir(self.app)))
        return self._flow

    def on_enter_params(self, **params: Any) -> None:
        super().on_enter_params(**params)
        self.service = None
        self.department = None
        if self.keyboard is not None:
            self.keyboard.value = ""
        self.show("browse")
        self.load()

    def load(self) -> None:
        self.call(lambda: self.flow.catalogue(self.app.lang), self._got_catalogue, failed=self._unavailable)
        code = self.params.get("service")
        if code:
            self.open_guide(code)

    def _unavailable(self, exc: BaseException) -> bool:
        if isinstance(exc, GuidesUnavailable):
            self.app.hall_unreachable()
            self.say(_("Guides cannot be shown right now: the service centre's system cannot be reached."))
            return True
        return False

    def _got_catalogue(self, sourced: Sourced) -> None:
        self.catalogue = sourced.catalogue
        self.from_cache = sourced.from_cache
        if sourced.from_cache:
            self.app.hall_unreachable()
        if self.step == "browse":
            self.render()

    def on_language(self, lang: str) -> None:
        # Guides come from the hall in the citizen's language: fetch them again, if anybody is looking
        # (entering the screen fetches them anyway).
        if self.app.current_screen == self.name:
            if self.step == "guide" and self.service is not None:
                self.open_guide(self.service.code)
            self.call(lambda: self.flow.catalogue(lang), self._got_catalogue, failed=self._unavailable)
        self.render()

    def back(self) -> None:
        if self.step == "guide":
            self.service = None
        super().back()

    # -- browse and search --

    def _render_browse(self) -> None:
        self.prompt = _("Find a service: choose a department or type the first letters of its pinyin")
        if self.from_cache:
            self.content.add_widget(self.label(
                _("Offline: these are the guides saved on this kiosk."), color=self.app.theme.warn))
        body = BoxLayout(orientation="horizontal", spacing=20)
        departments = ScrollList(size_hint_x=0.25)
        self.department_buttons = {}
        everything = self.list_button(_("All departments"), partial(self.choose_department, None),
                                      kind="primary" if self.department is None else "quiet",
                                      font_size=self.app.theme.font_body)
        self.department_buttons[None] = everything
        departments.add(everything)
        if self.catalogue is not None:
            for department in rules.departments(self.catalogue):
                button = self.list_button(
                    department.name, partial(self.choose_department, department.code),
                    kind="primary" if self.department == department.code else "quiet",
                    font_size=self.app.theme.font_body)
                self.department_buttons[department.code] = button
                departments.add(button)
        self.service_list = ScrollList(size_hint_x=0.42)
        body.add_widget(departments)
        body.add_widget(self.service_list)
        body.add_widget(self.search_panel(cols=6, rows=5, size_hint_x=0.33))
        self.content.add_widget(body)
        self.fill_services()

    def choose_department(self, code: str | None) -> None:
        self.department = code
        self.render()

    def lists(self, service: Service) -> bool:
        return self.department is None or service.department.code == self.department

    def service_button(self, service: Service) -> Any:
        return self.list_button(service.name, partial(self.open_guide, service.code), kind="secondary",
                                font_size=self.app.theme.font_body)

    # -- one guide --

    def open_guide(self, code: str) -> None:
        self.call(lambda: self.flow.guide(code, self.app.lang), self._got_guide, failed=self._unavailable)

    def _got_guide(self, result: tuple[Service, bool]) -> None:
        self.service, cached = result
        self.from_cache = self.from_cache or cached
        self.show("guide")

    def _render_guide(self) -> None:
        service = self.service
        assert service is not None
        self.prompt = service.name
        guide = service.guide
        body = BoxLayout(orientation="horizontal", spacing=32)
        text = ScrollList()
        self.guide_labels: list[Any] = []

        def add(line: str, role: str = "body", **kwargs: Any) -> None:
            label = self.label(line, role=role, **kwargs)
            self.guide_labels.append(label)
            text.add(label)

        add(_("Department: {value}").format(value=service.department.name))
        if guide is None:
            add(_("No guide is published for this service yet. Please ask at the enquiry desk."))
        else:
            add(_("What to bring (all of it, so one visit is enough)"), "large", bold=True)
            for number, material in enumerate(guide.materials, 1):
                extra = f"  [{material.copies}]" if material.copies else ""
                note = f"\n    {material.note}" if material.note else ""
                add(f"{number}. {material.name}{extra}{note}")
            if guide.steps:
                add(_("Steps"), "large", bold=True)
                for number, step in enumerate(guide.steps, 1):
                    add(f"{number}. {step}")
            add(_("Time limit: {value}").format(value=guide.time_limit or "-"), "large")
            add(_("Fee: {value}").format(value=guide.fee or "-"), "large")
            add(_("Where: {value}").format(value=guide.where or "-"), "large")
            for note in guide.notes:
                add("· " + note, color=self.app.theme.muted)
            if guide.legal_basis:
                add(_("Legal basis: {value}").format(value=guide.legal_basis), "small",
                    color=self.app.theme.muted)
        body.add_widget(text)
        side = BoxLayout(orientation="vertical", spacing=12, size_hint_x=None, width=440)
        self.qr = QrCode(size_hint=(None, None), size=(420, 420))
        self.qr.data = rules.take_away_text(service, self.app.lang)
        side.add_widget(self.qr)
        side.add_widget(self.label(_("Scan to take this guide with you"), halign="center"))
        side.add_widget(Widget())
        self.book_button = self.button(_("Book this service"), self.book)
        self.book_button.disabled = not service.bookable
        side.add_widget(self.book_button)
        body.add_widget(side)
        self.content.add_widget(body)

    def book(self) -> None:
        self.app.go("booking")
