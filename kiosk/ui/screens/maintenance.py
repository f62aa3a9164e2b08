"""The technician's screen behind a PIN: device states, test print / read / scan, hall link, errors.

Shows no personal data: a test card read reports only that a card was read and its type.
"""

import hmac
from typing import Any

from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.widget import Widget

import kiosk
from kiosk.i18n import N_, _
from kiosk.ui.screens.base import KioskScreen
from terminal_drivers.a4.job_outcome import JobOutcome
from terminal_drivers.errors import DeviceError
from terminal_drivers.id_card.models import IdCard

TEST_WAIT_S = 15.0
LOCKED = N_("Too many wrong PINs. Maintenance is locked for a while.")
# Why a video call ended (remote_assist.call_end codes), as technicians read it.
CALL_ENDS = {
    "staff_hangup": N_("hung up by staff"),
    "citizen_hangup": N_("hung up by the citizen"),
    "ice_failed": N_("media connection failed"),
    "signaling_lost": N_("link to the hall lost"),
    "media_timeout": N_("no picture or sound arrived"),
    "staff_lost": N_("staff console went away"),
    "unavailable": N_("no staff available"),
    "hall_unreachable": N_("hall not reachable"),
    "refused": N_("refused by the hall"),
    "error": N_("error"),
}
# Health reasons from the drivers, as technicians read them.
STATES = {"ok": N_("Working"), "degraded": N_("Needs attention"), "offline": N_("Offline")}


