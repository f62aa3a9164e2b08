"""The kiosk application: Kivy inside asyncio, screens built lazily from a table, the visit, guards.

Wiring only: rules live in flows, screens in kiosk/ui/screens, devices in kiosk/devices.py.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import re
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock
from kivy.config import Config
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

import kiosk
from citizen_id.masking import mask_id_number
from kiosk import i18n
from kiosk.config import KioskConfig
from kiosk.idle import IdleTimeouts, IdleTimer
from kiosk.session import Session

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
KV_DIR = Path(__file__).resolve().parent / "ui" / "kv"
FONT_DIR = ROOT / "assets" / "fonts"
FONT_REGULAR = FONT_DIR / "NotoSansCJKsc-Regular.otf"
FONT_BOLD = FONT_DIR / "NotoSansCJKsc-Bold.otf"

# 18-character resident ID numbers (17 digits + digit or X) and old 15-digit ones.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    """Mask ID numbers that slip into free text (exception messages) before it is logged."""
    return _ID_NUMBER.sub(lambda match: mask_id_number(match.group(0)), text)


class MaskingFilter(logging.Filter):
    """Masks ID numbers in every record's final message; names are masked where they are logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


# name -> (module, class). Screens are imported, their kv loaded and built on first use.
SCREENS: dict[str, tuple[str, str]] = {
    name: (f"kiosk.ui.screens.{name}", "".join(part.title() for part in name.split("_")) + "Screen")
    for name in (
        "attract",
        "home",
        "identify",
        "booking",
        "ticket",
        "records",
        "guides",
        "video_help",
        "video_call",
        "review",
        "maintenance",
    )
}
# No visit is under way here: no idle timeout. (Maintenance keeps it: an unlocked technician
# screen left alone must lock itself.)
NO_VISIT_SCREENS = {"attract"}
# The screens kept from one visit to the next (every visit starts on them); others are built anew.
KEPT_SCREENS = {"attract", "home"}
# Seconds after a visit ends before its memory is given back: the attract screen is drawn first,
# and Kivy's own short timers (a scroll view's bar fades after 0.5 s) have let go of the widgets.
RELEASE_AFTER_VISIT_S = 1.0


def configure_kivy(config: KioskConfig) -> None:
    """Kiosk hardening and display settings; must run before Kivy creates its window."""
    screen = config.screen
    width, height = screen.width, screen.height
    if screen.orientation == "portrait" and width > height:
        width, height = height, width
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if screen.fullscreen else "0")
    Config.set("graphics", "borderless", "1" if screen.fullscreen else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "show_cursor", "1" if screen.show_cursor else "0")
    # Kivy asks for 2x multisampling by default. The kiosk draws text from pre-rendered textures
    # and axis-aligned panels, which gain nothing from it, while a multisampled full-HD window
    # costs 60+ MB more under a software renderer and a slower fill on a weak GPU.
    Config.set("graphics", "multisamples", "0")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("kivy", "keyboard_mode", "system")
    # Exactly one touch input path: drop every provider Kivy would probe, keep the configured one.
    for option in list(Config.options("input")):
        Config.remove_option("input", option)
    provider = screen.touch_input
    if provider == "mouse":
        Config.set("input", "mouse", "mouse,disable_multitouch")
    else:
        # A touch panel driver only: the mouse provider would double every touch that the
        # system also reports as an emulated mouse click.
        Config.set("input", "touch", provider)
    register_fonts()


def register_fonts() -> None:
    """Every label uses the shipped Noto Sans CJK SC faces, so rare characters in names render."""
    # CJK faces have no italic: italic text uses the upright faces.
    LabelBase.register(DEFAULT_FONT, str(FONT_REGULAR), str(FONT_REGULAR), str(FONT_BOLD), str(FONT_BOLD))


class _KioskExceptionHandler(ExceptionHandler):
    """Kivy's outermost guard: a failing callback never ends the kiosk."""

    def __init__(self, app: KioskApp) -> None:
        super().__init__()
        self.app = app

    def handle_exception(self, inst: BaseException) -> int:
        if isinstance(inst, KeyboardInterrupt | SystemExit):
            return ExceptionManager.RAISE
        self.app.report_failure(inst)
        return ExceptionManager.PASS


