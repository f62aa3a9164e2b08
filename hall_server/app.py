"""The hall server's FastAPI application factory."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio.to_thread
from fastapi import APIRouter, FastAPI
from sqlalchemy.exc import SQLAlchemyError

from hall_server import __version__
from hall_server.api import assist, documents
from hall_server.api.errors import install_error_handlers
from hall_server.clock import Clock, SystemClock
from hall_server.config import Settings
from hall_server.middleware.body_limit import BodyLimitMiddleware
from hall_server.middleware.rate_limit import RateLimitMiddleware
from hall_server.notices.notifier import notifier_for
from hall_server.records.registry import RecordsRegistry
from hall_server.state.hall_state import HallState
from hall_server.state.request_limits import Ticker
from hall_server.state.retry_log import RetryLog
from hall_server.state.task_stop import stop_tasks, within
from hall_server.state.voice_packs import VoicePacks
from hall_server.store import idempotency
from hall_server.store.database import Database
from hall_server.token_masking import install_token_masking
from hall_server.usecases import missed_bookings, retention
from hall_server.usecases.calls import CallBoard
from hall_server.usecases.identity_budget import forget_old_identity_data
from hall_server.usecases.turn_notices import watch_turns
from hall_server.web import pages

API_PREFIX = "/api/v1"
log = logging.getLogger(__name__)


def sweep_idempotency_keys(hall: HallState) -> int:
    """Forget idempotency keys older than their retention (24 h); returns how many went."""
    with hall.db.write() as conn:
        cutoff = hall.now() - timedelta(seconds=hall.settings.idempotency_ttl_s)
        return idempotency.forget_before(conn, cutoff)


def _ready_catalogue(hall: HallState) -> None:
    try:
        hall.overrides.view()
    except SQLAlchemyError as exc:
        # The requests will find the database as they find it; the start goes on.
        log.warning("the catalogue's overrides were not read at start: %s", type(exc).__name__)


async def _sweep_periodically(hall: HallState, every_s: float = 3600.0) -> None:
    """At start and then hourly: forget old idempotency keys, erase bookings' expired personal data."""
    retries = RetryLog(log, "the periodic sweep")
    while True:
        try:
            await hall.in_writer(lambda: sweep_idempotency_keys(hall))
            await hall.in_writer(lambda: forget_old_identity_data(hall))
            await hall.in_writer(lambda: retention.erase_expired(hall))
            retries.succeeded()
        except SQLAlchemyError as exc:
            retries.failed(exc)
        await asyncio.sleep(every_s)


async def _sweep_missed_bookings(hall: HallState, every_s: float = 60.0) -> None:
    """Every minute: bookings whose check-in window closed unused become missed (usecases/missed_bookings)."""
    retries = RetryLog(log, "the missed-booking sweep")
    while True:
        try:
            await hall.in_writer(lambda: missed_bookings.sweep_missed(hall))
            retries.succeeded()
        except SQLAlchemyError as exc:
            retries.failed(exc)
        await asyncio.sleep(every_s)


async def _watch_access(hall: HallState, every_s: float = 0.3) -> None:
    """Close the sockets of revoked kiosks and changed accounts within a second, and write kiosks' use."""
    retries = RetryLog(log, "the access check")
    while True:
        try:
            await anyio.to_thread.run_sync(hall.check_access)
            if hall.access.uses_due():  # mostly not: a kiosk's use is written once a minute
                await hall.in_writer(hall.access.flush_uses)
            retries.succeeded()
        except SQLAlchemyError as exc:
            retries.failed(exc)
        await asyncio.sleep(every_s)


