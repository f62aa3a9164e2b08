"""The visit: live language switch keeps it, elderly mode sizes, idle timeout wipes it, "more time"
keeps it, a hall server that goes away and comes back."""

from __future__ import annotations

import asyncio
import weakref

import pytest

pytestmark = pytest.mark.ui


@pytest.fixture(autouse=True)
def _restore_auto_continue(kiosk):
    yield
    kiosk.app.screen("identify").auto_continue_s = 2.5


def _identify_by_card(kiosk, card="chen_kun"):
    kiosk.start_visit()
    kiosk.app.go("identify", next="home", purpose="records")
    screen = kiosk.wait_for_screen("identify")
    screen.auto_continue_s = None  # these tests look at the confirmation
    kiosk.place_card(card)
    kiosk.wait_until(lambda: screen.has_identity, timeout=15, what="card read")
    return screen


def test_language_switch_is_live_and_keeps_the_visit(kiosk):
    screen = _identify_by_card(kiosk)
    session = kiosk.app.session
    confirm = kiosk.find(id="confirm")
    assert confirm.text == "是本人，继续"
    kiosk.tap(kiosk.find(id="lang_en"))
    kiosk.wait_until(lambda: confirm.text == "Yes, continue", what="English text")
    assert kiosk.find(id="title").text == "Who are you?"
    kiosk.screenshot("identify_card_confirm_en")
    kiosk.tap(kiosk.find(id="lang_zh_Hant"))
    kiosk.wait_until(lambda: confirm.text == "是本人，繼續", what="Traditional Chinese text")
    kiosk.screenshot("identify_card_confirm_zh_Hant")
    # Same visit, same card still offered, nothing lost.
    assert kiosk.app.session is session
    assert screen.has_identity and kiosk.find(id="shown_id").text == "3101**********0023"
    kiosk.tap(confirm)
    kiosk.wait_for_screen("home")
    assert kiosk.app.session.identity.id_number == "310104197802150023"
    assert kiosk.find(id="tile_ticket").text == "取號"


def test_screens_in_three_languages(kiosk):
    for lang in ("zh_Hans", "zh_Hant", "en"):
        kiosk.tap(kiosk.find(id=f"lang_{lang}"))
        kiosk.wait_until(lambda lang=lang: kiosk.app.lang == lang, what=lang)
        kiosk.screenshot(f"attract_{lang}")
        kiosk.start_visit()
        kiosk.screenshot(f"home_{lang}")
        kiosk.app.go("identify", next="home")
        kiosk.wait_for_screen("identify")
        kiosk.screenshot(f"identify_{lang}")
        kiosk.tap(kiosk.find(id="home_button"))
        kiosk.wait_for_screen("attract")


def test_elderly_mode_enlarges_text_and_touch_targets(kiosk):
    kiosk.start_visit()
    # A label already on a built screen grows too when the mode is switched while it exists.
    kiosk.app.go("identify", next="home")
    purpose = kiosk.wait_for_screen("identify").ids.purpose
    purpose_font = purpose.font_size
    kiosk.app.go("home")
    kiosk.wait_for_screen("home")
    tile = kiosk.find(id="tile_ticket")
    normal_font = kiosk.find(text="取号", cls="Label", root=tile).font_size
    kiosk.tap(kiosk.find(id="elderly_toggle"))
    kiosk.wait_until(lambda: kiosk.app.elderly, what="elderly mode")
    kiosk.pump(3)
    assert kiosk.find(text="取号", cls="Label", root=tile).font_size > normal_font
    kiosk.screenshot("home_elderly_zh_Hans")
    kiosk.app.go("identify", next="home")
    kiosk.wait_for_screen("identify")
    kiosk.pump(3)
    assert purpose.font_size > purpose_font
    # An empty error line still takes no room once the sizes have changed.
    assert kiosk.app.screen("identify").ids.error.height == 0
    kiosk.screenshot("identify_elderly_zh_Hans")
    from kivy.uix.button import Button

    buttons = [w for w in kiosk.widgets() if isinstance(w, Button)]
    assert len(buttons) >= 15
    small = [(w.text, w.size) for w in buttons if min(w.width, w.height) < 60]
    assert small == []
    # Elderly mode doubles the idle timeouts.
    assert kiosk.app.idle.timeouts.idle_s == 2 * kiosk.app.idle.base.idle_s


