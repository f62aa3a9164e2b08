"""A read made inside a write transaction uses that transaction's connection (SQLite and PostgreSQL):
it sees the write's own rows and never waits for a second connection from the pool while the write may
hold a row lock that the writers holding every other connection wait for."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DataError

from hall_server.store import models as m
from hall_server.store.database import Database, pipelined

pytestmark = pytest.mark.db


def _staff_count(conn: object) -> int:
    return int(conn.execute(select(func.count()).select_from(m.staff)).scalar_one())  # type: ignore[attr-defined]


def _add_staff(conn: object, name: str) -> None:
    conn.execute(insert(m.staff).values(  # type: ignore[attr-defined]
        username=name, display_name=name, password_hash="x", role="counter", created_at=datetime.now(UTC)))


def test_a_read_inside_a_write_is_the_writes_own_connection(database: Database) -> None:
    pool = database.engine.pool
    with database.write() as conn:
        _add_staff(conn, "inside")
        with database.read() as inner:
            assert inner is conn
            assert pool.checkedout() == 1  # type: ignore[attr-defined]
            assert _staff_count(inner) == 1  # the write's own row, not yet committed

        seen_elsewhere: list[tuple[int, int]] = []

        def other_thread() -> None:
            with database.read() as other:
                seen_elsewhere.append((_staff_count(other), pool.checkedout()))  # type: ignore[attr-defined]

        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join(10)
        # Another thread's read has a connection of its own and does not see the uncommitted row.
        assert seen_elsewhere == [(0, 2)]
    with database.read() as after:
        assert pool.checkedout() == 1  # type: ignore[attr-defined]
        assert _staff_count(after) == 1


def test_after_a_failed_write_reads_take_their_own_connection_again(database: Database) -> None:
    with pytest.raises(RuntimeError), database.write() as conn:
        _add_staff(conn, "rolled-back")
        raise RuntimeError("refused")
    with database.read() as after, database.read() as second:
        # Two reads on one thread are two checkouts again: no write transaction is remembered.
        assert after is not second
        assert _staff_count(after) == 0


def test_a_failure_inside_a_pipeline_is_raised_as_sqlalchemys_and_the_write_rolls_back(
    database: Database,
) -> None:
    """A kiosk's Idempotency-Key is looked up with the BEGIN on PostgreSQL (psycopg's pipeline mode, beside
    SQLAlchemy): a failure there must reach the error handlers as any other database error does."""
    if database.is_sqlite:
        pytest.skip("statements are sent together on PostgreSQL only; SQLite runs them one by one")
    with pytest.raises(DataError) as caught, database.write() as conn:
        _add_staff(conn, "lost")
        pipelined(conn, [("SELECT 1", {}), ("SELECT 1 / %(zero)s", {"zero": 0})])
    assert "division by zero" in str(caught.value)
    with database.read() as conn:
        assert _staff_count(conn) == 0
    # The pool's connection is whole again: the next write works.
    with database.write() as conn:
        _add_staff(conn, "kept")
        rows = pipelined(conn, [("SELECT %(n)s::int", {"n": 7}), ("SELECT 8", {})])
    assert rows == [[(7,)], [(8,)]]
    with database.read() as conn:
        assert _staff_count(conn) == 1