def own_routers() -> list[tuple[str, APIRouter]]:
    """The hall server's routers with their prefixes (remote assistance mounts its own)."""
    from hall_server.api import (
        admin_access,
        admin_calendar,
        admin_catalogue,
        bookings,
        calendar,
        calls,
        catalogue,
        counters,
        fleet,
        identity,
        pad,
        records,
        reviews,
        sessions,
        sites,
        stats,
        ticket_stream,
        tickets,
        windows,
    )
    from hall_server.web import calling_screens, pad_page, tracking

    # Each request is matched against the routers in this order, route by route (a dozen regular
    # expressions per router): the kiosks' most frequent requests (a walk-in ticket, the catalogue) and
    # the phones' ticket look-ups come first. No path of one router is matched by another's.
    api = [tickets, catalogue, sessions, sites, calendar, bookings, ticket_stream, counters, windows,
           identity, records, documents, reviews, fleet, calls, pad, stats, admin_catalogue, admin_calendar,
           admin_access]
    phone_pages = [("", tracking.router), ("", documents.page_router), ("", calling_screens.router),
                   ("", pad_page.router)]
    return [(API_PREFIX, module.router) for module in api] + phone_pages


def create_app(settings: Settings, *, clock: Clock | None = None, db: Database | None = None,
               records: RecordsRegistry | None = None, ticker: Ticker = time.monotonic,
               fill_pools: bool = False) -> FastAPI:
    """Build the app; the schema must already be current (``serve`` and the tests upgrade first).

    ``ticker`` is the monotonic time of the rate limits (seconds); ``settings.redis_url`` also joins
    the video-help signaling to the other nodes on that Redis. ``fill_pools`` (``serve``) opens the
    database's connections before the first request is taken (``Database.fill_pools``).
    """
    install_token_masking()
    # Read before anything opens: a broken voice pack stops the start with one line (ConfigError).
    voices = VoicePacks.load(settings.voice_packs_dir)
    database = db or Database(settings.db_url, pool_size=settings.db_pool_size,
                              busy_timeout_s=settings.db_busy_timeout_s)
    hall = HallState(settings, database, clock or SystemClock(), records, ticker=ticker)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        database.open_on_loop()
        if fill_pools:
            await database.fill_pools()
        # The catalogue (read from its files, with the pinyin of every name) and the day's overrides are
        # made now, not by the first request: about 0.3 s of CPU that request used to wait behind.
        await anyio.to_thread.run_sync(_ready_catalogue, hall)
        # So are the certificates' libraries and fonts (and, once a machine, their first pieces): on a
        # thread of their own beside the first requests, they took the CPU of a node's first second of
        # load, and at 500 tickets/s its backlog never drained (bench/hall_load.py: p99 about 0.5 s).
        await anyio.to_thread.run_sync(_app.state.document_desk.warm)
        await hall.node.start()
        tasks = [asyncio.create_task(_sweep_periodically(hall)), asyncio.create_task(_watch_access(hall)),
                 asyncio.create_task(watch_turns(hall, notifier_for(settings.notice_adapter))),
                 asyncio.create_task(_sweep_missed_bookings(hall))]
        try:
            yield
        finally:
            # Each step bounded: a node told to stop is gone within seconds, whatever hangs.
            await stop_tasks(tasks, "the hall's periodic work")
            await within(_app.state.assist.close(), "video help's relay")
            await within(hall.node.close(), "the node's shared pieces")
            await within(hall.answers.close(), "the answers of keyed tickets")
            await hall.writers.close()
            await database.close_on_loop()
            if db is None:
                database.dispose()

    app = FastAPI(title="Hall server", version=__version__, docs_url="/docs", redoc_url=None,
                  lifespan=lifespan)
    app.state.hall = hall
    app.state.calls = CallBoard(hall, voices, settings.stream_keepalive_s)
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.rate_limit_enabled:
        # Added last, so outermost: a refused request costs no body reading and no database.
        app.add_middleware(RateLimitMiddleware, limiter=hall.request_limits,
                           is_known_token=lambda token: hall.cached_identity(token) is not None,
                           addresses=hall.addresses)
    for prefix, router in own_routers():
        app.include_router(router, prefix=prefix)
    assist.install(app, redis_url=settings.redis_url)
    documents.install(app)
    pages.install(app)
    return app
