"""The technician's hidden entry, the PIN, and a test print that reaches the printer simulator."""

from __future__ import annotations

import socket
import stat
from dataclasses import replace

import pytest

from kiosk.hall_addresses import HallAddresses

pytestmark = pytest.mark.ui


def _enter_pin(kiosk, pin):
    pad = kiosk.find(id="pin_pad")
    for digit in pin:
        kiosk.tap(kiosk.find(text=digit, root=pad))
    kiosk.tap(kiosk.find(id="pin_ok"))


def _unlock_by_corner(kiosk):
    corner = kiosk.find(id="hidden_corner")
    for _ in range(5):
        kiosk.tap(corner)
    return kiosk.wait_for_screen("maintenance")


def test_four_taps_do_not_open_maintenance(kiosk):
    corner = kiosk.find(id="hidden_corner")
    for _ in range(4):
        kiosk.tap(corner)
    kiosk.pump(5)
    assert kiosk.app.current_screen == "attract"


def test_wrong_pin_refused_then_right_pin_shows_devices_and_test_print_prints(kiosk):
    screen = _unlock_by_corner(kiosk)
    _enter_pin(kiosk, "1111")
    assert not screen.unlocked
    assert kiosk.find(id="pin_message").text == "PIN 错误。"
    _enter_pin(kiosk, kiosk.app.kiosk_config.technician_pin)
    kiosk.wait_until(lambda: screen.unlocked, what="maintenance unlocked")
    kiosk.wait_until(lambda: "打印机：正常" in kiosk.find(id="device_states").text, what="printer OK")
    kiosk.tap(kiosk.find(id="test_print"))
    kiosk.wait_until(lambda: kiosk.new_tickets(), timeout=20, what="the test page at the printer")
    kiosk.wait_until(lambda: screen.result == "测试页已打印。", what="printed message")
    kiosk.screenshot("maintenance_zh_Hans")
    kiosk.tap(kiosk.find(id="leave"))
    kiosk.wait_for_screen("attract")


def test_maintenance_reports_paper_out_from_the_printer(kiosk):
    screen = _unlock_by_corner(kiosk)
    _enter_pin(kiosk, kiosk.app.kiosk_config.technician_pin)
    kiosk.wait_until(lambda: screen.unlocked, what="maintenance unlocked")
    kiosk.printer_control("paper_out")
    kiosk.tap(kiosk.find(id="test_print"))
    kiosk.wait_until(lambda: "paper_out" in screen.result, timeout=20, what="paper out reported")
    assert not kiosk.new_tickets()
    kiosk.tap(kiosk.find(id="leave"))


def test_an_unlocked_maintenance_screen_left_alone_locks_itself(kiosk):
    screen = _unlock_by_corner(kiosk)
    _enter_pin(kiosk, kiosk.app.kiosk_config.technician_pin)
    kiosk.wait_until(lambda: screen.unlocked, what="maintenance unlocked")
    kiosk.set_idle_timeouts(0.5, 0.5)
    kiosk.wait_for_screen("attract", timeout=10)
    assert not screen.unlocked


def test_the_pin_lockout_survives_reopening_the_screen(kiosk):
    lock = kiosk.app.pin_lock
    try:
        screen = _unlock_by_corner(kiosk)
        for _ in range(lock.max_attempts):
            _enter_pin(kiosk, "1111")
        # Five wrong PINs end the maintenance visit.
        kiosk.wait_for_screen("attract")
        assert lock.locked
        screen = _unlock_by_corner(kiosk)
        assert kiosk.find(id="pin_message").text == "PIN 错误次数过多，维护功能暂时锁定。"
        # Not even the right PIN opens it during the lockout.
        _enter_pin(kiosk, kiosk.app.kiosk_config.technician_pin)
        kiosk.pump(5)
        assert not screen.unlocked
        assert stat.S_IMODE(lock.path.stat().st_mode) == 0o600
        kiosk.screenshot("maintenance_locked_zh_Hans")
    finally:
        lock.succeeded()
    _enter_pin(kiosk, kiosk.app.kiosk_config.technician_pin)
    kiosk.wait_until(lambda: screen.unlocked, what="maintenance unlocked after the lockout")
    kiosk.tap(kiosk.find(id="leave"))


def test_maintenance_names_the_hall_address_in_use_when_the_first_is_down(kiosk):
    with socket.socket() as probe:  # a loopback port nobody listens on: the first address is down
        probe.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{probe.getsockname()[1]}"
    app, client = kiosk.app, kiosk.app.hall
    configured = app.kiosk_config, client.addresses
    # As from hall.urls = [down, up]: the configuration's first address is the one that is down.
    hall = replace(app.kiosk_config.hall, urls=(down, kiosk.hall.url))
    app.kiosk_config = replace(app.kiosk_config, hall=hall)
    client.addresses = HallAddresses(app.kiosk_config.hall.addresses)
    try:
        screen = _unlock_by_corner(kiosk)
        _enter_pin(kiosk, app.kiosk_config.technician_pin)
        kiosk.wait_until(lambda: screen.unlocked, what="maintenance unlocked")
        kiosk.tap(kiosk.find(id="test_hall"))
        kiosk.wait_until(lambda: screen.result == "大厅服务器连接正常。", timeout=20, what="hall answered")
        assert screen.hall_line.startswith(f"大厅服务器 {kiosk.hall.url}：")
        assert client.base_url == kiosk.hall.url
        kiosk.screenshot("maintenance_hall_address_in_use")
        kiosk.tap(kiosk.find(id="leave"))
        kiosk.wait_for_screen("attract")
    finally:
        app.kiosk_config, client.addresses = configured
