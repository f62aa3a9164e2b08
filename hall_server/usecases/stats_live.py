"""The live operations panel of the management web: windows, people waiting, kiosks offline, video help.

This is the floor as it is now (tickets and kiosks tables, today's window events), not a statistic.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from hall_server.state.hall_state import HallState
from hall_server.store import fleet
from hall_server.store import models as m
from hall_server.usecases.sites import known_site

WINDOW_STATE = {"window_signed_in": "idle", "window_resumed": "idle", "window_paused": "paused",
                "window_signed_out": "closed"}


def live_answer(hall: HallState, site: str, assist: dict[str, int]) -> dict[str, Any]:
    """Each window open, busy, idle, paused or closed with its clerk and ticket; per queue the people
    waiting and the longest wait; the kiosks offline; the video-help callers waiting."""
    profile = known_site(site)
    now = hall.now()
    day = hall.calendars.site(site).local(now).date()
    t, e = m.tickets, m.events
    with hall.db.read() as conn:
        open_tickets = conn.execute(
            select(t.c.id, t.c.number, t.c.queue, t.c.status, t.c.counter, t.c.issued_at, t.c.called_at)
            .where(t.c.site == site, t.c.day == day, t.c.status.in_(("waiting", "called", "serving")))
        ).all()
        at_windows = [r for r in open_tickets if r.status != "waiting"]
        clerks = dict(conn.execute(
            select(e.c.subject, e.c.clerk).where(e.c.subject.in_([r.id for r in at_windows]),
                                                e.c.clerk.is_not(None)).order_by(e.c.id)
        ).all()) if at_windows else {}
        shifts = conn.execute(
            select(e.c.kind, e.c.window, e.c.clerk)
            .where(e.c.site == site, e.c.day == day, e.c.kind.in_(tuple(WINDOW_STATE))).order_by(e.c.id)
        ).all()
        kiosks = fleet.kiosks(conn, site)
    shift = {s.window: (WINDOW_STATE[s.kind], s.clerk) for s in shifts}
    busy = {r.counter: r for r in at_windows}
    windows = []
    by_number = {w.number: w for w in profile.windows}
    for number in [*by_number, *sorted(set(busy) - set(by_number))]:
        data = by_number.get(number)
        state, clerk = shift.get(number, ("idle" if data is None or data.open else "closed", None))
        current = busy.get(number)
        if current is not None:
            state, clerk = "busy", clerks.get(current.id, clerk)
        windows.append({
            "window": number, "area": data.area() if data else None,
            "queues": list(data.queues) if data else [],
            "state": state, "clerk": clerk, "ticket": current.number if current else None,
            "since": current.called_at.astimezone(profile.tz).isoformat() if current and current.called_at
            else None,
        })
    queues: dict[str, dict[str, Any]] = {}
    for row in open_tickets:
        entry = queues.setdefault(row.queue, {"queue": row.queue, "waiting": 0, "longest_wait_s": 0})
        if row.status == "waiting":
            entry["waiting"] += 1
            entry["longest_wait_s"] = max(entry["longest_wait_s"], int((now - row.issued_at).total_seconds()))
    limit = timedelta(seconds=hall.settings.kiosk_offline_after_s)
    offline = [k.name for k in kiosks if k.last_seen is None or now - k.last_seen > limit]
    return {
        "site": site, "at": now.astimezone(profile.tz).isoformat(), "windows": windows,
        "queues": [queues[q] for q in sorted(queues)],
        "kiosks": {"total": len(kiosks), "offline": offline},
        "assist": {"callers_waiting": assist.get("callers_waiting", 0),
                   "agents_online": assist.get("agents_online", 0)},
    }
