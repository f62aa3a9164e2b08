"""Tickets and their per-day numbering: an atomic counter row per site, queue and day."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, func, insert, select, update

from hall_server.store import idempotency
from hall_server.store import models as m

T = m.tickets
OPEN_STATUSES = ("waiting", "called", "serving")


@dataclass(frozen=True)
class Ticket:
    """A row of ``tickets``."""

    id: str
    site: str
    queue: str
    day: date
    seq: int
    number: str
    service: str
    priority: str | None
    booking_id: str | None
    slot_start: datetime | None
    status: str
    counter: str | None
    issued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    transferred_to: str | None
    for_window: str | None = None
    completed_by: str | None = None


class Waiting(NamedTuple):
    """What the queue listing needs of a waiting ticket."""

    id: str
    seq: int
    queue: str
    number: str
    service: str
    issued_at: datetime
    priority: str | None
    slot_start: datetime | None
    booking_id: str | None
    for_window: str | None


# Built once: the ticket path runs these statements for every ticket issued.
_INSERT_TICKET = insert(T)
_INSERT_EVENT = insert(m.events)
_RECENT_SERVICE = (
    select(T.c.started_at, T.c.finished_at)
    .where(
        T.c.site == bindparam("site"),
        T.c.day == bindparam("day"),
        T.c.queue == bindparam("queue"),
        T.c.status == "done",
        T.c.started_at.is_not(None),
    )
    .order_by(T.c.finished_at.desc())
    .limit(bindparam("limit"))
)


def next_seq(conn: Connection, site: str, queue: str, day: date) -> int:
    """Take the next number of a queue's day in one statement (the row lock serializes takers)."""
    return int(_run(conn, _NEXT_SEQ, {"site": site, "key": queue, "day": day})[0][0])


# Written for the driver, as the other statements of ticket issue (``issue_into_line`` makes it part of
# its own), without SQLAlchemy's compiled statement cache in the way.
_NEXT_SEQ = ("INSERT INTO ticket_counters (site, queue, day, last_number) VALUES (%(site)s, %(key)s, "
             "%(day)s, 1) ON CONFLICT (site, queue, day) DO UPDATE SET last_number = "
             "ticket_counters.last_number + 1 RETURNING last_number")


def new_ticket_id() -> str:
    return "t_" + secrets.token_urlsafe(16)


def insert_ticket(conn: Connection, ticket: Ticket) -> Ticket:
    # The fields as they are (``asdict`` deep-copied each of them: a tenth of a ticket's issue).
    conn.execute(_INSERT_TICKET, dict(vars(ticket)))
    return ticket


def issue_into_line(
    conn: Connection, draft: Ticket, event: dict[str, object], now: datetime, wait_cap: timedelta,
    number_of: Callable[[int], str],
) -> tuple[IssueView, Ticket, list[WaitingRow]]:
    """Number and store ``draft`` (its ``seq`` and ``number`` are filled in here) with its issue event
    (``events.event_row``), and read what its place is counted from: its line as it was before the number
    was taken (``line_for_issue``), the ticket as stored, and the waiting tickets numbered meanwhile
    (after the line's last number and before ours), as ``waiting_for_order`` gives them.

    The number's counter row stays locked until the transaction commits, and every other ticket of the
    queue waits for it: so the line is read before the number is taken, never inside the lock.

    On PostgreSQL this is one statement, one round trip: it reads the line in its snapshot, then takes
    the number and stores the ticket and its event. The tickets numbered between that snapshot and our
    number (their transactions held the lock we waited for) have all committed once we hold it, and a
    second statement reads them, only when there are any. Where these were three statements sent in a
    pipeline and then one more, psycopg's pipeline mode cost more CPU than the round trips it saved.
    The number is formatted in the statement as ``number_of`` formats it (``domain.queue.ticket_number``),
    and checked against it: were they ever to differ, the request fails and nothing is printed (in a
    transaction the ticket is rolled back; written alone, ``Database.write_one``, it stays with the number
    the database gave it, which is the number the rest of the hall reads)."""
    if conn.dialect.name != "postgresql":
        view = line_for_issue(conn, draft.site, draft.day, draft.queue, now, wait_cap)
        seq = next_seq(conn, draft.site, draft.queue, draft.day)
        ticket = replace(draft, seq=seq, number=number_of(seq))
        insert_ticket(conn, ticket)
        conn.execute(_INSERT_EVENT, event)
    else:
        fields = vars(draft)
        key = idempotency.held(conn)
        params = {**_line_params(draft.site, draft.day, draft.queue, now, wait_cap, 20),
                  **{f"t_{k}": v for k, v in fields.items() if k not in _NUMBERED},
                  **{f"e_{k}": v for k, v in event.items()},
                  **(idempotency.held_params(key, "k_", draft.id) if key is not None else {})}
        sql = _issue_statement(tuple(k for k in fields if k not in _NUMBERED), tuple(event), key is not None)
        rows = conn.exec_driver_sql(sql, params).fetchall()
        view = _issue_view([r for r in rows if r[0] != "q"])
        number, seq = next((r[1], int(r[2])) for r in rows if r[0] == "q")
        if number != number_of(seq):
            raise RuntimeError(f"ticket number {number!r} formatted otherwise than {number_of(seq)!r}")
        ticket = replace(draft, seq=seq, number=number)
    if seq <= view.numbered + 1:
        return view, ticket, []
    return view, ticket, waiting_numbered_between(conn, ticket.site, ticket.day, ticket.queue,
                                                  view.numbered, seq)


