"""A write of one statement (``Database.write_one``, a walk-in ticket): on PostgreSQL the statement commits
as it ends, with no BEGIN or COMMIT round trip and its row locks released at once; on SQLite a write as
any other."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, event, func, insert, select, update

from hall_server.store import idempotency
from hall_server.store import models as m
from hall_server.store.database import Database, after_commit

from .conftest import Hall, local

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


def test_a_walk_in_ticket_is_one_statement_with_its_key_or_without(hall: Hall) -> None:
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
    # On PostgreSQL the statement records the key with the ticket; SQLite remembers it in the transaction.
    assert seen == [hall.db.is_sqlite]
    status, body = _answer_stored(hall, key["Idempotency-Key"])
    assert status == 201 and json.loads(body) == keyed.json()  # the answer stored after it
    again = kiosk.post("/tickets", json={"service": "SB-001"}, headers=key)
    assert again.json() == keyed.json() and again.headers["Idempotent-Replayed"] == "true"
    assert int(keyed.json()["number"][1:]) == int(plain.json()["number"][1:]) + 1


def _stored(hall: Hall, key: str) -> tuple[int, str]:
    t = m.idempotency_keys
    with hall.db.read() as conn:
        status, body = conn.execute(select(t.c.status_code, t.c.body).where(t.c.key == key)).one()
    return status, body


def _answer_stored(hall: Hall, key: str) -> tuple[int, str]:
    """The key's stored answer, once stored: on PostgreSQL the node stores answers a moment after sending
    them (``state.pending_answers``)."""
    for _ in range(100):
        status, body = _stored(hall, key)
        if status != idempotency.PENDING:
            return status, body
        time.sleep(0.05)
    raise AssertionError(f"the answer of {key} was not stored within 5 s")


def test_a_repeat_before_the_answer_is_stored_gets_the_answer_sent(hall: Hall) -> None:
    """On PostgreSQL the answer goes before it is stored; a repeat to the same node meanwhile is answered
    with what was sent, not from the ticket as it stands."""
    if hall.db.is_sqlite:
        pytest.skip("SQLite remembers the key and its answer in the ticket's own transaction")
    with hall.db.write() as conn:
        # Storing answers takes a while here; recording a key (an INSERT) does not.
        conn.exec_driver_sql("CREATE FUNCTION slow_answer() RETURNS trigger AS "
                             "$$ BEGIN PERFORM pg_sleep(1.5); RETURN NEW; END $$ LANGUAGE plpgsql")
        conn.exec_driver_sql("CREATE TRIGGER slow_answer BEFORE UPDATE ON idempotency_keys "
                             "FOR EACH ROW EXECUTE FUNCTION slow_answer()")
    kiosk = hall.kiosk()
    key = str(uuid.uuid4())
    first = kiosk.post("/tickets", json={"service": "SB-001"}, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    assert _stored(hall, key) == (idempotency.PENDING, first.json()["id"])  # sent, not stored yet
    # What the ticket is now differs from what was sent: the answer sent is the one repeated.
    clerk = hall.seated("15")
    called = clerk.post("/counters/15/call-next", params={"site": "HQ"})
    assert called.status_code == 200 and called.json()["id"] == first.json()["id"], called.text
    again = kiosk.post("/tickets", json={"service": "SB-001"}, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true", again.text
    assert again.json() == first.json()
    status, body = _answer_stored(hall, key)
    assert status == 201 and json.loads(body) == first.json()


def _answer_lost(hall: Hall, key: str, ticket_id: str) -> None:
    """The key's record as a node lost between the ticket's statement and the answer's leaves it."""
    t = m.idempotency_keys
    with hall.db.write() as conn:
        conn.execute(update(t).where(t.c.key == key).values(status_code=idempotency.PENDING, body=ticket_id))


def test_a_repeat_whose_answer_was_never_stored_is_answered_from_the_ticket(hall: Hall) -> None:
    if hall.db.is_sqlite:
        pytest.skip("SQLite remembers the key and its answer in the ticket's own transaction")
    kiosk = hall.kiosk()
    key = str(uuid.uuid4())
    first = kiosk.post("/tickets", json={"service": "SB-001"}, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    _answer_stored(hall, key)
    _answer_lost(hall, key, first.json()["id"])
    again = kiosk.post("/tickets", json={"service": "SB-001"}, headers={"Idempotency-Key": key})
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    for field in ("id", "number", "queue", "status", "tracking_url", "people_ahead"):
        assert again.json()[field] == first.json()[field], field
    other = kiosk.post("/tickets", json={"service": "MA-001"}, headers={"Idempotency-Key": key})
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused", other.text
    with hall.db.read() as conn:
        made = conn.execute(select(func.count()).select_from(m.tickets)).scalar_one()
    assert made == 1  # no second ticket, nor a number taken for one


def test_a_repeat_after_the_queue_closed_is_answered_with_its_ticket(hall: Hall) -> None:
    """Its ticket was made while the queue was open: a retry that comes after the close gets it, not a
    refusal (on PostgreSQL the key is not looked up before the ticket's statement, so the refusal is
    where a repeat is found)."""
    kiosk = hall.kiosk()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = kiosk.post("/tickets", json={"service": "SB-001"}, headers=key)
    assert first.status_code == 201, first.text
    hall.clock.set(local(2026, 11, 25, 21, 30))  # after the Wednesday evening session
    again = kiosk.post("/tickets", json={"service": "SB-001"}, headers=key)
    assert again.status_code == 201 and again.json()["number"] == first.json()["number"], again.text
    fresh = kiosk.post("/tickets", json={"service": "SB-001"}, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert (fresh.status_code, fresh.json()["error"]["code"]) == (409, "queue_closed"), fresh.text
