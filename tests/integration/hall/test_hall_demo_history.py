"""The demo's 30 past days: seeded (the same history twice), marked demo, written once, and read by the
reports like real events."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from hall_server.demo_history import fill_demo_history
from hall_server.state.calendar_book import CalendarBook
from hall_server.store import models as m
from hall_server.store.database import Database

from .conftest import DEFAULT_NOW, Hall

pytestmark = pytest.mark.db


def kinds(db: Database) -> Counter[tuple[str, str]]:
    with db.read() as conn:
        rows = conn.execute(select(m.events.c.kind, m.events.c.day, m.events.c.demo)).all()
    assert {r.demo for r in rows} == {1}
    return Counter((r.kind, r.day.isoformat()) for r in rows)


def test_the_history_is_seeded_marked_and_written_once(database: Database, tmp_path: object) -> None:
    cal = CalendarBook(database).site("HQ")
    written = fill_demo_history(database, cal, DEFAULT_NOW, days=7)
    assert written > 1000
    first = kinds(database)
    assert fill_demo_history(database, cal, DEFAULT_NOW, days=7) == 0
    assert kinds(database) == first
    other = Database(database.url.replace("hall.sqlite3", "other.sqlite3"), pool_size=2) \
        if database.is_sqlite else None
    if other is not None:
        from hall_server.store import schema

        schema.upgrade(other)
        fill_demo_history(other, CalendarBook(other).site("HQ"), DEFAULT_NOW, days=7)
        assert kinds(other) == first
        other.dispose()
    # Past days only (a follow-up may be closed this morning, before now).
    days = {day for kind, day in first if not kind.startswith("follow_up")}
    today = DEFAULT_NOW.date()
    assert max(days) < today.isoformat() and min(days) >= (today - timedelta(days=7)).isoformat()
    # Sunday 22 November: the hall is closed, nobody takes a ticket.
    assert not any(day == "2026-11-22" for kind, day in first if kind.startswith("ticket_"))


def test_the_reports_read_the_history(hall: Hall) -> None:
    fill_demo_history(hall.db, CalendarBook(hall.db).site("HQ"), DEFAULT_NOW, days=7)
    reply = hall.staff("manager1").get("/stats/queues", params={"site": "HQ", "from": "2026-11-18",
                                                                  "to": "2026-11-24", "by": "day"})
    body = reply.json()
    assert body["totals"]["issued"] > 500 and body["totals"]["served"] > 400
    assert 0 < body["totals"]["within_target_share"] <= 1
    reviews = hall.staff("manager1").get("/stats/reviews", params={"site": "HQ", "from": "2026-11-18",
                                                                    "to": "2026-11-24"}).json()
    assert reviews["totals"]["reviews"] > 100 and 0.8 < reviews["totals"]["satisfaction_share"] < 1
    assert reviews["bad_reviews"] and all(b["level"] <= 2 for b in reviews["bad_reviews"])
    assist = hall.staff("manager1").get("/stats/assist", params={"site": "HQ", "from": "2026-11-18",
                                                                  "to": "2026-11-24"}).json()
    assert assist["totals"]["calls"] > 30 and assist["totals"]["answered"] <= assist["totals"]["calls"]
