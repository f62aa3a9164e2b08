"""A write of one statement (``Database.write_one``, a walk-in ticket): on PostgreSQL the statement commits
as it ends, with no BEGIN or COMMIT round trip and its row locks released at once; on SQLite a write as
any other."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, event, func, insert, select

from hall_server.store import models as m
from hall_server.store.database import Database, after_commit

from .conftest import Hall

pytestmark = pytest.mark.db


def _add_staff(conn: Connection, name: str) -> None:
    conn.execute(insert(m.staff).values(username=name, display_name=name, password_hash="x", role="counter",
                                        created_at=datetime.now(UTC)))


def _seen_from_another_connection(database: Database, name: str) -> bool:
    with database.engine.connect() as other:
        found = other.execute(select(func.count()).select_from(m.staff).where(m.staff.c.username == name))
        return bool(found.scalar_one())


def test_the_statement_is_committed_as_it_ends(database: Database) -> None:
    with database.write_one() as conn:
        _add_staff(conn, "one")
        # Committed by itself on PostgreSQL; inside its transaction, unseen by others, on SQLite.
        assert _seen_from_another_connection(database, "one") is not database.is_sqlite
    assert _seen_from_another_connection(database, "one")


def test_after_commit_work_runs_also_when_the_block_fails_after_its_statement(database: Database) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError), database.write_one() as conn:
        _add_staff(conn, "kept")
        after_commit(conn, lambda: ran.append("announced"))
        raise RuntimeError("the answer could not be made")
    if database.is_sqlite:
        # A transaction: rolled back, and nothing announced.
        assert ran == [] and not _seen_from_another_connection(database, "kept")
    else:
        # The statement committed as it ended: what it wrote is announced, as it is there for all to see.
        assert ran == ["announced"] and _seen_from_another_connection(database, "kept")


@contextmanager
def _numbering(database: Database) -> Iterator[list[bool]]:
    """For each statement that takes a ticket number (on every engine of the database, the loop's too):
    whether it ran in a transaction of its own making (not autocommit)."""
    seen: list[bool] = []
    engines = [database.engine]
    if database._loop_engine is not None:
        engines.append(database._loop_engine.sync_engine)

    def before(conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        if "INSERT INTO ticket_counters" in statement:
            driver = conn.connection.driver_connection
            seen.append(not getattr(driver, "autocommit", False) if not database.is_sqlite
                        else conn.in_transaction())

    for engine in engines:
        event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", before)


def test_a_walk_in_ticket_is_one_statement_and_a_keyed_one_a_transaction(hall: Hall) -> None:
    kiosk = hall.kiosk()
    with _numbering(hall.db) as seen:
        plain = kiosk.post("/tickets", json={"service": "SB-001"})
    assert plain.status_code == 201, plain.text
    # SQLite takes its write lock with BEGIN IMMEDIATE in any case.
    assert seen == [hall.db.is_sqlite]
    key = {"Idempotency-Key": str(uuid.uuid4())}
    with _numbering(hall.db) as seen:
        keyed = kiosk.post("/tickets", json={"service": "SB-001"}, headers=key)
    assert keyed.status_code == 201, keyed.text
    # The key is remembered with the ticket, in the same transaction.
    assert seen == [True]
    again = kiosk.post("/tickets", json={"service": "SB-001"}, headers=key)
    assert again.json()["number"] == keyed.json()["number"]
    assert int(keyed.json()["number"][1:]) == int(plain.json()["number"][1:]) + 1
