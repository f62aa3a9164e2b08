"""Searching services by pinyin initials on the guides, ticket and booking screens: while the hall
is reachable its ranking is shown (it knows aliases: 社保查询 → SBCX), only its latest answer."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def _open(kiosk, tile, screen_name):
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id=tile))
    screen = kiosk.wait_for_screen(screen_name)
    kiosk.wait_until(lambda: screen.service_buttons and not screen.busy, timeout=15, what="services")
    return screen


def _type(kiosk, screen, letters):
    for letter in letters:
        kiosk.tap(screen.keyboard.key(letter))


def _first(screen):
    return next(iter(screen.service_buttons), None)


@pytest.mark.parametrize(("tile", "screen_name"), [
    ("tile_guides", "guides"), ("tile_ticket", "ticket"), ("tile_booking", "booking"),
])
def test_sb_shows_a_social_insurance_service_first(kiosk, flow_helpers, tile, screen_name):
    screen = _open(kiosk, tile, screen_name)
    _type(kiosk, screen, "SB")
    kiosk.wait_until(lambda: _first(screen) == "SB-001", timeout=10, what="SB-001 first")
    kiosk.pump(6)
    assert _first(screen) == "SB-001"
    assert "HJ-002" not in list(screen.service_buttons)[:4], "居民身份证挂失补领 only has S, B inside"
    # An alias only the hall knows: 社保查询.
    _type(kiosk, screen, "CX")
    kiosk.wait_until(lambda: _first(screen) == "SB-001", timeout=10, what="the hall's alias hit")
    assert list(screen.service_buttons) == ["SB-001"]
    if screen_name == "guides":
        flow_helpers.shots(kiosk, "guides_search_alias", screen.render)
        assert list(screen.service_buttons) == ["SB-001"], "the hall's order survives a rebuild"


def test_only_the_latest_search_answer_is_applied(kiosk, monkeypatch):
    import asyncio

    screen = _open(kiosk, "tile_guides", "guides")
    hall = kiosk.app.hall
    original = hall.call
    gate = asyncio.Event()

    async def first_search_late(fn, *args, **kwargs):
        if fn == hall.services and args and args[0] == "S":
            await gate.wait()
        return await original(fn, *args, **kwargs)

    monkeypatch.setattr(hall, "call", first_search_late)
    _type(kiosk, screen, "SBCX")
    kiosk.wait_until(lambda: list(screen.service_buttons) == ["SB-001"], timeout=10, what="SBCX answered")
    gate.set()
    kiosk.pump(10)
    assert list(screen.service_buttons) == ["SB-001"], "the late answer for S does not replace it"


def test_the_halls_answer_keeps_the_buttons_when_it_changes_nothing(kiosk, monkeypatch):
    """The hall's order replaces the list only when it differs: a finger already on a service is
    not left on a button that has just been swapped for an identical one."""
    import asyncio

    screen = _open(kiosk, "tile_ticket", "ticket")
    hall = kiosk.app.hall
    original = hall.call
    gate = asyncio.Event()
    order: list[str] = []  # the order the hall is made to answer in

    async def ranked_as_told(fn, *args, **kwargs):
        found = await original(fn, *args, **kwargs)
        if fn == hall.services and args and args[0]:
            await gate.wait()
            known = {s.code: s for s in found.services}
            found = found.model_copy(update={"services": [known[c] for c in order if c in known]})
        return found

    monkeypatch.setattr(hall, "call", ranked_as_told)
    _type(kiosk, screen, "SB")
    assert screen.searching
    shown = dict(screen.service_buttons)
    assert len(shown) > 1
    order[:] = list(shown)
    gate.set()
    kiosk.wait_until(lambda: not screen.searching, timeout=10, what="the hall's answer")
    kiosk.pump(3)
    assert screen.service_buttons == shown
    assert all(screen.service_buttons[c] is shown[c] for c in shown), "the same buttons stay"

    gate.clear()
    kiosk.tap(screen.keyboard.key("back"))  # S: a search the hall has not answered before
    assert screen.searching
    order[:] = list(reversed(list(screen.service_buttons)))
    before = dict(screen.service_buttons)
    gate.set()
    kiosk.wait_until(lambda: not screen.searching, timeout=10, what="the hall's answer")
    kiosk.pump(3)
    assert list(screen.service_buttons) == order, "a different order replaces the list"
    assert all(screen.service_buttons[c] is not before[c] for c in order)