_NUMBERED = ("seq", "number")


@cache
def _issue_statement(ticket_columns: tuple[str, ...], event_columns: tuple[str, ...], keyed: bool) -> str:
    def names(columns: tuple[str, ...]) -> str:
        return ", ".join(f'"{c}"' for c in columns)

    def values(prefix: str, columns: tuple[str, ...]) -> str:
        return ", ".join(f"%({prefix}{c})s" for c in columns)

    # A scalar subquery in VALUES, not INSERT ... SELECT: in VALUES each parameter takes its column's type.
    seq = "last_number"
    number = f"(SELECT %(key)s || lpad({seq}::text, greatest(3, length({seq}::text)), '0') FROM num)"
    return (
        f"WITH num AS ({_NEXT_SEQ}), "
        f"ticket AS (INSERT INTO tickets ({names(ticket_columns)}, seq, number) "
        f"VALUES ({values('t_', ticket_columns)}, (SELECT {seq} FROM num), {number}) RETURNING number, seq), "
        f"event AS (INSERT INTO events ({names(event_columns)}) VALUES ({values('e_', event_columns)})) "
        f"{_held_key() if keyed else ''}"
        f"{_LINE_SQL} UNION ALL SELECT 'q', number, seq, NULL, NULL, NULL FROM ticket"
    )


def _held_key() -> str:
    """The Idempotency-Key's pending record, written by the statement that makes the ticket
    (``store.idempotency.hold``): a repeated key fails the whole statement, which then takes no number."""
    columns, values = idempotency.held_columns("k_")
    return f", held AS (INSERT INTO idempotency_keys ({columns}) VALUES ({values})) "


def get(conn: Connection, ticket_id: str) -> Ticket | None:
    row = conn.execute(select(T).where(T.c.id == ticket_id)).first()
    return None if row is None else Ticket(**row._mapping)


def waiting(conn: Connection, site: str, day: date) -> list[Waiting]:
    """A site's waiting tickets of ``day``, those transferred to a window (``for_window``) too."""
    query = select(
        T.c.id,
        T.c.seq,
        T.c.queue,
        T.c.number,
        T.c.service,
        T.c.issued_at,
        T.c.priority,
        T.c.slot_start,
        T.c.booking_id,
        T.c.for_window,
    ).where(T.c.site == site, T.c.day == day, T.c.status == "waiting")
    return [Waiting._make(row) for row in conn.execute(query)]


class WaitingRow(NamedTuple):
    """A waiting ticket as the driver gives it: the time columns are UTC text on SQLite (see ``instant``)."""

    id: str
    seq: int
    issued_at: Any
    priority: str | None
    slot_start: Any


def waiting_for_order(conn: Connection, site: str, day: date, queue: str) -> list[WaitingRow]:
    """(id, seq, issued_at, priority, slot_start) of a queue's waiting tickets as the driver gives them
    (not those sent to one window: they wait in that window's own line, ``waiting_for_window``).

    Called on every ticket issued, over a line that can be hundreds long: plain driver rows skip the
    per-row work of the ORM layer; ``instant`` turns the two time columns into datetimes.
    """
    return _driver_rows(conn, "queue = %(key)s AND for_window IS NULL", site, day, queue)


class IssueView(NamedTuple):
    """What issuing a ticket reads of its queue's day, in one statement (``line_for_issue``)."""

    numbered: int  # the last number given (0 before the first)
    plain: int  # how many waiting tickets are plain (``domain.queue.is_plain``): counted, not read
    line: list[WaitingRow]  # the other waiting tickets, as ``waiting_for_order`` gives them
    staffed: list[tuple[str, bool]]  # (number, paused) of the site's windows with a clerk signed in
    recent_service_s: list[float]  # durations of the queue's latest services that day, oldest first


