"""A clerk at a window: signing in and out, pausing (暂停服务) and resuming, and the windows' live state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from hall_server.domain.windows import Window
from hall_server.state.floor_bus import FloorEvent, FloorEventKind
from hall_server.state.hall_state import HallState
from hall_server.store import audit, events, tickets, windows
from hall_server.store.database import after_commit
from hall_server.store.windows import WindowState
from hall_server.usecases import tickets as ticketing
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site, site_local


def plan_window(site: str, number: str) -> Window:
    """The window ``number`` of the site's plan; Refusal ``unknown_site`` or ``unknown_window``."""
    window = known_site(site).window(number)
    if window is None:
        raise Refusal("unknown_window", f"{site} has no window {number!r}")
    return window


def effective_window(hall: HallState, site: str, number: str) -> Window:
    """The window of the plan with the administration's edits (its queues in order, names, open state)."""
    return hall.overrides.view().window(site, plan_window(site, number))


def announce(conn: Connection, hall: HallState, event: FloorEvent) -> None:
    """Publish ``event`` on the floor bus once the transaction of ``conn`` has committed."""
    after_commit(conn, lambda: hall.floor.publish(event))


def seated(conn: Connection, site: str, number: str, clerk: str, *, in_plan: bool = True) -> WindowState:
    """The window's state, locked, when ``clerk`` is signed in there; Refusal ``not_signed_in`` otherwise
    (``unknown_window`` first when ``in_plan`` and the plan has no such window)."""
    if in_plan:
        plan_window(site, number)
    else:
        known_site(site)
    state = windows.locked(conn, site, number)
    if state is None or state.clerk != clerk:
        raise Refusal("not_signed_in", f"sign in at window {number} of {site} first",
                      extra={"window": number})
    return state


@dataclass(frozen=True)
class Seat:
    """A clerk at one window of a site, and the language and base URL of the tickets answered."""

    hall: HallState
    site: str
    window: str
    clerk: str
    lang: str = "zh-Hans"
    base_url: str = ""

    def event(self, kind: FloorEventKind, at: datetime) -> FloorEvent:
        return FloorEvent(kind=kind, site=self.site, at=at, window=self.window, clerk=self.clerk)

    def changed(self, conn: Connection, kind: FloorEventKind, stored: events.EventKind, at: datetime) -> None:
        """Record the window's change in the event log (the managers' idle shares and pauses) and tell
        the floor once committed."""
        events.append(conn, stored, self.site, at, window=self.window, clerk=self.clerk)
        announce(conn, self.hall, self.event(kind, at))

    def mine(self) -> dict[str, Any]:
        return mine(self.hall, self.clerk, self.lang, self.base_url)

    def sign_in(self) -> dict[str, Any]:
        """Take the window (refused ``window_closed``, ``window_taken``, ``signed_in_elsewhere``)."""
        site, number, clerk = self.site, self.window, self.clerk
        if not effective_window(self.hall, site, number).open:
            raise Refusal("window_closed", f"window {number} is closed on the site's plan")
        now = self.hall.now()
        try:
            with self.hall.db.write() as conn:
                elsewhere = windows.of_clerk(conn, clerk)
                if elsewhere is not None and (elsewhere.site, elsewhere.number) != (site, number):
                    raise Refusal("signed_in_elsewhere", f"you are signed in at window {elsewhere.number}",
                                  extra={"window": elsewhere.number, "site": elsewhere.site})
                state = windows.locked(conn, site, number, create=True)
                assert state is not None
                if state.clerk not in (None, clerk):
                    raise Refusal("window_taken", f"window {number} has a clerk signed in")
                if state.clerk is None:
                    windows.set_state(conn, site, number, clerk=clerk, paused=0, pause_reason=None, since=now)
                    self.changed(conn, "window_opened", "window_signed_in", now)
        except IntegrityError as exc:
            # PostgreSQL: one clerk signing in at two windows at once; the unique index kept one.
            raise Refusal("signed_in_elsewhere", "you are signed in at another window") from exc
        return self.mine()

    def sign_out(self) -> dict[str, Any]:
        """Leave the window; refused ``counter_busy`` while a ticket is called or served there (parked
        ones stay parked at the window for whoever signs in next)."""
        now = self.hall.now()
        with self.hall.db.write() as conn:
            # A window dropped from the plan meanwhile can still be left.
            seated(conn, self.site, self.window, self.clerk, in_plan=False)
            if tickets.current_at_counter(conn, self.site, self.window) is not None:
                raise Refusal("counter_busy",
                              "finish the current ticket first (complete, no-show, park or transfer)")
            windows.set_state(conn, self.site, self.window, clerk=None, paused=0, pause_reason=None,
                              since=now)
            self.changed(conn, "window_closed", "window_signed_out", now)
        return {"site": None, "window": None}

    def pause(self, reason: str | None) -> dict[str, Any]:
        """暂停服务: no calls to the window until it resumes; the reason goes to the counter audit."""
        now = self.hall.now()
        with self.hall.db.write() as conn:
            state = seated(conn, self.site, self.window, self.clerk)
            windows.set_state(conn, self.site, self.window, paused=1, pause_reason=reason,
                              since=state.since if state.paused else now)
            audit.log_counter(conn, now, self.clerk, self.site, self.window, "pause", reason=reason)
            if not state.paused:
                self.changed(conn, "window_paused", "window_paused", now)
        return self.mine()

    def resume(self) -> dict[str, Any]:
        now = self.hall.now()
        with self.hall.db.write() as conn:
            state = seated(conn, self.site, self.window, self.clerk)
            if state.paused:
                windows.set_state(conn, self.site, self.window, paused=0, pause_reason=None, since=now)
                self.changed(conn, "window_opened", "window_resumed", now)
        return self.mine()


