"""Guides by touch: departments, pinyin initials, the one-time-notification page with its QR, and
the same guides from the kiosk's cache while the hall server is down."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


@pytest.fixture
def guides_cache(kiosk, tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_CACHE_DIR", str(tmp_path / "cache"))
    screen = kiosk.app.screen("guides")
    screen._flow = None  # pick up this test's cache directory
    yield tmp_path / "cache"
    screen._flow = None


def _open_guides(kiosk):
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="tile_guides"))
    screen = kiosk.wait_for_screen("guides")
    kiosk.wait_until(lambda: screen.service_buttons and not screen.busy, timeout=30, what="the catalogue")
    return screen


def test_search_by_initials_and_read_a_guide(kiosk, flow_helpers, guides_cache):
    screen = _open_guides(kiosk)
    assert not screen.from_cache
    flow_helpers.shots(kiosk, "guides_browse", screen.render)
    for letter in "SHBX":
        kiosk.tap(screen.keyboard.key(letter))
    found = list(screen.service_buttons)
    assert found and all(
        s.pinyin_initials.upper().startswith("SHBX") or "SHBX" in s.pinyin_initials.upper()
        for s in screen.catalogue.services if s.code in found
    )
    kiosk.tap(screen.keyboard.key("back"))
    assert screen.keyboard.value == "SHB"
    flow_helpers.tap_service(kiosk, screen, found[0])
    kiosk.wait_until(lambda: screen.step == "guide" and not screen.busy, timeout=15, what="the guide page")
    guide = screen.service.guide
    assert guide is not None and guide.materials
    shown = " ".join(label.text for label in screen.guide_labels)
    assert guide.materials[0].name in shown and guide.where in shown and guide.fee in shown
    assert screen.qr.data.startswith(screen.service.name) and guide.materials[0].name in screen.qr.data
    flow_helpers.shots(kiosk, "guides_page", screen.render)
    kiosk.tap(screen.ids.back_button)
    kiosk.wait_until(lambda: screen.step == "browse", what="back to the list")

    departments = [d for d in screen.department_buttons if d is not None]
    flow_helpers.tap_in_list(kiosk, screen.department_buttons[departments[0]].parent.parent,
                             screen.department_buttons[departments[0]])
    kiosk.wait_until(lambda: screen.department == departments[0], what="one department")
    in_department = {s.code for s in screen.catalogue.services if s.department.code == departments[0]}
    assert set(screen.service_buttons) <= in_department


def test_guides_from_the_cache_while_the_hall_is_down(kiosk, flow_helpers, guides_cache):
    # Nobody opens the guides while the hall is up: taking a ticket renews the cache meanwhile.
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="tile_ticket"))
    ticket = kiosk.wait_for_screen("ticket")
    kiosk.wait_until(lambda: ticket.catalogue is not None, timeout=15, what="the ticket services")
    cache_file = guides_cache / "catalogue.zh_Hans.json"
    kiosk.wait_until(cache_file.exists, timeout=60, what="the guides cached in the background")
    online = [s.code for s in ticket.catalogue.services]
    kiosk.tap(kiosk.find(id="home_button"))
    kiosk.wait_for_screen("attract")
    kiosk.stop_hall()
    screen = _open_guides(kiosk)
    assert screen.from_cache and [s.code for s in screen.catalogue.services] == online
    assert "网络暂不可用：以下为本机保存的办事指南。" in kiosk.texts()
    flow_helpers.tap_in_list(kiosk, screen.service_list, screen.service_buttons[online[0]])
    kiosk.wait_until(lambda: screen.step == "guide" and not screen.busy, timeout=15, what="a cached guide")
    assert screen.service.code == online[0] and screen.service.guide is not None
    kiosk.wait_until(lambda: not kiosk.app.hall_online, timeout=15, what="the offline banner")
    flow_helpers.shots(kiosk, "guides_offline", screen.render)
    kiosk.start_hall()
    kiosk.wait_until(lambda: kiosk.app.hall_online, timeout=60, what="the hall back")
