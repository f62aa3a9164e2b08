"""The citizen's phone over a real server: a ticket's live stream (public state only, as the line moves and
when it is called), and the turn notice sent once to a booking's phone when N people are ahead."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from citizen_id.id_number import make_id_number
from hall_server.store import models as m

from .conftest import Hall, local
from .sse_reader import END, SseReader

pytestmark = pytest.mark.db
PUBLIC_FIELDS = {"number", "status", "people_ahead", "estimated_wait_s", "window", "called_at", "area",
                 "transferred_to"}


def take(hall: Hall) -> dict[str, Any]:
    reply = hall.kiosk().post("/tickets", json={"service": "SB-001"})
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def at_window(hall: Hall, action: str) -> dict[str, Any]:
    """``action`` by counter1 at window 15 (signed in there first: sign-in again changes nothing)."""
    reply = hall.seated("15", "counter1").post(f"/counters/15/{action}", params={"site": "HQ"})
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def follow(hall: Hall, ticket_id: str) -> SseReader:
    return SseReader(f"{hall.url}/api/v1/tickets/{ticket_id}/stream")


def test_a_ticket_stream_moves_with_the_line_and_tells_the_window_when_called(hall: Hall) -> None:
    first, second = take(hall), take(hall)
    hall.seated("15")  # before following: a window opening moves the estimate, which this is not about
    with follow(hall, second["id"]) as phone:
        assert phone.status == 200
        state = phone.next_named("ticket")
        assert set(state) == PUBLIC_FIELDS  # no name, phone, priority class or booking
        assert (state["number"], state["status"], state["people_ahead"], state["window"]) == (
            "B002", "waiting", 1, None)
        assert state["estimated_wait_s"] > 0
        assert at_window(hall, "call-next")["id"] == first["id"]
        moved = phone.next_named("ticket")
        assert (moved["status"], moved["people_ahead"], moved["estimated_wait_s"]) == ("waiting", 0, 0)
        at_window(hall, "complete")
        assert at_window(hall, "call-next")["id"] == second["id"]
        called = phone.next_named("ticket")
        assert (called["status"], called["window"]) == ("called", "15")
        assert called["area"] == {"zh-Hans": "一楼B区", "zh-Hant": "一樓B區", "en": "Floor 1, Zone B"}
        hall.clock.advance(timedelta(seconds=40))
        at_window(hall, "recall")
        recalled = phone.next_named("ticket")
        assert recalled["status"] == "called" and recalled["called_at"] != called["called_at"]
        at_window(hall, "complete")
        assert phone.next_named("ticket")["status"] == "done"
        assert phone.next(timeout=10) == END  # a final state ends the stream
    with follow(hall, second["id"]) as late:
        assert late.next_named("ticket")["status"] == "done" and late.next(timeout=10) == END
    missing = httpx.get(f"{hall.url}/api/v1/tickets/t_unknown/stream", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ticket_not_found"


def test_phones_following_one_line_share_one_read_of_it_per_call(
        hall: Hall, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight phones of queue B: each is told its own place after a call, as GET /tickets/{id} tells it, and
    the hall orders the line once for all of them, not once per phone (its work per call stays flat)."""
    from hall_server.usecases import tickets as ticketing

    issued = [take(hall) for _ in range(9)]
    seated = hall.staff("counter1").post("/windows/15/sign-in", params={"site": "HQ"})
    assert seated.status_code == 200, seated.text
    reads: list[str] = []
    real = ticketing.ordered_waiting

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append("read")
        return real(*args, **kwargs)

    phones = [follow(hall, t["id"]) for t in issued[1:]]
    for phone in phones:
        phone.__enter__()
    try:
        for k, phone in enumerate(phones, start=1):
            assert phone.next_named("ticket")["people_ahead"] == k
        monkeypatch.setattr(ticketing, "ordered_waiting", counted)
        assert at_window(hall, "call-next")["id"] == issued[0]["id"]
        for k, (phone, ticket) in enumerate(zip(phones, issued[1:], strict=True)):
            moved = phone.next_named("ticket")
            told = hall.kiosk().get(f"/tickets/{ticket['id']}").json()
            assert (moved["status"], moved["people_ahead"]) == ("waiting", k)
            assert moved["estimated_wait_s"] == told["estimated_wait_s"] and told["people_ahead"] == k
        # The call itself may order the line; the eight phones add at most one read per floor event.
        assert len(reads) - len(phones) <= 3, reads
    finally:
        for phone in phones:
            phone.__exit__(None, None, None)


def test_the_phone_page_keeps_its_no_script_refresh_and_loads_the_live_script(hall: Hall) -> None:
    ticket = take(hall)
    html = httpx.get(f"{hall.url}/t/{ticket['id']}", timeout=10).text
    assert '<noscript><meta http-equiv="refresh" content="20"></noscript>' in html
    assert '<script type="module" src="/phone/phone.js"></script>' in html
    assert httpx.get(f"{hall.url}/phone/phone.js", timeout=10).status_code == 200


def book_and_check_in(hall: Hall, n: int, phone: str | None) -> dict[str, Any]:
    citizen = {"id_number": make_id_number(sequence=300 + n), "name": "王" + "一二三四五六"[n],
               **({"phone": phone} if phone else {})}
    hall.clock.set(local(2026, 11, 25, 10, 0))
    body = {"service": "SB-001", "slot_id": "HQ:SB-001:2026-11-25T11:00", "citizen": citizen,
            "channel": "kiosk"}
    booking = hall.kiosk().post("/bookings", json=body)
    assert booking.status_code == 201, booking.text
    hall.clock.set(local(2026, 11, 25, 10, 30, n))
    ticket = hall.kiosk().post("/bookings/check-in", json={"check_in_code": booking.json()["check_in_code"]})
    assert ticket.status_code == 201, ticket.text
    return dict(ticket.json())


def notices(hall: Hall) -> dict[str, int]:
    with hall.db.read() as conn:
        rows = conn.execute(select(m.ticket_notices.c.ticket_id, m.ticket_notices.c.people_ahead)).all()
    return {row.ticket_id: row.people_ahead for row in rows}


def wait_for(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    return check()


def test_a_turn_notice_goes_once_to_a_ticket_whose_holder_gave_a_phone(
    hall_with: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hall_server.notices")
    hall = hall_with(notice_adapter="demo")
    phone = "13800138005"
    line = [book_and_check_in(hall, n, phone if n == 4 else None) for n in range(6)]
    notified, quiet = line[4], line[5]
    assert (notified["people_ahead"], quiet["people_ahead"]) == (4, 5)
    time.sleep(0.5)  # the watcher has seen every check-in: four ahead is not yet three
    assert notices(hall) == {}
    at_window(hall, "call-next")
    assert wait_for(lambda: notices(hall)) == {notified["id"]: 3}
    at_window(hall, "complete")
    at_window(hall, "call-next")  # now the phone-less ticket has three ahead, the notified one two
    at_window(hall, "complete")
    at_window(hall, "call-next")
    time.sleep(0.5)
    assert notices(hall) == {notified["id"]: 3}
    sent = [r.getMessage() for r in caplog.records if r.name.startswith("hall_server.notices")]
    assert sent == [f"turn notice: ticket {notified['number']} at HQ has 3 ahead; sent to the phone on file"]
    assert not any(phone in r.getMessage() or "138" in r.getMessage() for r in caplog.records)


def test_no_notifier_means_no_notice_recorded(hall: Hall) -> None:
    line = [book_and_check_in(hall, n, "13800138000") for n in range(5)]
    at_window(hall, "call-next")
    time.sleep(0.5)
    assert notices(hall) == {} and line
