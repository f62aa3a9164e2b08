"""The kiosk application: Kivy inside asyncio, screens built lazily from a table, the visit, guards.

Wiring only: rules live in flows, screens in kiosk/ui/screens, devices in kiosk/devices.py, and
each of the app's concerns in its own module (tasks, failure_guard, idle_watch, hall_link, ...).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from typing import Any

from kivy.app import App
from kivy.base import ExceptionManager
from kivy.clock import Clock
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import i18n
from kiosk.config import KioskConfig
from kiosk.device_routing import DeviceRouting, make_devices
from kiosk.failure_guard import FailureGuard, KivyExceptionHandler
from kiosk.hall_link import HallLink
from kiosk.hall_time import clock_text, seconds_to_next_minute
from kiosk.idle import IdleTimeouts, IdleTimer
from kiosk.idle_watch import TICK_S, IdleWatch
from kiosk.kivy_setup import harden_window
from kiosk.media_warmup import MediaWarmUp
from kiosk.memory import MemoryRelease, keep_start_up_objects
from kiosk.pin_lock import PinLock
from kiosk.service_notify import LoopWatchdog, ServiceNotifier
from kiosk.session import Session
from kiosk.tasks import TaskRunner
from kiosk.ui.app_config import cache_dir
from kiosk.ui.kv_files import load_kv
from kiosk.ui.screen_table import NO_VISIT_SCREENS, ScreenTable, has_screen
from kiosk.ui.screen_voice import ScreenVoice
from kiosk.ui.widgets.card_notice import CardRemovedNotice
from kiosk.visit_log import VisitLog
from kiosk.voice import Speaker, make_speaker
from kiosk.voice.guide import VoiceGuide

log = logging.getLogger(__name__)


class KioskApp(App):
    """``lang`` and ``elderly`` are properties kv binds to; ``session`` is the current visit."""

    lang = StringProperty(i18n.DEFAULT_LANGUAGE)
    elderly = BooleanProperty(False)
    # Voice guidance (语音播报): on with elderly mode, the citizen's to switch, off for each new visit.
    voice_on = BooleanProperty(False)
    voice_available = BooleanProperty(True)
    hall_online = BooleanProperty(True)
    current_screen = StringProperty("")
    hall_name = StringProperty("")
    # The hall's name in the chosen language (from the hall, else the configured name translated).
    local_hall_name = StringProperty("")
    # The hall's date and time in the chosen language, to the minute (the top bar).
    hall_clock = StringProperty("")
    notice = StringProperty("")
    theme = ObjectProperty(None)

    def __init__(
        self,
        config: KioskConfig,
        *,
        hall: Any = None,
        devices: Any = None,
        start_devices: bool = True,
        start_heartbeat: bool = True,
        speaker: Speaker | None = None,
        **kwargs: Any,
    ) -> None:
        from kiosk.ui.theme import Theme

        super().__init__(**kwargs)
        self.kiosk_config = config
        self.theme = Theme()
        self.started_at = time.monotonic()
        self.session = Session()
        self.lang = config.language
        i18n.set_language(config.language)
        self.hall_name = config.hall_name or i18n.N_("Government Service Centre")
        self.notice = config.notice
        self.guard = FailureGuard(on_restart=self.end_visit)
        self.tasks = TaskRunner(self.report_failure)
        self.hall_link = HallLink(config, self._set_hall_online, hall)
        self.visits = VisitLog(self._tell_visit)
        self._site_asked = False
        self._show_hall_name()
        self.idle = IdleTimer(IdleTimeouts(config.timeouts.idle_s, config.timeouts.warning_s))
        self.idle_watch = IdleWatch(self.idle, on_expired=self.end_visit)
        if devices is None:
            routing = DeviceRouting(lambda: self.current, self.idle.touch, self._guarded, self.card_lifted)
            devices = make_devices(config, routing)
        self.devices = devices
        self._start_devices = start_devices
        self._start_heartbeat = start_heartbeat
        self.media = MediaWarmUp(self.run_task)
        self.memory = MemoryRelease()
        # Held here, not by the maintenance screen: reopening the screen must not reset the count.
        self.pin_lock = PinLock(cache_dir(self) / "maintenance_pin.json")
        self.card_notice = CardRemovedNotice()
        if speaker is None:
            speaker = make_speaker(config.voice.engine, espeak_path=config.voice.espeak_path)
        self.voice = VoiceGuide(speaker)
        self.voice_available = self.voice.available
        self.screen_voice = ScreenVoice(self.voice, lambda: self.lang, self._voice_unavailable)
        self.sm: ScreenManager | None = None
        self._screens: ScreenTable | None = None
        self.service = LoopWatchdog(ServiceNotifier(), lambda: self.current_screen == "attract")

    # -- construction --

    def build(self) -> ScreenManager:
        ExceptionManager.add_handler(KivyExceptionHandler(self.report_failure))
        load_kv()
        self.theme.elderly = self.elderly
        self.sm = ScreenManager(transition=NoTransition())
        self._screens = ScreenTable(self.sm)
        return self.sm

    def on_start(self) -> None:
        from kivy.core.window import Window

        harden_window(Window)
        Window.bind(on_touch_down=self.idle_watch.on_touch)
        Window.show_cursor = self.kiosk_config.screen.show_cursor
        asyncio.get_running_loop().set_exception_handler(self.guard.loop_exception)
        self.go("attract")
        self.service.start()
        Clock.schedule_interval(self.idle_watch.tick, TICK_S)
        self._tick_clock()
        # Devices and the hall link start once the first screen is up, so it shows sooner.
        Clock.schedule_once(self._start_background, 0.2)

    def _start_background(self, _dt: float) -> None:
        keep_start_up_objects()
        if self._start_devices and self.devices is not None:
            self.run_task(self.devices.start())
        if self._start_heartbeat:
            self.hall_link.start_heartbeat(self.run_task, self._status, on_new_day=self._new_day)

    def on_stop(self) -> None:
        self.service.stop()
        self.hall_link.stop()
        self.tasks.cancel_all()
        self.voice.close()

    async def aclose(self) -> None:
        """Close devices and the hall client (after the Kivy loop has stopped)."""
        if self.devices is not None:
            await self.devices.close()
        self.hall_link.close()

    # -- the hall --

    @property
    def hall(self) -> Any:
        return self.hall_link.client

    @property
    def heartbeat(self) -> Any:
        return self.hall_link.heartbeat

    @property
    def hall_today(self) -> date | None:
        return self.hall_link.today

    def _status(self) -> tuple[float, dict[str, Any], str | None]:
        devices = self.devices.snapshot() if self.devices is not None else {}
        return time.monotonic() - self.started_at, devices, self.current_screen or None

    def _new_day(self) -> None:
        if self.current_screen == "attract":
            self._guarded(self.current.refresh_today)

    def _set_hall_online(self, online: bool) -> None:
        if online != self.hall_online:
            log.info("hall server %s", "reachable again" if online else "unreachable")
        # The hall's names are asked for once it answers (after the first frame, with the contract's
        # models the heartbeat has loaded), and again if the hall could not be reached then.
        if online and self.hall_link.site is None and not self._site_asked:
            self._fetch_site()
        self.hall_online = online
        # A heartbeat's answer may have moved the hall's clock or zone.
        self._show_clock()

    def _fetch_site(self) -> None:
        self._site_asked = True

        def failed(exc: BaseException) -> None:
            from kiosk.hall_client import HallUnreachable

            # Unreachable: asked again when the hall answers. Refused: the configured name stays.
            self._site_asked = not isinstance(exc, HallUnreachable)
            self.background_request_failed(exc)

        self.hall_link.fetch_site(self.run_task, lambda _site: self._show_hall_name(), failed)

    def _show_hall_name(self) -> None:
        site = self.hall_link.site
        named = site.names.get(self.lang) if site is not None else None
        self.local_hall_name = named or i18n._(self.hall_name, self.lang)

    def _tick_clock(self, _dt: float = 0.0) -> None:
        moment = self._show_clock()
        Clock.schedule_once(self._tick_clock, seconds_to_next_minute(moment))

    def _show_clock(self) -> datetime:
        moment = self.hall_link.now()
        self.hall_clock = clock_text(moment, self.lang)
        return moment

    def hall_unreachable(self) -> None:
        """A flow found the hall unreachable: say so now and check again soon."""
        self.hall_link.unreachable()

    def background_request_failed(self, exc: BaseException) -> None:
        """A hall request the citizen did not ask for failed: an unreachable hall raises the
        offline banner, a refusal is for the caller to word; anything else is a fault of this kiosk
        and goes on to the outermost guard."""
        from kiosk.hall_client import HallError, HallUnreachable

        if not isinstance(exc, HallError):
            raise exc
        if isinstance(exc, HallUnreachable):
            self.hall_unreachable()

    # -- screens --

    def screen(self, name: str) -> Any:
        """The screen called ``name``, built on first use (in each visit, for all but the kept ones)."""
        assert self._screens is not None
        return self._screens.get(name)

    def has_screen(self, name: str) -> bool:
        """This kiosk has screen ``name`` (named in the table, its module importable)."""
        return has_screen(name)

    @property
    def built_screens(self) -> Mapping[str, Any]:
        return self._screens.built if self._screens is not None else {}

    @property
    def current(self) -> Any:
        return self._screens.find(self.current_screen) if self._screens is not None else None

    def go(self, name: str, **params: Any) -> None:
        """Show screen ``name``; ``params`` arrive in its ``on_enter_params``."""
        try:
            target = self.screen(name)
        except Exception as exc:
            # A screen that cannot be built is a failure of this kiosk, not of the citizen.
            self.report_failure(exc)
            return
        target.on_enter_params(**params)
        assert self.sm is not None
        self.sm.current = name
        self.current_screen = name
        self.screen_voice.follow(target)
        self.visits.screen_shown(name)
        if name in NO_VISIT_SCREENS:
            self.idle.stop()
        elif not self.idle.enabled:
            self.idle.start()
        else:
            self.idle.touch()
        self.idle_watch.dismiss()

    def open_maintenance(self) -> None:
        self.go("maintenance")

    # -- what screens use --

    def run_task(
        self,
        coro: Awaitable[Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[Any]:
        """Run ``coro`` on the event loop; ``on_done(result)`` or ``on_error(exc)`` run on the UI.

        Without ``on_error`` a failure reaches the outermost guard (logged, "out of service").
        """
        return self.tasks.run(coro, on_done, on_error)

    def warm_media(self) -> None:
        """Pay the media stack's one-off set-up now (see MediaWarmUp.warm)."""
        self.media.warm()

    @property
    def media_warmed_s(self) -> float | None:
        return self.media.warmed_s

    def set_language(self, lang: str) -> None:
        i18n.set_language(lang)
        self.lang = lang

    def on_lang(self, _instance: Any, lang: str) -> None:
        i18n.set_language(lang)
        for screen in self.built_screens.values():
            self._guarded(screen.on_language, lang)
        self.screen_voice.refresh()
        self._show_hall_name()
        self._show_clock()

    def on_elderly(self, _instance: Any, elderly: bool) -> None:
        self.theme.elderly = elderly
        self.idle.elderly = elderly
        self.voice_on = elderly and self.voice_available

    def on_voice_on(self, _instance: Any, on: bool) -> None:
        self.voice.switch(on)
        self.screen_voice.refresh()

    def _voice_unavailable(self) -> None:
        self.voice_available = False
        self.voice_on = False

    # -- the visit --

    def _tell_visit(self, body: dict[str, Any]) -> None:
        """Hand a visit event to the hall; a visit the hall did not hear of is lost, not retried (the
        managers' kiosk figures count what reached the hall)."""
        from hall_contract import KioskVisitBody, KioskVisitReply

        client = self.hall_link.client

        def lost(exc: BaseException) -> None:
            log.info("visit %s not counted by the hall: %s", body["event"], exc)

        self.run_task(client.call(client.request, "POST", "/kiosks/visits", KioskVisitReply,
                                  body=KioskVisitBody(**body)), on_error=lost)

    def finish_transaction(self, subject: Mapping[str, str] | None = None) -> None:
        """A transaction is done: ask for a review of ``subject`` ({"type", "id"}), then home."""
        self.visits.transaction_done()
        self.go("review", subject=dict(subject) if subject else None, then="home")

    def end_visit(self) -> None:
        """The visit is over (back to start, timeout): wipe everything personal, show attract."""
        self.visits.ended()
        self.session.wipe()
        self.session = Session()
        for screen in self.built_screens.values():
            self._guarded(screen.reset_visit)
        self.elderly = False
        self.voice_on = False
        self.set_language(self.kiosk_config.language)
        self.idle_watch.dismiss()
        self.guard.dismiss()
        self.card_notice.dismiss()
        self.go("attract")
        self.idle.stop()
        assert self._screens is not None
        self._screens.drop_visit_screens()
        self.memory.after_visit()

    def card_lifted(self) -> None:
        """The ID card left the reader: a visit that knew its citizen from that card forgets them
        at once (DESIGN §4.5), its flow starts again and the citizen is told why."""
        identity = self.session.identity
        if identity is None or identity.source != "id_card":
            return
        log.info("ID card lifted: the visit forgets its citizen")
        self.session.forget_person()
        current = self.current
        for screen in self.built_screens.values():
            self._guarded(screen.person_forgotten, screen is current)
        self.card_notice.show()

    @property
    def memory_releases(self) -> int:
        return self.memory.releases

    # -- idle --

    def more_time(self) -> None:
        self.idle_watch.more_time()

    @property
    def idle_warning(self) -> Any:
        return self.idle_watch.warning

    # -- the outermost guard --

    def _guarded(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.guard.guarded(fn, *args)

    def report_failure(self, exc: BaseException) -> None:
        """Log (masked) and show the citizen a plain "out of service" message, never a traceback."""
        self.guard.report(exc)

    @property
    def failures(self) -> int:
        return self.guard.failures

    @property
    def recent_errors(self) -> list[str]:
        return self.guard.recent_errors

    @property
    def out_of_service(self) -> Any:
        return self.guard.out_of_service
