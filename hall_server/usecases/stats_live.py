"""The live operations panel of the management web: windows, people waiting, kiosks offline, video help.

This is the floor as it is now (the tickets, the windows' live states, the kiosks), not a statistic. A window
is busy with a ticket called or served there, paused or idle with a clerk signed in, and closed otherwise:
closed on the site's plan, or with nobody signed in (a window nobody staffs serves no one, so it is not idle).
The live states (``window_states``), not today's events, say who is signed in: a shift begun before midnight
has no event today.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from hall_server.state.hall_state import HallState
from hall_server.store import fleet
from hall_server.store import models as m
from hall_server.store import windows as window_states
from hall_server.usecases.sites import known_site


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
        seats = window_states.of_site(conn, site)
        kiosks = fleet.kiosks(conn, site)
    busy = {r.counter: r for r in at_windows}
    windows = []
    by_number = {w.number: w for w in profile.windows}
    for number in [*by_number, *sorted(set(busy) - set(by_number))]:
        data = by_number.get(number)
        seat = seats.get(number)
        clerk = seat.clerk if seat is not None else None
        state = "closed" if clerk is None or (data is not None and not data.open) else (
            "paused" if seat is not None and seat.paused else "idle")
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