def line_for_issue(
    conn: Connection, site: str, day: date, queue: str, now: datetime, wait_cap: timedelta, limit: int = 20
) -> IssueView:
    """The last number a queue's day has given (0 before the first) and its waiting tickets, with what
    the estimated wait needs (``windows.staffed``, ``recent_service_seconds``), read in one statement
    without taking the counter row's lock: one round trip where there were three, on every ticket issued.

    The plain tickets of the line (walk-ins without priority, waiting less than the cap: most of a long
    line) are only counted: they all stand alike before a new ticket (``domain.queue.plain_go_before``),
    so reading and ordering each of them, hundreds on a busy day, was most of a ticket's cost.

    One statement reads one snapshot: a number is taken in the transaction that stores its ticket, so
    the line holds every waiting ticket up to that number and none after it.
    """
    return _issue_view(_run(conn, _LINE_SQL, _line_params(site, day, queue, now, wait_cap, limit)))


# domain.queue.is_plain in SQL (tickets of a queue's own line have rank 0).
_PLAIN = "(priority IS NULL AND slot_start IS NULL AND issued_at > %(fresh_after)s AND issued_at <= %(now)s)"
_OWN_LINE = ("FROM tickets WHERE site = %(site)s AND day = %(day)s AND queue = %(key)s "
             "AND for_window IS NULL AND status = 'waiting' AND ")
_LINE_SQL = (
    f"SELECT 'w', id, seq, issued_at, priority, slot_start {_OWN_LINE} NOT {_PLAIN} "
    f"UNION ALL SELECT 'p', NULL, count(*), NULL, NULL, NULL {_OWN_LINE} {_PLAIN} "
    "UNION ALL SELECT 'n', NULL, last_number, NULL, NULL, NULL FROM ticket_counters "
    "WHERE site = %(site)s AND queue = %(key)s AND day = %(day)s "
    "UNION ALL SELECT 's', number, paused, NULL, NULL, NULL FROM window_states "
    "WHERE site = %(site)s AND clerk IS NOT NULL "
    "UNION ALL SELECT 'r', NULL, NULL, started_at, NULL, finished_at FROM "
    "(SELECT started_at, finished_at FROM tickets WHERE site = %(site)s AND day = %(day)s "
    "AND queue = %(key)s AND status = 'done' AND started_at IS NOT NULL "
    "ORDER BY finished_at DESC LIMIT %(limit)s) AS recent"
)


def _line_params(site: str, day: date, queue: str, now: datetime, wait_cap: timedelta,
                 limit: int) -> dict[str, Any]:
    return {"site": site, "day": day, "key": queue, "limit": limit, "now": now, "fresh_after": now - wait_cap}


def _issue_view(rows: list[Any]) -> IssueView:
    numbered = plain = 0
    line: list[WaitingRow] = []
    staffed: list[tuple[str, bool]] = []
    served: list[tuple[datetime, datetime]] = []
    for kind, key, number, start, priority, end in rows:
        if kind == "w":
            line.append(WaitingRow(key, number, start, priority, end))
        elif kind == "p":
            plain = int(number)
        elif kind == "n":
            numbered = int(number)
        elif kind == "s":
            staffed.append((key, bool(number)))
        else:
            served.append((instant(end), instant(start)))
    served.sort()
    return IssueView(numbered, plain, line, staffed,
                     [(end - start).total_seconds() for end, start in served])


def waiting_numbered_between(
    conn: Connection, site: str, day: date, queue: str, after: int, before: int
) -> list[WaitingRow]:
    """A queue's waiting tickets numbered after ``after`` and before ``before`` (those numbered while a
    new ticket's place was being counted), as ``waiting_for_order`` gives them."""
    return _driver_rows(conn, _NUMBERED_BETWEEN, site, day, queue, {"after": after, "before": before})


_NUMBERED_BETWEEN = "queue = %(key)s AND for_window IS NULL AND seq > %(after)s AND seq < %(before)s"


def waiting_for_window(conn: Connection, site: str, day: date, window: str) -> list[WaitingRow]:
    """The waiting tickets transferred to one window, as ``waiting_for_order`` gives a queue's."""
    return _driver_rows(conn, "for_window = %(key)s", site, day, window)