def test_idle_visit_times_out_and_its_personal_data_is_gone(kiosk):
    _identify_by_card(kiosk, "luo_rong")
    kiosk.tap(kiosk.find(id="confirm"))
    kiosk.wait_for_screen("home")
    session = kiosk.app.session
    session.add_photo(b"\xff\xd8 document photo")
    photo = session.photos[0]
    kiosk.lift_card()
    kiosk.app.go("identify", next="home")
    identify = kiosk.wait_for_screen("identify")
    kiosk.place_card("luo_rong")
    kiosk.wait_until(lambda: identify.has_identity, timeout=15, what="card shown")
    assert "罗*" in kiosk.texts()
    kiosk.set_idle_timeouts(0.5, 0.8)
    kiosk.wait_until(lambda: kiosk.app.idle_warning is not None and kiosk.app.idle_warning.parent,
                     what="idle warning")
    kiosk.screenshot("idle_warning_zh_Hans")
    kiosk.wait_for_screen("attract", timeout=10)
    assert session.wiped and session.identity is None and session.is_empty()
    assert bytes(photo) == bytes(len(photo))
    assert kiosk.app.session is not session and kiosk.app.session.is_empty()
    # No screen still holds or shows the name or the number, even off screen.
    for built in kiosk.app.built_screens.values():
        texts = [w.text for w in kiosk.widgets(built) if isinstance(getattr(w, "text", None), str)]
        assert not any("罗" in t or "031X" in t for t in texts), built.name


def test_a_visits_widgets_are_freed_once_it_ends(kiosk):
    """The screens keep their steps' widgets in attributes while a visit goes on; when it ends,
    the screen and those widgets (and their textures) must go, not wait for the next visit."""
    kiosk.start_visit()
    kiosk.app.go("ticket")
    screen = kiosk.wait_for_screen("ticket")
    kiosk.wait_until(lambda: screen.service_buttons and not screen.busy, timeout=15, what="services")
    kept = [weakref.ref(screen), weakref.ref(screen.service_list), weakref.ref(screen.keyboard),
            *(weakref.ref(button) for button in screen.service_buttons.values())]
    screen = None
    releases = kiosk.app.memory_releases
    kiosk.app.end_visit()
    kiosk.wait_for_screen("attract")
    kiosk.wait_until(lambda: kiosk.app.memory_releases > releases, what="memory given back")
    assert "ticket" not in kiosk.app.built_screens
    alive = [ref() for ref in kept if ref() is not None]
    assert alive == [], f"{len(alive)} of {len(kept)} objects of the visit still alive: {alive[:3]}"
    # The next visit builds the screen again from nothing.
    kiosk.start_visit()
    kiosk.app.go("ticket")
    again = kiosk.wait_for_screen("ticket")
    kiosk.wait_until(lambda: again.service_buttons and not again.busy, timeout=15, what="services again")
    assert again.parent is not None


def test_more_time_keeps_the_visit(kiosk):
    _identify_by_card(kiosk)
    session = kiosk.app.session
    kiosk.set_idle_timeouts(0.5, 30)
    warning = kiosk.wait_until(lambda: kiosk.app.idle_warning if kiosk.app.idle_warning
                               and kiosk.app.idle_warning.parent else None, what="idle warning")
    kiosk.tap(kiosk.find(id="more_time", root=warning))
    kiosk.wait_until(lambda: warning.parent is None, what="warning closed")
    kiosk.set_idle_timeouts(600, 20)
    assert kiosk.app.current_screen == "identify"
    assert kiosk.app.session is session and not session.wiped
    assert kiosk.find(id="shown_id").text == "3101**********0023"