class MaintenanceScreen(KioskScreen):
    unlocked = BooleanProperty(False)
    # msgid of the PIN prompt's message (wrong PIN), translated by the kv rule.
    pin_message = StringProperty("")
    # Lines of the status panel and of the last test's result, already in the current language.
    device_lines = ListProperty([])
    hall_line = StringProperty("")
    result = StringProperty("")
    errors_text = StringProperty("")
    # The last video calls' ends, newest first, already in the current language.
    calls_text = StringProperty("")
    # The A4 printer's queue, or that none is configured.
    a4_line = StringProperty("")

    def on_kv_post(self, base_widget: Widget) -> None:
        self.show_home = False
        super().on_kv_post(base_widget)
        self._refresh_event = None

    def on_enter_params(self, **params: Any) -> None:
        super().on_enter_params(**params)
        self.unlocked = False
        self.pin_message = ""
        self.result = ""
        self.ids.pin_pad.value = ""
        if self.app.pin_lock.locked:
            self.pin_message = LOCKED

    def check_pin(self) -> None:
        entered = self.ids.pin_pad.value
        self.ids.pin_pad.value = ""
        lock = self.app.pin_lock
        if lock.locked:
            # Not even the right PIN during a lockout, and no count either: nothing is learnt.
            self.pin_message = LOCKED
            return
        if entered and hmac.compare_digest(entered.encode(), self.app.kiosk_config.technician_pin.encode()):
            lock.succeeded()
            self.unlocked = True
            self.pin_message = ""
            self.refresh()
            return
        if lock.failed():
            self.leave()
            return
        self.pin_message = N_("Wrong PIN.")

    def leave(self) -> None:
        self.unlocked = False
        self.app.end_visit()

    # -- status --

    def refresh(self) -> None:
        app = self.app
        lines = []
        names = {"printer": _("Printer"), "id_card": _("ID card reader"), "scanner": _("QR scanner"),
                 "a4_printer": _("A4 printer")}
        devices = app.devices
        for slot in devices.slots if devices is not None else ():
            health = slot.live_health()
            state = _(STATES[health.state])
            reason = f" ({health.reason})" if health.reason else ""
            line = _("{device}: {state}").format(device=names.get(slot.name, slot.name), state=state)
            lines.append(line + reason)
        self.device_lines = lines
        hall_state = _("connected") if app.hall_online else _("not reachable")
        # The address in use, when the hall has several (hall.urls): the technician sees which node answers.
        url = getattr(app.hall, "base_url", None) or app.kiosk_config.hall.url
        self.hall_line = _("Hall server {url}: {state}").format(url=url, state=hall_state)
        errors = list(app.recent_errors)
        for slot in devices.slots if devices is not None else ():
            errors.extend(f"{slot.name}: {code}" for code in slot.errors)
        self.errors_text = "\n".join(errors[:12]) if errors else _("No recent errors")
        self.calls_text = self._call_ends()
        self._refresh_a4()

    @staticmethod
    def _call_ends() -> str:
        from kiosk.flows.assist import RECENT_CALL_ENDS

        lines = []
        for end in RECENT_CALL_ENDS:
            fields = {
                "time": end.ended_at.strftime("%H:%M"),
                "what": _(CALL_ENDS.get(end.code, CALL_ENDS["error"])),
                "code": end.code,
                "step": end.sent_step or "-",
            }
            if end.duration_s is None:
                lines.append(_("{time} ended: {what} ({code}) before the call connected").format(**fields))
            else:
                lines.append(_("{time} ended: {what} ({code}) after {seconds} s, sent {step}").format(
                    seconds=round(end.duration_s), **fields))
        return "\n".join(lines) if lines else _("No video calls yet")

    @property
    def version(self) -> str:
        return kiosk.__version__

    # -- tests --

    def test_print(self) -> None:
        from terminal_drivers.printer.testpage import test_page

        cfg = self.app.kiosk_config.devices.printer
        if cfg is None:
            self.result = _("No printer is fitted.")
            return
        data = test_page(self.app.devices.paper)
        self.result = _("Printing a test page…")
        self.app.run_task(self.app.devices.print_job(data), on_done=self._printed, on_error=self._failed)

    def _printed(self, _status: object) -> None:
        self.result = _("Test page printed.")
        self.refresh()

    # -- the A4 printer --

    def _refresh_a4(self) -> None:
        cfg = self.app.kiosk_config.printers.a4
        if cfg is None:
            self.a4_line = _("No A4 printer is configured.")
            return
        self.a4_line = _("A4 queue {queue} on {server}").format(queue=cfg.queue, server=cfg.server)

    def test_print_a4(self) -> None:
        devices = self.app.devices
        if self.app.kiosk_config.printers.a4 is None or devices is None:
            self.result = _("No A4 printer is configured.")
            return
        self.result = _("Printing an A4 test page…")
        self.app.run_task(devices.a4.print_test_page(), on_done=self._a4_printed, on_error=self._failed)

    def _a4_printed(self, outcome: JobOutcome) -> None:
        if outcome.ok:
            self.result = _("A4 test page printed (job {job}).").format(job=outcome.job_id)
        else:
            self.result = _("A4 test page not printed: {reason}").format(reason=outcome.reason)
        self.refresh()

    def test_read(self) -> None:
        self.result = _("Place a card on the reader…")
        self.app.run_task(self.app.devices.next_card(TEST_WAIT_S), on_done=self._card_read,
                          on_error=self._failed)

    def _card_read(self, card: IdCard | None) -> None:
        if card is None:
            self.result = _("No card read within {seconds} seconds.").format(seconds=int(TEST_WAIT_S))
        else:
            # Only the card type: the maintenance screen never shows personal data.
            self.result = _("Card read OK ({card_type}).").format(card_type=card.card_type)
        self.refresh()

    def test_scan(self) -> None:
        self.result = _("Scan a code at the scanner…")
        self.app.run_task(self.app.devices.next_scan(TEST_WAIT_S), on_done=self._scanned,
                          on_error=self._failed)

    def _scanned(self, payload: bytes | None) -> None:
        if payload is None:
            self.result = _("Nothing scanned within {seconds} seconds.").format(seconds=int(TEST_WAIT_S))
        else:
            self.result = _("Scan OK ({count} bytes).").format(count=len(payload))
        self.refresh()

    def test_hall(self) -> None:
        self.result = _("Checking the hall server…")
        if self.app.heartbeat is None:
            self.result = _("The hall server is not configured.")
            return
        self.app.run_task(self.app.heartbeat.beat_once(), on_done=self._hall_checked, on_error=self._failed)

    def _hall_checked(self, ok: bool) -> None:
        self.result = _("Hall server answered.") if ok else _("Hall server not reachable.")
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        code = exc.code if isinstance(exc, DeviceError) else type(exc).__name__
        self.result = _("Failed: {code}").format(code=code)
        self.refresh()

    def on_language(self, lang: str) -> None:
        if self.unlocked:
            self.refresh()

    def reset_visit(self) -> None:
        super().reset_visit()
        self.unlocked = False
        self.result = ""
