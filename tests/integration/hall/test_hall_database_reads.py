"""A read made inside a write transaction uses that transaction's connection (SQLite and PostgreSQL):
it sees the write's own rows and never waits for a second connection from the pool while the write may
hold a row lock that the writers holding every other connection wait for."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select

from hall_server.store import models as m
from hall_server.store.database import Database

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