def test_hall_server_gone_mid_visit_is_said_plainly_and_recovers(kiosk):
    kiosk.start_visit()
    kiosk.app.session.choices["service"] = "SB-001"
    kiosk.stop_hall()
    kiosk.wait_until(lambda: not kiosk.app.hall_online, timeout=15, what="hall reported unreachable")
    banner = kiosk.find(cls="OfflineBanner")
    assert banner.text.startswith("暂时无法连接政务服务系统")
    kiosk.screenshot("home_hall_unreachable_zh_Hans")
    assert kiosk.app.current_screen == "home"
    assert kiosk.app.out_of_service is None or kiosk.app.out_of_service.parent is None
    kiosk.start_hall()
    kiosk.wait_until(lambda: kiosk.app.hall_online, timeout=30, what="hall reachable again")
    kiosk.pump(2)
    assert not kiosk.find_all(cls="OfflineBanner") or not kiosk.find(cls="OfflineBanner").text
    assert kiosk.app.session.choices == {"service": "SB-001"}


def test_a_failing_callback_shows_out_of_service_not_a_traceback(kiosk):
    kiosk.start_visit()

    async def broken():
        raise RuntimeError("lookup failed for 440106198503121237")

    kiosk.app.run_task(broken())
    kiosk.wait_until(lambda: kiosk.app.out_of_service is not None and kiosk.app.out_of_service.parent,
                     what="out of service message")
    texts = kiosk.texts()
    assert "抱歉，本机暂时无法提供服务。" in texts
    assert not any("Traceback" in t or "RuntimeError" in t or "4401061985" in t for t in texts)
    kiosk.screenshot("out_of_service_zh_Hans")
    kiosk.tap(kiosk.find(id="restart"))
    kiosk.wait_for_screen("attract")
    assert kiosk.app.out_of_service.parent is None


def test_a_library_task_failure_is_logged_for_the_technician_not_shown(kiosk):
    kiosk.start_visit()
    errors_before = len(kiosk.app.recent_errors)

    async def library_failure():
        # What asyncio does with a failed task nobody awaited (aiortc's senders after a peer vanished).
        asyncio.get_running_loop().call_exception_handler({
            "message": "Task exception was never retrieved",
            "exception": ConnectionError("Cannot send encrypted data, not connected"),
        })

    kiosk.app.run_task(library_failure())
    kiosk.wait_until(lambda: len(kiosk.app.recent_errors) > errors_before, what="logged background error")
    assert "background (ConnectionError)" in kiosk.app.recent_errors[0]
    assert kiosk.app.out_of_service is None or kiosk.app.out_of_service.parent is None
    assert kiosk.app.current_screen == "home"


def test_heartbeat_reaches_the_fleet_view_with_device_states(kiosk):
    import time

    import requests

    kiosk.start_visit()
    kiosk.printer_control("paper_near_end")
    login = requests.post(f"{kiosk.hall.url}/api/v1/auth/login",
                          json={"username": "tech1", "password": "demo1234"}, timeout=10)
    token = login.json()["token"]

    polled = [0.0]

    def fleet_entry():
        # Ask the hall at most twice a second; the kiosk's loop runs in between.
        if time.monotonic() - polled[0] < 0.5:
            return None
        polled[0] = time.monotonic()
        fleet = requests.get(f"{kiosk.hall.url}/api/v1/fleet", headers={"Authorization": f"Bearer {token}"},
                             timeout=10).json()
        entry = next((k for k in fleet["kiosks"] if k["name"] == "kiosk-01"), None)
        printer = entry["devices"].get("printer", {}) if entry else {}
        return entry if entry and entry["online"] and printer.get("reason") == "paper_near_end" else None

    # The heartbeat runs on the kiosk's loop, so the UI keeps running while the fleet is polled.
    entry = kiosk.wait_until(fleet_entry, timeout=45, what="the kiosk in the fleet with paper near end")
    assert entry["app_version"] == "0.1.0"
    assert entry["devices"]["id_card"]["state"] == "ok"
