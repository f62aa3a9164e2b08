"""Migration 0005 on a database of 0004 where a window raced into several called tickets: the latest stays
called, the others go back to the line, and the index that forbids it again is in place."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from hall_server.store import models as m
from hall_server.store.database import Database
from hall_server.store.schema import alembic_config

from .conftest import DEFAULT_NOW

pytestmark = pytest.mark.db


def upgrade_to(db: Database, revision: str) -> None:
    cfg = alembic_config(db.url)
    with db.write() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_upgrade_keeps_one_called_ticket_per_window(db_url: str) -> None:
    db = Database(db_url, pool_size=2)
    try:
        upgrade_to(db, "0004")
        insert = text(
            "INSERT INTO tickets (id, site, queue, day, seq, number, service, status, counter, issued_at, "
            "called_at) VALUES (:id, 'HQ', 'B', :day, :seq, :number, 'SB-001', :status, :counter, :at, "
            ":called)"
        )
        rows = [("t1", 1, "called", "15", 1), ("t2", 2, "called", "15", 3), ("t3", 3, "called", "15", 2),
                ("t4", 4, "serving", "16", 1), ("t5", 5, "called", "16", 5), ("t6", 6, "called", "17", 1)]
        with db.write() as conn:
            for ticket_id, seq, status, counter, minute in rows:
                conn.execute(insert, {"id": ticket_id, "day": DEFAULT_NOW.date(), "seq": seq,
                                      "number": f"B{seq:03d}", "status": status, "counter": counter,
                                      "at": DEFAULT_NOW, "called": DEFAULT_NOW + timedelta(minutes=minute)})
        upgrade_to(db, "head")
        t = m.tickets
        with db.read() as conn:
            found = dict(conn.execute(select(t.c.id, t.c.status).order_by(t.c.id)).all())
        # Window 15 keeps its latest call; 16 keeps the ticket being served; 17 had one.
        assert found == {"t1": "waiting", "t2": "called", "t3": "waiting", "t4": "serving", "t5": "waiting",
                         "t6": "called"}
        with pytest.raises(IntegrityError), db.write() as conn:
            conn.execute(t.update().where(t.c.id == "t1").values(status="called", counter="15"))
    finally:
        db.dispose()
