"""Connections to the hall database: SQLite (WAL, busy timeout, one writer) or PostgreSQL by URL."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack, ExitStack, contextmanager, nullcontext
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util.concurrency import in_greenlet

from hall_server.config import ConfigError
from hall_server.store.private_files import private_file

log = logging.getLogger(__name__)


class Database:
    """One engine plus the write discipline that keeps counters exact on both databases.

    Statement parameters are hidden from error messages: they hold ID numbers and names, and an error
    may end in a log.

    On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` and, inside this process, takes a
    lock first: waiting on a Python lock hands over at once, where SQLite's busy handler sleeps in steps
    of up to 100 ms and would wreck tail latency.
    """

    def __init__(
        self, url: str, *, pool_size: int = 20, busy_timeout_s: float = 10.0, pool_timeout_s: float = 30.0
    ) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise ConfigError(f"cannot parse database URL: {exc}") from exc
        self.url = url
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self._write_lock: threading.Lock | None = threading.Lock() if self.is_sqlite else None
        # The connection of the write transaction this thread (or greenlet: each has its own context)
        # is in, for reads made inside it.
        self._in_write: ContextVar[Connection | None] = ContextVar(f"in_write_{id(self)}", default=None)
        # PostgreSQL: the connection of the read this thread (or greenlet) is in.
        self._in_read: ContextVar[Connection | None] = ContextVar(f"in_read_{id(self)}", default=None)
        self._pool = (pool_size, pool_timeout_s)
        # PostgreSQL's engine on the asyncio driver, for work run on the event loop (``open_on_loop``).
        self._loop_engine: AsyncEngine | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        try:
            if self.is_sqlite:
                if not parsed.database or parsed.database == ":memory:" or "mode=memory" in url:
                    raise ConfigError("an in-memory SQLite database cannot be shared by the server's "
                                      "connections; give a file, e.g. sqlite:////var/lib/hall/hall.sqlite3")
                # Owner-only before SQLite writes a byte; its -wal and -shm files take the same mode.
                private_file(Path(parsed.database).expanduser())
                self.engine = create_engine(
                    url, pool_size=pool_size, max_overflow=pool_size * 2, pool_timeout=pool_timeout_s,
                    connect_args={"check_same_thread": False, "timeout": busy_timeout_s},
                    hide_parameters=True,
                )
                _configure_sqlite(self.engine, busy_timeout_s)
            else:
                # The pool keeps a few connections beyond the writers' slots (HallState.in_writer) for
                # the reads made beside them (a cache's check, the access watch): with exactly as many,
                # each such read opened an overflow connection, closed again when handed back.
                self.engine = create_engine(
                    url, pool_size=pool_size + POOL_HEADROOM, max_overflow=pool_size,
                    pool_timeout=pool_timeout_s, hide_parameters=True,
                )
                _ping_when_idle(self.engine, IDLE_PING_S)
        except (ArgumentError, NoSuchModuleError) as exc:
            raise ConfigError(f"unusable database URL: {exc}") from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a transaction meant for reading.

        Inside a write transaction of the same thread, that transaction's own connection: a second one
        from the pool would wait for a connection while this one may hold a row lock (a queue's number)
        that the writers holding every other connection wait for, until the pool's timeout answers 503
        to all of them. The read also sees what the write has done so far.
        """
        current = self._in_write.get() or self._in_read.get()
        if current is not None:
            yield current
            return
        with self._engine().connect() as conn:
            if self.is_sqlite:
                with conn.begin():
                    yield conn
                return
            # Each statement its own transaction: at PostgreSQL's READ COMMITTED each statement sees a
            # snapshot of its own anyway, and a read of one statement makes one round trip, not three
            # (BEGIN, the statement, COMMIT). A read made inside this one (a cache's recheck) is the
            # same to it on this connection as on another, and takes none from the pool.
            conn.execution_options(isolation_level="AUTOCOMMIT")
            entered = self._in_read.set(conn)
            try:
                yield conn
            finally:
                self._in_read.reset(entered)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; committed when the block ends, rolled back on an exception.

        Work handed to ``after_commit`` inside the block runs once the transaction has committed (and
        the write lock is released); never when it rolls back.
        """
        lock = self._write_lock if self._write_lock is not None else nullcontext()
        pending: list[Callable[[], None]] = []
        with lock, self._engine().connect() as conn:
            conn.execution_options(hall_write=True)
            conn.info[_AFTER_COMMIT] = pending
            entered = self._in_write.set(conn)
            try:
                with conn.begin():
                    yield conn
            finally:
                self._in_write.reset(entered)
                # ``info`` outlives this checkout (it belongs to the pooled connection).
                conn.info.pop(_AFTER_COMMIT, None)
        for work in pending:
            work()

    @contextmanager
    def write_one(self) -> Iterator[Connection]:
        """A write made of one statement (reads may come before and after it): on PostgreSQL that statement
        commits by itself as it ends (autocommit). The write costs no BEGIN and no COMMIT round trip, and
        the row locks the statement takes are released as it ends, not when the event loop next gets
        round to sending COMMIT: a queue's number row, which every ticket of the queue waits for, was held
        that much longer under load. A second writing statement here would commit apart from the first:
        that work belongs in ``write``. On SQLite the same as ``write``.

        Work handed to ``after_commit`` runs when the block ends, also when it ends in an exception: what
        the statement wrote is committed by then (a refusal raised before it registers nothing).
        """
        if self.is_sqlite:
            with self.write() as conn:
                yield conn
            return
        pending: list[Callable[[], None]] = []
        try:
            with self._engine().connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.info[_AFTER_COMMIT] = pending
                entered = self._in_write.set(conn)
                try:
                    yield conn
                finally:
                    self._in_write.reset(entered)
                    conn.info.pop(_AFTER_COMMIT, None)
        finally:
            for work in pending:
                work()

    def open_on_loop(self) -> None:
        """PostgreSQL: open an engine on the asyncio driver for the running event loop, used by the work
        run there in a greenlet (``state.writers``; ``read`` and ``write`` choose it by themselves). Its
        connections belong to this loop; ``close_on_loop`` before the loop ends. Nothing on SQLite."""
        if self.is_sqlite or self._loop_engine is not None:
            return
        size, timeout_s = self._pool
        # As many connections as works may run at once on the loop (``Writers``' slots), and a few for
        # what runs beside them (a write's first look at a cache that is out of date).
        self._loop_engine = create_async_engine(self.url, pool_size=size + POOL_HEADROOM, max_overflow=0,
                                                pool_timeout=timeout_s, hide_parameters=True)
        _ping_when_idle(self._loop_engine.sync_engine, IDLE_PING_S)
        self._loop = asyncio.get_running_loop()

    def on_this_loop(self) -> bool:
        """Whether work run on the running loop in a greenlet has an engine of this loop to use."""
        return self._loop_engine is not None and self._loop is asyncio.get_running_loop()

    async def fill_pools(self) -> None:
        """PostgreSQL: open the pools' connections now (the loop's, as many as writes may run at once,
        and a few of the blocking one's), so that the first requests of the day do not each wait for a
        connection to be made (a SCRAM handshake: about 5 ms of the hall's CPU and 9 ms of waiting a
        connection, fifty of them behind the first fifty requests). A database that does not answer is
        logged and left to the requests, which answer 503 as they would have."""
        if self.is_sqlite:
            return
        size = self._pool[0]
        try:
            async with asyncio.timeout(FILL_TIMEOUT_S):
                if self._loop_engine is not None:
                    async with AsyncExitStack() as opened:
                        for _ in range(size):
                            await opened.enter_async_context(self._loop_engine.connect())
                # The blocking pool serves the reads of staff and screens, a few at a time.
                await asyncio.to_thread(self._fill_blocking, min(size, POOL_HEADROOM))
        except (OSError, TimeoutError, SQLAlchemyError) as exc:
            # Those opened so far are back in their pool.
            log.warning("the database's connections were not opened ahead: %s", type(exc).__name__)

    def _fill_blocking(self, size: int) -> None:
        with ExitStack() as opened:
            for _ in range(size):
                opened.enter_context(self.engine.connect())

    async def close_on_loop(self) -> None:
        engine, self._loop_engine, self._loop = self._loop_engine, None, None
        if engine is not None:
            await engine.dispose()

    def _engine(self) -> Engine:
        """The engine for the calling code: inside a greenlet of the loop the one on the asyncio driver
        (a blocking call there would stop the whole loop), anywhere else the blocking one."""
        engine = self._loop_engine
        if engine is not None and in_greenlet():
            return engine.sync_engine
        return self.engine

    def dispose(self) -> None:
        self.engine.dispose()


_AFTER_COMMIT = "hall_after_commit"
# Connections the PostgreSQL pool keeps beyond its size setting, and how long one may lie unused before
# it is tested on checkout.
POOL_HEADROOM = 5
IDLE_PING_S = 1.0
# How long ``fill_pools`` may hold a node's start.
FILL_TIMEOUT_S = 10.0
_IDLE_SINCE = "hall_idle_since"


def after_commit(conn: Connection, work: Callable[[], None]) -> None:
    """Run ``work`` once the write transaction of ``conn`` (from ``Database.write``) has committed: what
    others are told (a floor event) must never announce a change that was rolled back."""
    pending = conn.info.get(_AFTER_COMMIT)
    if pending is None:
        raise RuntimeError("after_commit outside Database.write")
    pending.append(work)


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # The driver's own transaction handling is disabled so that BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # Readers and writers alike wait this long for a lock held by another process, then the request
        # is answered 503 database_busy (api/errors.py) rather than hanging. In WAL mode reads rarely wait.
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("hall_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    """Test a pooled connection on checkout only when it lay unused ``idle_s`` or longer.

    A test on every checkout (``pool_pre_ping``) was one more round trip for every request. A connection
    handed back a moment ago was alive then; one the server dropped while in use fails its statement,
    and SQLAlchemy then renews every connection of the pool.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < idle_s:
            return  # new, or handed back a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool drops this connection and checks out another
            raise DisconnectionError("a pooled connection did not answer its test") from exc