def _driver_rows(
    conn: Connection, condition: str, site: str, day: date, key: str, more: dict[str, Any] | None = None
) -> list[WaitingRow]:
    params: dict[str, Any] = {"site": site, "day": day, "key": key, **(more or {})}
    return [WaitingRow._make(r) for r in _run(conn, _waiting_select(condition), params)]


def _waiting_select(condition: str) -> str:
    """The statement of ``WaitingRow``s of a site's day that meet ``condition`` (parameters ``site``,
    ``day`` and the condition's own)."""
    return (
        "SELECT id, seq, issued_at, priority, slot_start FROM tickets "
        f"WHERE site = %(site)s AND day = %(day)s AND {condition} AND status = 'waiting'"
    )


def _run(conn: Connection, sql: str, params: dict[str, Any]) -> list[Any]:
    """Rows of a driver-level statement written with ``%(name)s`` parameters, on either database."""
    if conn.dialect.name == "sqlite":
        for name in params:
            sql = sql.replace(f"%({name})s", f":{name}")
        params = {k: _sqlite_value(v) for k, v in params.items()}
    return list(conn.exec_driver_sql(sql, params).fetchall())


def _sqlite_value(value: Any) -> Any:
    """A parameter as SQLite holds its column: an instant as the UTC text ``UtcDateTime`` stores (so that
    text comparison is time comparison), a day as ISO text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat() if isinstance(value, date) else value


def instant(value: Any) -> datetime:
    """A time column of a driver row: SQLite gives the stored UTC text, PostgreSQL an aware datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    return value


def recent_service_seconds(
    conn: Connection, site: str, day: date, queue: str, limit: int = 20
) -> list[float]:
    """Durations of the queue's latest services that day, oldest first."""
    rows = conn.execute(_RECENT_SERVICE, {"site": site, "day": day, "queue": queue, "limit": limit})
    return [(r.finished_at - r.started_at).total_seconds() for r in rows][::-1]


def current_at_counter(conn: Connection, site: str, counter: str) -> Ticket | None:
    row = conn.execute(
        select(T)
        .where(T.c.site == site, T.c.counter == counter, T.c.status.in_(("called", "serving")))
        .order_by(T.c.called_at.desc())
        .limit(1)
    ).first()
    return None if row is None else Ticket(**row._mapping)


def parked_at_counter(conn: Connection, site: str, counter: str) -> list[Ticket]:
    """Tickets put on hold at a window, oldest first."""
    rows = conn.execute(
        select(T).where(T.c.site == site, T.c.counter == counter, T.c.status == "parked")
        .order_by(T.c.called_at, T.c.id)
    )
    return [Ticket(**row._mapping) for row in rows]


def by_number(conn: Connection, site: str, day: date, number: str) -> Ticket | None:
    """The ticket printed ``number`` at ``site`` that day (numbers carry their queue's prefix)."""
    row = conn.execute(select(T).where(T.c.site == site, T.c.day == day, T.c.number == number)).first()
    return None if row is None else Ticket(**row._mapping)


def claim(conn: Connection, ticket_id: str, counter: str, now: datetime) -> bool:
    """Move a waiting ticket to ``called`` at a counter; False when another counter took it first."""
    result = conn.execute(
        update(T)
        .where(T.c.id == ticket_id, T.c.status == "waiting")
        .values(status="called", counter=counter, called_at=now)
    )
    return result.rowcount == 1


def set_status(conn: Connection, ticket_id: str, expected: tuple[str, ...], **values: Any) -> bool:
    result = conn.execute(update(T).where(T.c.id == ticket_id, T.c.status.in_(expected)).values(**values))
    return result.rowcount == 1


def day_summary(conn: Connection, site: str, day: date) -> dict[str, dict[str, int]]:
    rows = conn.execute(
        select(T.c.queue, T.c.status, func.count())
        .where(T.c.site == site, T.c.day == day)
        .group_by(T.c.queue, T.c.status)
    )
    summary: dict[str, dict[str, int]] = {}
    for queue, status, count in rows:
        summary.setdefault(queue, {})[status] = count
    return summary


def last_completed_at(conn: Connection, site: str, counter: str, since: datetime) -> Ticket | None:
    """The ticket a counter (window) completed last, if it completed one after ``since``."""
    row = conn.execute(
        select(T)
        .where(T.c.site == site, T.c.counter == counter, T.c.status == "done", T.c.finished_at >= since)
        .order_by(T.c.finished_at.desc())
        .limit(1)
    ).first()
    return None if row is None else Ticket(**row._mapping)
