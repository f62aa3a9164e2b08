"""A flow that starts with a service: the list of services beside a pinyin-initials keyboard that
narrows it, in the order the hall's search gives while it is reachable (the kiosk's own otherwise).
"""

import logging
from functools import partial
from typing import Any, ClassVar

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from hall_contract import Catalogue, Service
from kiosk.flows import guides as guide_rules
from kiosk.flows.catalogue_cache import CatalogueCache
from kiosk.flows.guides import GuidesFlow
from kiosk.hall_client import HallUnreachable
from kiosk.i18n import N_, _
from kiosk.ui.app_config import cache_dir
from kiosk.ui.screens.flow_screen import FlowScreen, ScrollList
from kiosk.ui.widgets.initials_keyboard import InitialsKeyboard
from kiosk.ui.widgets.labels import KioskLabel

log = logging.getLogger(__name__)


class ServiceSearchScreen(FlowScreen):
    """A flow that starts with a service: a list of services beside a keyboard that narrows it by
    pinyin initials. ``lists(service)`` says which services the flow offers."""

    # What the list says when no offered service matches the typed letters.
    no_match_msgid: ClassVar[str] = N_("No service matches these letters.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.catalogue: Catalogue | None = None
        self.keyboard: InitialsKeyboard | None = None
        self.service_list: ScrollList | None = None
        self.service_buttons: dict[str, Any] = {}
        self.search_label: KioskLabel | None = None
        self.service: Any = None
        # The hall's order of the services for the letters typed, in a language: (letters, lang, codes).
        self._hall_order: tuple[str, str, list[str]] | None = None
        # The number of the latest search sent to the hall: only its answer is applied.
        self._latest_search = 0
        # The number of the latest search the hall has answered (or failed).
        self._answered_search = 0

    def search_panel(self, *, cols: int = 9, rows: int = 3, **kwargs: Any) -> BoxLayout:
        """The hint, the letters typed so far and the keyboard; typing refills ``service_list``.
        The letters typed survive a rebuild of the step."""
        panel = BoxLayout(orientation="vertical", spacing=12, **kwargs)
        typed = self.keyboard.value if self.keyboard else ""
        keyboard = self.keyboard = InitialsKeyboard(value=typed, cols=cols)
        if rows != 3:
            keyboard.height = self.app.theme.button_h * rows + keyboard.spacing[1] * (rows - 1)
        keyboard.bind(value=lambda *_a: self.fill_services())
        self.search_label = self.label("", role="large")
        panel.add_widget(self.label(_("Search by the first letters of the pinyin, e.g. SB for 社保")))
        panel.add_widget(self.search_label)
        panel.add_widget(keyboard)
        panel.add_widget(self.button(_("Show all"), lambda: keyboard.press("clear"), kind="quiet"))
        panel.add_widget(Widget())
        return panel

    def fill_services(self) -> None:
        if self.service_list is None or self.keyboard is None or self.search_label is None:
            return
        typed = self.keyboard.value
        self.search_label.text = _("Letters: {letters}").format(letters=typed) if typed else ""
        if self.catalogue is None:
            self._show_found([])
            return
        hall_order = self._hall_order
        if typed and hall_order is not None and hall_order[:2] == (typed, self.app.lang):
            self._show_found(self._in_order(hall_order[2]))
            return
        self._show_found([s for s in guide_rules.search(self.catalogue, typed) if self.lists(s)])
        if typed and self.app.hall_online:
            self._ask_hall(typed, self.app.lang)

    def reset_visit(self) -> None:
        super().reset_visit()
        self._hall_order = None
        self._latest_search += 1
        self._answered_search = self._latest_search

    @property
    def searching(self) -> bool:
        """The hall has not yet answered the latest letters: its order may still replace the list."""
        return self._answered_search < self._latest_search

    def _show_found(self, found: list[Service]) -> None:
        assert self.service_list is not None
        self.service_list.clear()
        self.service_buttons = {}
        if self.catalogue is None:
            return
        if not found:
            self.service_list.add(self.label(_(self.no_match_msgid)))
        for service in found:
            button = self.service_button(service)
            self.service_buttons[service.code] = button
            self.service_list.add(button)

    def _in_order(self, codes: list[str]) -> list[Service]:
        known = {s.code: s for s in self.catalogue.services} if self.catalogue is not None else {}
        return [known[code] for code in codes if code in known and self.lists(known[code])]

    def _ask_hall(self, typed: str, lang: str) -> None:
        """The hall ranks better (it knows aliases: 社保查询 → SBCX); its order replaces the kiosk's
        own once it answers, if the letters, language and screen are still the same. Typing on
        sends a new search, and only the latest answer is applied."""
        number = self._latest_search = self._latest_search + 1

        def answered() -> None:
            self._answered_search = max(self._answered_search, number)

        def done(found: Catalogue) -> None:
            answered()
            still = (number == self._latest_search and self.keyboard is not None
                     and self.keyboard.value == typed and self.app.lang == lang
                     and self.app.current_screen == self.name)
            if not still:
                return
            self._hall_order = (typed, lang, [s.code for s in found.services])
            ranked = [s.code for s in self._in_order(self._hall_order[2])]
            # The same services in the same order: the buttons stay, so a finger already on one
            # is not left on a button that has just been replaced.
            if ranked != list(self.service_buttons):
                self.fill_services()

        def failed(exc: BaseException) -> None:
            answered()
            # The kiosk's own order stays on screen.
            self.app.background_request_failed(exc)
            reason = getattr(exc, "code", type(exc).__name__)
            log.info("search %r kept in the kiosk's order: %s", typed, reason)

        self.app.run_task(self.app.hall.call(self.app.hall.services, typed, lang), done, failed)

    def lists(self, service: Service) -> bool:
        return True

    def service_button(self, service: Service) -> Any:
        """The service's name with its department beneath."""
        text = f"{service.name}\n[size={int(self.app.theme.font_small)}]{service.department.name}[/size]"
        return self.list_button(text, partial(self.choose_service, service), markup=True,
                                font_size=self.app.theme.font_large)

    def choose_service(self, service: Service) -> None:
        raise NotImplementedError

    def load_services(self) -> None:
        """Fetch the catalogue for the ``service`` step; the offline guides are renewed alongside."""
        self.call(lambda: self.app.hall.call(self.app.hall.services, None, self.app.lang), self._got_services)

    def _got_services(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        keep_guides_cached(self.app)
        if self.step == "service":
            self.render()

    def relabel_services(self, lang: str) -> None:
        """Fetch the catalogue again: service names come from the hall in the citizen's language."""
        self.fetch_in_language(
            "services", lang, lambda: self.app.hall.call(self.app.hall.services, None, lang),
            self._relabel_services,
        )

    def _relabel_services(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        if self.service is not None:
            self.service = next((s for s in catalogue.services if s.code == self.service.code), self.service)
        self.render()


def keep_guides_cached(app: Any) -> None:
    """Renew the offline guides in the background when they are missing or stale."""

    def failed(exc: BaseException) -> None:
        if isinstance(exc, HallUnreachable):
            app.hall_unreachable()
        log.info("guides cache not renewed: %s", getattr(exc, "code", type(exc).__name__))

    flow = GuidesFlow(app.hall, CatalogueCache(cache_dir(app)))
    app.run_task(flow.refresh_if_stale(app.lang), on_error=failed)
