"""The answers of keyed walk-in tickets on PostgreSQL (``state.pending_answers``): sent at once, kept by
the node until one statement stores them with the others; a repeat meanwhile is answered from what was
kept; a node told to stop stores what it kept; a storing that fails leaves the keys pending."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, insert, select

from hall_server.state.pending_answers import PendingAnswers
from hall_server.state.writers import Writers
from hall_server.store import idempotency
from hall_server.store import models as m
from hall_server.store.database import Database

pytestmark = pytest.mark.db
SCOPE = "kiosk:kiosk-01"


@pytest.fixture
def on_postgres(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite stores a key's answer in the transaction that makes the ticket")


def _pending(conn: Connection, key: str) -> None:
    """A key as the ticket's statement records it: pending, with the id of the ticket."""
    conn.execute(insert(m.idempotency_keys).values(
        scope=SCOPE, key=key, request_hash="h" * 64, status_code=idempotency.PENDING, body="t_" + key,
        created_at=datetime.now(UTC)))


def _stored(database: Database, key: str) -> tuple[int, str]:
    """The key's record as another connection sees it (the test's loop is not blocked long by it)."""
    t = m.idempotency_keys
    with database.engine.connect() as conn:
        row = conn.execute(select(t.c.status_code, t.c.body).where(t.c.scope == SCOPE, t.c.key == key)).one()
    return row.status_code, row.body


@pytest.mark.usefixtures("on_postgres")
async def test_answers_are_kept_until_stored_together(database: Database, writers: Writers) -> None:
    keys = [f"k{i}" for i in range(5)]
    with database.engine.begin() as conn:
        for key in keys:
            _pending(conn, key)
    answers = PendingAnswers(writers)
    # Another connection holds the first key's row: the storing statement waits for it, and with it all.
    held = database.engine.connect()
    lock = held.begin()
    t = m.idempotency_keys
    held.execute(select(t.c.key).where(t.c.key == keys[0]).with_for_update())
    try:
        for number, key in enumerate(keys):
            assert answers.keep(SCOPE, key, 201, f'{{"number":"A{number:03d}"}}')
        await asyncio.sleep(0.3)
        # Sent, not stored: this node still answers a repeat with what it sent.
        assert answers.kept(SCOPE, keys[3]) == (201, '{"number":"A003"}')
        assert _stored(database, keys[3]) == (idempotency.PENDING, "t_" + keys[3])
    finally:
        lock.rollback()
        held.close()
    await answers.close()
    assert [_stored(database, key) for key in keys] == [(201, f'{{"number":"A{n:03d}"}}') for n in range(5)]
    assert answers.kept(SCOPE, keys[3]) is None
    # A node told to stop keeps nothing more: the request stores its answer itself.
    assert not answers.keep(SCOPE, "later", 201, "{}")


@pytest.mark.usefixtures("on_postgres")
async def test_a_stopping_node_stores_what_it_kept(database: Database, writers: Writers) -> None:
    with database.engine.begin() as conn:
        _pending(conn, "last")
    answers = PendingAnswers(writers)
    assert answers.keep(SCOPE, "last", 201, '{"number":"B001"}')
    await answers.close()  # at once: the storing has not begun
    assert _stored(database, "last") == (201, '{"number":"B001"}')


@pytest.mark.usefixtures("on_postgres")
async def test_an_answer_that_cannot_be_stored_leaves_its_key_pending(
        database: Database, writers: Writers, caplog: pytest.LogCaptureFixture) -> None:
    with database.engine.begin() as conn:
        _pending(conn, "bad")
        _pending(conn, "good")
    answers = PendingAnswers(writers)
    with caplog.at_level(logging.WARNING, logger="hall_server.state.pending_answers"):
        # A status out of the column's range fails the statement that stores the batch, as a lost
        # database would.
        assert answers.keep(SCOPE, "bad", 2**40, "{}")
        assert answers.keep(SCOPE, "good", 201, "{}")
        await answers.close()
    assert _stored(database, "bad") == (idempotency.PENDING, "t_bad")
    assert _stored(database, "good") == (idempotency.PENDING, "t_good")
    assert answers.kept(SCOPE, "good") is None
    assert "2 answers of keyed creations were not stored (DataError)" in caplog.text
    # The node goes on storing later answers.
    again = PendingAnswers(writers)
    assert again.keep(SCOPE, "good", 201, '{"ok":1}')
    await again.close()
    assert _stored(database, "good") == (201, '{"ok":1}')


def test_work_off_the_loop_stores_its_answer_itself(database: Database) -> None:
    """No event loop here (a worker thread's write): ``keep`` declines and the request stores it."""
    answers = PendingAnswers(Writers(database, slots=1))
    assert not answers.keep(SCOPE, "k", 201, "{}")
    assert answers.kept(SCOPE, "k") is None
    if database.is_sqlite:
        return  # the answer is remembered in the creating transaction there
    with database.engine.begin() as conn:
        _pending(conn, "k")
    with database.write_one() as conn:  # as ``middleware.idempotency`` then stores it: the same statement
        idempotency.answer_many(conn, [(SCOPE, "k", 201, '{"alone":1}')])
    assert _stored(database, "k") == (201, '{"alone":1}')