class KioskApp(App):
    """``lang`` and ``elderly`` are properties kv binds to; ``session`` is the current visit."""

    lang = StringProperty(i18n.DEFAULT_LANGUAGE)
    elderly = BooleanProperty(False)
    hall_online = BooleanProperty(True)
    current_screen = StringProperty("")
    hall_name = StringProperty("")
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
        self._hall = hall
        self.devices = devices if devices is not None else self._make_devices()
        self._start_devices = start_devices
        self._start_heartbeat = start_heartbeat
        self.idle = IdleTimer(IdleTimeouts(config.timeouts.idle_s, config.timeouts.warning_s))
        self.heartbeat: Any = None
        self.hall_today: date | None = None
        self.recent_errors: list[str] = []
        self.failures = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._built: dict[str, Any] = {}
        self._kv_loaded: set[str] = set()
        self._idle_warning: Any = None
        self._out_of_service: Any = None
        self.media_warmed_s: float | None = None  # aiortc's one-off set-up, paid at the first call
        self._media_warming = False
        self._release_event: Any = None
        self.memory_releases = 0
        self.sm: ScreenManager | None = None

    # -- construction --

    @property
    def hall(self) -> Any:
        """The hall client, made on first use (importing requests is kept off the start path)."""
        if self._hall is None:
            self._hall = self._make_hall_client()
        return self._hall

    def _make_hall_client(self) -> Any:
        from kiosk.hall_client import HallClient

        cfg = self.kiosk_config.hall
        # Short, few retries: the kiosk shows "hall unreachable" quickly rather than hanging.
        return HallClient(cfg.url, cfg.token, timeout=cfg.timeout_s, retries=1)

    def _make_devices(self) -> Any:
        from kiosk.devices import KioskDevices

        return KioskDevices(
            self.kiosk_config.devices,
            retry_s=self.kiosk_config.timeouts.device_retry_s,
            on_card_placed=self._on_card_placed,
            on_card_removed=self._on_card_removed,
            on_scan=self._on_scan,
        )

    def build(self):
        ExceptionManager.add_handler(_KioskExceptionHandler(self))
        self._load_kv("widgets")
        self._load_kv("base")
        self.theme.elderly = self.elderly
        self.sm = ScreenManager(transition=NoTransition())
        return self.sm

    def on_start(self):
        from kivy.core.window import Window

        Window.bind(on_request_close=self._swallow_close, on_keyboard=self._on_keyboard)
        Window.bind(on_touch_down=self._on_any_touch)
        Window.show_cursor = self.kiosk_config.screen.show_cursor
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(self._loop_exception)
        self.go("attract")
        Clock.schedule_interval(self._tick_idle, 0.25)
        # Devices and the hall link start once the first screen is up, so it shows sooner.
        Clock.schedule_once(self._start_background, 0.2)

    def _start_background(self, _dt):
        if self._start_devices and self.devices is not None:
            self.run_task(self.devices.start())
        if self._start_heartbeat:
            self._start_heartbeat_task()

    def warm_media(self) -> None:
        """Pay the media stack's one-off set-up now, once per process.

        aiortc and PyAV cost about 40 MB, so they are loaded when a citizen first allows a video
        call, not at start; their first call also pays 100-200 ms of set-up (DTLS context, codec
        threads), which this pays while the call waits in line for an agent rather than after one
        answers. The import runs in a thread so the screen keeps answering touches meanwhile.
        """
        if self._media_warming:
            return
        self._media_warming = True
        self.run_task(self._warm_media(), on_error=lambda exc: log.warning("media warm-up failed: %r", exc))

    async def _warm_media(self) -> None:
        peer = await asyncio.to_thread(importlib.import_module, "remote_assist.kiosk_peer")
        self.media_warmed_s = await peer.warm_up()
        log.info("media stack warmed in %.0f ms", self.media_warmed_s * 1000)

    def on_stop(self):
        if self.heartbeat is not None:
            self.heartbeat.stop()
        for task in list(self._tasks):
            task.cancel()

    async def aclose(self) -> None:
        """Close devices and the hall client (after the Kivy loop has stopped)."""
        if self.devices is not None:
            await self.devices.close()
        if self._hall is not None:
            self._hall.close()

    def _start_heartbeat_task(self) -> None:
        from kiosk.heartbeat import Heartbeat

        timeouts = self.kiosk_config.timeouts
        self.heartbeat = Heartbeat(
            send=self._send_heartbeat,
            interval_s=timeouts.heartbeat_s,
            retry_s=timeouts.retry_s,
            on_state=self._set_hall_online,
        )
        self.run_task(self.heartbeat.run())

    async def _send_heartbeat(self) -> None:
        devices = self.devices.snapshot() if self.devices is not None else {}
        uptime = time.monotonic() - self.started_at
        screen = self.current_screen or None
        reply = await self.hall.call(self.hall.heartbeat, kiosk.__version__, uptime, devices, screen)
        # The hall's own date (its clock may be set for a demo or a test), for "today's hours".
        if reply.server_time is not None:
            today = reply.server_time.date()
            if today != self.hall_today:
                self.hall_today = today
                if self.current_screen == "attract":
                    self._guarded(self.current.refresh_today)

    def _set_hall_online(self, online: bool) -> None:
        if online != self.hall_online:
            log.info("hall server %s", "reachable again" if online else "unreachable")
        self.hall_online = online

    def hall_unreachable(self) -> None:
        """A flow found the hall unreachable: say so now and check again soon."""
        self._set_hall_online(False)
        if self.heartbeat is not None:
            self.heartbeat.kick()

    def background_request_failed(self, exc: BaseException) -> None:
        """A hall request the citizen did not ask for failed: an unreachable hall raises the
        offline banner, a refusal is for the caller to word; anything else is a fault of this kiosk
        and goes on to the outermost guard."""
        from kiosk.hall_client import HallError, HallUnreachable

        if not isinstance(exc, HallError):
            raise exc
        if isinstance(exc, HallUnreachable):
            self.hall_unreachable()

    def _load_kv(self, name: str) -> None:
        if name in self._kv_loaded:
            return
        path = KV_DIR / f"{name}.kv"
        if path.is_file():
            Builder.load_file(str(path))
        self._kv_loaded.add(name)

    def screen(self, name: str) -> Any:
        """The screen called ``name``, built on first use (in each visit, for all but KEPT_SCREENS)."""
        if name not in SCREENS:
            raise KeyError(f"unknown screen {name!r}")
        built = self._built.get(name)
        if built is None:
            module_name, class_name = SCREENS[name]
            module = importlib.import_module(module_name)
            self._load_kv(name)
            built = getattr(module, class_name)(name=name)
            self._built[name] = built
            assert self.sm is not None
            self.sm.add_widget(built)
        return built

    @property
    def built_screens(self) -> Mapping[str, Any]:
        return dict(self._built)

    # -- what screens use --

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
        if name in NO_VISIT_SCREENS:
            self.idle.stop()
        elif not self.idle.enabled:
            self.idle.start()
        else:
            self.idle.touch()
        self._dismiss_idle_warning()

    @property
    def current(self) -> Any:
        return self._built.get(self.current_screen)

    def run_task(
        self,
        coro: Awaitable[Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[Any]:
        """Run ``coro`` on the event loop; ``on_done(result)`` or ``on_error(exc)`` run on the UI.

        Without ``on_error`` a failure reaches the outermost guard (logged, "out of service").
        """

        async def wrapped() -> Any:
            return await coro

        task = asyncio.ensure_future(wrapped())
        self._tasks.add(task)

        def finished(done: asyncio.Task[Any]) -> None:
            self._tasks.discard(done)
            if done.cancelled():
                return
            exc = done.exception()
            try:
                if exc is not None:
                    if on_error is None:
                        self.report_failure(exc)
                    else:
                        on_error(exc)
                elif on_done is not None:
                    on_done(done.result())
            except Exception as callback_exc:
                self.report_failure(callback_exc)

        task.add_done_callback(finished)
        return task

    def set_language(self, lang: str) -> None:
        i18n.set_language(lang)
        self.lang = lang

    def on_lang(self, _instance, lang):
        i18n.set_language(lang)
        for screen in self._built.values():
            self._guarded(screen.on_language, lang)

    def on_elderly(self, _instance, elderly):
        self.theme.elderly = elderly
        self.idle.elderly = elderly

    def finish_transaction(self, subject: Mapping[str, str] | None = None) -> None:
        """A transaction is done: ask for a review of ``subject`` ({"type", "id"}), then home."""
        self.go("review", subject=dict(subject) if subject else None, then="home")

    def end_visit(self) -> None:
        """The visit is over (back to start, timeout): wipe everything personal, show attract."""
        self.session.wipe()
        self.session = Session()
        for screen in self._built.values():
            self._guarded(screen.reset_visit)
        self.elderly = False
        self.set_language(self.kiosk_config.language)
        self._dismiss_idle_warning()
        if self._out_of_service is not None:
            self._out_of_service.dismiss()
        self.go("attract")
        self.idle.stop()
        self._drop_visit_screens()
        # Once the attract screen is drawn, give back what the visit's screens held.
        if self._release_event is not None:
            self._release_event.cancel()
        self._release_event = Clock.schedule_once(self._release_memory, RELEASE_AFTER_VISIT_S)

    def _drop_visit_screens(self) -> None:
        """Let go of every screen but the two each visit starts on; they are built again when next
        used (tens of ms each). Kept, the eleven screens' widgets, bindings and textures held
        about 30 MB between visits that most visits never look at."""
        assert self.sm is not None
        for name in [name for name in self._built if name not in KEPT_SCREENS]:
            screen = self._built.pop(name)
            self.sm.remove_widget(screen)
        # A finished transition still holds the screen it took away (and allows no None there).
        self.sm.transition = NoTransition()

    def _release_memory(self, _dt: float) -> None:
        from kiosk.memory import collect_widgets

        collected_s = collect_widgets()
        # The collected widgets' textures are deleted at the next frame; trim after that.
        self._release_event = Clock.schedule_once(lambda _dt: self._return_heap(collected_s), 0.1)

    def _return_heap(self, collected_s: float) -> None:
        from kiosk.memory import return_freed_heap

        self._release_event = None
        took_s = collected_s + return_freed_heap()
        self.memory_releases += 1
        log.debug("memory released in %.0f ms", took_s * 1000)

    def open_maintenance(self) -> None:
        self.go("maintenance")

    # -- idle --

    def _on_any_touch(self, _window, _touch):
        self.idle.touch()
        return False

    def _tick_idle(self, _dt):
        state = self.idle.state()
        if state == "active":
            self._dismiss_idle_warning()
        elif state == "warning":
            self._show_idle_warning()
        else:
            log.info("visit ended after %.0f s idle", self.idle.idle_for())
            self.end_visit()

    def _show_idle_warning(self) -> None:
        from kiosk.ui.widgets.overlays import IdleWarning

        if self._idle_warning is None:
            self._idle_warning = IdleWarning()
            self._idle_warning.bind(on_more_time=lambda *_a: self.more_time())
        self._idle_warning.seconds_left = self.idle.seconds_left()
        if self._idle_warning.parent is None:
            self._idle_warning.open(animation=False)

    def _dismiss_idle_warning(self) -> None:
        if self._idle_warning is not None and self._idle_warning.parent is not None:
            self._idle_warning.dismiss(animation=False)

    def more_time(self) -> None:
        self.idle.touch()
        self._dismiss_idle_warning()

    @property
    def idle_warning(self) -> Any:
        return self._idle_warning

    # -- devices to screens --

    def _on_card_placed(self, card: Any) -> None:
        self.idle.touch()
        if self.current is not None:
            self._guarded(self.current.on_card_placed, card)

    def _on_card_removed(self) -> None:
        if self.current is not None:
            self._guarded(self.current.on_card_removed)

    def _on_scan(self, payload: bytes) -> None:
        self.idle.touch()
        if self.current is not None:
            self._guarded(self.current.on_scan, payload)

    # -- the outermost guard --

    def _guarded(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:
            self.report_failure(exc)
            return None

    def report_failure(self, exc: BaseException) -> None:
        """Log (masked) and show the citizen a plain "out of service" message, never a traceback."""
        self.failures += 1
        # The citizen sees a stable code at most; class names and messages go to the log only.
        code = getattr(exc, "code", None)
        code = code if isinstance(code, str) and code else "unexpected_error"
        summary = mask_text(f"{type(exc).__name__}: {exc}")
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("unhandled failure %s\n%s%s", code, frames, summary)
        entry = f"{time.strftime('%H:%M:%S')} {code} ({type(exc).__name__})"
        self.recent_errors = [entry, *self.recent_errors][:20]
        try:
            self._show_out_of_service(str(code))
        except Exception as overlay_exc:
            # The guard itself must never fail (e.g. Kivy was mid-way through building a widget).
            log.error("out-of-service message not shown: %s", type(overlay_exc).__name__)

    def _show_out_of_service(self, code: str) -> None:
        from kiosk.ui.widgets.overlays import OutOfService

        if self._out_of_service is None:
            self._out_of_service = OutOfService()
            self._out_of_service.bind(on_restart=lambda *_a: self.end_visit())
        self._out_of_service.code = code
        if self._out_of_service.parent is None:
            self._out_of_service.open(animation=False)

    @property
    def out_of_service(self) -> Any:
        return self._out_of_service

    def _loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        # Our own tasks report through run_task; what reaches the loop comes from a library's
        # internal task (aiortc's RTP senders after a peer vanished, say). The call or device it
        # belongs to has its own error path, so this is logged for the technician, not shown.
        exc = context.get("exception")
        message = mask_text(str(context.get("message")))
        if isinstance(exc, BaseException):
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("event loop: %s\n%s%s", message, frames, mask_text(f"{type(exc).__name__}: {exc}"))
            self.recent_errors = [
                f"{time.strftime('%H:%M:%S')} background ({type(exc).__name__})", *self.recent_errors
            ][:20]
        else:
            log.error("event loop: %s", message)

    def _swallow_close(self, *_args, **_kwargs):
        return True

    def _on_keyboard(self, _window, key, *_args):
        # ESC (27) and the Android back key must never leave the kiosk.
        return key in (27, 1001)