def _state_text(window: Window, state: WindowState | None) -> str:
    if not window.open:
        return "closed"
    if state is None or state.clerk is None:
        return "signed_out"
    return "paused" if state.paused else "open"


def live_windows(hall: HallState, site: str, lang: str) -> dict[str, Any]:
    """Every window of the plan with its live state: who is signed in (staff see it), open, paused or
    signed out, since when, and the number called or served there."""
    profile = known_site(site)
    view = hall.overrides.view()
    plan = [view.window(site, w) for w in profile.windows]
    with hall.db.read() as conn:
        states = windows.of_site(conn, site)
        current = {w.number: tickets.current_at_counter(conn, site, w.number)
                   for w in plan if (s := states.get(w.number)) is not None and s.clerk}
    answer = []
    for window in plan:
        state = states.get(window.number)
        ticket = current.get(window.number)
        since = state.since if state is not None and state.clerk else None
        answer.append({
            "number": window.number, "area": window.area(lang), "name": window.name(lang),
            "queues": list(window.queues), "open": window.open, "state": _state_text(window, state),
            "clerk": state.clerk if state is not None else None,
            "since": site_local(site, since).isoformat() if since else None,
            "pause_reason": state.pause_reason if state is not None and state.paused else None,
            "current": {"number": ticket.number, "status": ticket.status} if ticket else None,
        })
    return {"site": site, "windows": answer}


def mine(hall: HallState, clerk: str, lang: str, base_url: str) -> dict[str, Any]:
    """Where the clerk is signed in, with the ticket called or served there and the tickets parked there:
    what the console shows again after a reload. ``window`` is null when signed in nowhere."""
    now = hall.now()
    with hall.db.read() as conn:
        state = windows.of_clerk(conn, clerk)
        if state is None:
            return {"site": None, "window": None, "now": site_local(None, now).isoformat()}
        site, number = state.site, state.number
        current = tickets.current_at_counter(conn, site, number)
        parked = tickets.parked_at_counter(conn, site, number)
        described = [ticketing.describe(conn, hall, t, now, lang, base_url) for t in [current, *parked] if t]
    # A window dropped from the plan since the clerk signed in still shows, to be signed out of.
    window = known_site(site).window(number)
    # ``now`` in hall time: the console says "3 分钟前" against the hall's clock, not the browser's.
    return {
        "now": site_local(site, now).isoformat(),
        "site": site, "window": number, "area": window.area(lang) if window else "",
        "name": window.name(lang) if window else "", "queues": list(window.queues) if window else [],
        "state": "paused" if state.paused else "open",
        "pause_reason": state.pause_reason if state.paused else None,
        "since": site_local(site, state.since).isoformat() if state.since else None,
        "current": described[0] if current else None,
        "parked": described[1:] if current else described,
    }
