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
        written = conn
        _add_staff(conn, "rolled-back")
        raise RuntimeError("refused")
    with database.read() as after, database.read() as second:
        # No write transaction is remembered: the read has a connection of its own, and a read inside it
        # is a second checkout on SQLite (its reads are transactions), the same one on PostgreSQL (not).
        assert after is not written
        assert (second is after) is (not database.is_sqlite)
        assert _staff_count(after) == 0


def test_a_read_on_postgresql_sends_each_statement_alone_and_a_write_stays_one_transaction(
    database: Database,
) -> None:
    """At READ COMMITTED each statement has a snapshot of its own, so a read makes no transaction of its
    statements: one round trip a statement, no BEGIN and COMMIT, and a read inside it is the same on its
    connection. The connection goes back to the pool as it came: the next write on it is one transaction
    again."""
    if database.is_sqlite:
        pytest.skip("SQLite's reads keep their transaction: it costs no round trip there")
    for _ in range(2):  # the second time on the pooled connection the first read and write used
        with database.read() as conn:
            conn.exec_driver_sql("SELECT pg_sleep(0.01)")
            # now() is the transaction's start: the statement's own time when it is its own transaction
            assert conn.exec_driver_sql("SELECT now() = statement_timestamp()").scalar_one() is True
            with database.read() as inner:  # a read inside takes no second connection from the pool
                assert inner is conn and database.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
        with database.write() as conn:
            conn.exec_driver_sql("SELECT pg_sleep(0.01)")
            assert conn.exec_driver_sql("SELECT now() = statement_timestamp()").scalar_one() is False
