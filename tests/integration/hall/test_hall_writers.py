"""Where the hall's writes run (``state.writers``): on the event loop in greenlets with PostgreSQL (the
asyncio driver), on one thread with SQLite; first come first served; a caller's cancellation stops its
waiting, never a transaction under way."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import DataError, OperationalError

from hall_server.state.writers import Writers
from hall_server.store import models as m
from hall_server.store.database import Database, after_commit

pytestmark = pytest.mark.db


def _add_staff(conn: Connection, name: str) -> None:
    conn.execute(insert(m.staff).values(username=name, display_name=name, password_hash="x", role="counter",
                                        created_at=datetime.now(UTC)))


def _names(database: Database) -> set[str]:
    with database.read() as conn:
        return set(conn.execute(select(m.staff.c.username)).scalars())


def _pause(database: Database, conn: Connection, seconds: float) -> None:
    """Hold the transaction a while, as a slow statement does."""
    if database.is_sqlite:
        threading.Event().wait(seconds)
    else:
        conn.exec_driver_sql(f"SELECT pg_sleep({seconds})")


async def test_writes_run_where_their_database_wants_them(database: Database, writers: Writers) -> None:
    def where() -> tuple[str, bool]:
        with database.write() as conn:
            return threading.current_thread().name, conn.dialect.is_async

    thread, on_asyncio_driver = await writers.run(where)
    if database.is_sqlite:
        assert thread.startswith("hall-writer") and not on_asyncio_driver
    else:
        # On the loop's own thread, each statement awaiting the asyncio driver.
        assert thread == threading.current_thread().name and on_asyncio_driver


async def test_writes_interleaved_on_the_loop_each_read_their_own_transaction(
    database: Database, writers: Writers,
) -> None:
    """Two writes at once (on PostgreSQL two greenlets of one thread, taking turns at every statement):
    a read inside each is that write's own connection, sees its own row and not the other's."""
    both_inserted = asyncio.Event()
    inserted = read = 0
    loop = asyncio.get_running_loop()

    def write(name: str) -> tuple[str, set[str]]:
        nonlocal inserted, read
        with database.write() as conn:
            _add_staff(conn, name)
            inserted += 1
            if inserted == 2:
                loop.call_soon_threadsafe(both_inserted.set)
            # On PostgreSQL both rows exist, uncommitted, before either write reads, and neither commits
            # before both have read (SQLite runs one write after the other: nothing to wait for).
            _until_in_write(database, conn, lambda: inserted == 2)
            with database.read() as inner:
                assert inner is conn
                seen = set(inner.execute(select(m.staff.c.username)).scalars())
            read += 1
            _until_in_write(database, conn, lambda: read == 2)
            return name, seen

    results = await asyncio.gather(writers.run(lambda: write("one")), writers.run(lambda: write("two")))
    for name, seen in results:
        assert name in seen
        if not database.is_sqlite:
            # Both rows existed uncommitted at once; neither transaction saw the other's.
            assert both_inserted.is_set() and seen == {name}
    assert _names(database) == {"one", "two"}


async def test_a_caller_gone_mid_write_leaves_the_write_to_commit(
    database: Database, writers: Writers,
) -> None:
    started = threading.Event()
    told: list[str] = []

    def slow_write() -> None:
        with database.write() as conn:
            started.set()
            _add_staff(conn, "kept")
            _pause(database, conn, 0.3)
            after_commit(conn, lambda: told.append("committed"))

    caller = asyncio.ensure_future(writers.run(slow_write))
    await _until(started.is_set)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await _until(lambda: told == ["committed"])
    assert _names(database) == {"kept"}


async def test_a_write_cancelled_while_queued_never_starts(database: Database, writers: Writers) -> None:
    ran: list[str] = []
    started = threading.Event()

    def write(name: str, hold_s: float) -> None:
        with database.write() as conn:
            started.set()
            ran.append(name)
            _add_staff(conn, name)
            _pause(database, conn, hold_s)

    # Fill every slot (SQLite's one thread, PostgreSQL's two), then queue one more and cancel it.
    busy = [asyncio.ensure_future(writers.run(lambda n=n: write(n, 0.4))) for n in ("a", "b")]
    await _until(started.is_set)
    queued = asyncio.ensure_future(writers.run(lambda: write("never", 0)))
    await asyncio.sleep(0.05)
    queued.cancel()
    await asyncio.gather(*busy)
    with pytest.raises(asyncio.CancelledError):
        await queued
    await asyncio.sleep(0.1)
    assert "never" not in ran and _names(database) == {"a", "b"}


async def test_closed_writers_take_no_more_work_and_let_the_running_end(
    database: Database, writers: Writers,
) -> None:
    started = threading.Event()

    def write() -> None:
        with database.write() as conn:
            started.set()
            _add_staff(conn, "last")
            _pause(database, conn, 0.2)

    running = asyncio.ensure_future(writers.run(write))
    await _until(started.is_set)
    await writers.close()
    await running
    with pytest.raises(asyncio.CancelledError):
        await writers.run(lambda: None)
    assert _names(database) == {"last"}


async def test_a_failed_statement_on_the_loop_is_sqlalchemys_error_and_rolls_back(
    database: Database, writers: Writers,
) -> None:
    """On the asyncio driver a database error reaches the error handlers as any other does (SQLAlchemy's
    ``DataError`` here), the write rolls back, and the pooled connection serves the next write."""

    def failing() -> None:
        with database.write() as conn:
            _add_staff(conn, "lost")
            conn.exec_driver_sql("SELECT 1 / %(zero)s" if not database.is_sqlite else "SELECT abs(:n)",
                                 {"zero": 0} if not database.is_sqlite else {"n": -(2**63)})

    with pytest.raises(DataError if not database.is_sqlite else OperationalError) as caught:
        await writers.run(failing)
    assert ("division by zero" if not database.is_sqlite else "integer overflow") in str(caught.value)

    def working() -> int:
        with database.write() as conn:
            _add_staff(conn, "kept")
            return int(conn.exec_driver_sql("SELECT 7").scalar_one())

    assert await writers.run(working) == 7
    with database.read() as conn:
        assert conn.execute(select(func.count()).select_from(m.staff)).scalar_one() == 1


def _until_in_write(database: Database, conn: Connection, condition: Callable[[], bool]) -> None:
    """On PostgreSQL, wait inside a write on the loop (each pause lets the other greenlets run) until
    ``condition`` holds; at once on SQLite."""
    if database.is_sqlite:
        return
    for _ in range(500):
        if condition():
            return
        _pause(database, conn, 0.01)
    raise AssertionError("the other write never came")


async def _until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    for _ in range(int(timeout_s / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")
