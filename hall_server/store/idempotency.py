"""Stored first results of creating requests, keyed by caller and ``Idempotency-Key``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from hall_server.store import models as m


@dataclass(frozen=True)
class StoredResult:
    request_hash: str
    status_code: int
    body: str


_FIND = ("SELECT request_hash, status_code, body FROM idempotency_keys "
         "WHERE scope = %(scope)s AND key = %(key)s")


def find(conn: Connection, scope: str, key: str) -> StoredResult | None:
    """The first result under ``key``, if any (each kiosk ticket carries a key). On PostgreSQL written
    for the driver, as ticket issue's statements. Against the look-up sent with the BEGIN in psycopg's
    pipeline mode (which reached past SQLAlchemy to the driver's connection), runs taken in turn: through
    SQLAlchemy's compiled statement a keyed ticket cost more hall CPU (2.53-2.92 against 2.42-2.77 ms),
    written for the driver the same (2.12-2.28 against 2.02-2.66 ms)."""
    if conn.dialect.name == "postgresql":
        row = conn.exec_driver_sql(_FIND, {"scope": scope, "key": key}).first()
        return StoredResult(*row) if row else None
    t = m.idempotency_keys
    row = conn.execute(select(t.c.request_hash, t.c.status_code, t.c.body)
                       .where(t.c.scope == scope, t.c.key == key)).first()
    return None if row is None else StoredResult(row.request_hash, row.status_code, row.body)


# ``status_code`` of a key recorded by its creation's own statement whose answer is not stored yet; its
# ``body`` is then the id of what was made (``hold``).
PENDING = 0
_HELD = "hall_idempotency_held"


@dataclass
class Held:
    """A key to be recorded by the one statement that creates (``hold``)."""

    scope: str
    key: str
    request_hash: str
    at: datetime
    recorded: bool = False


def hold(conn: Connection, scope: str, key: str, request_hash: str, now: datetime) -> None:
    """Have the creating statement about to run on ``conn`` record ``key`` as it creates (PostgreSQL, in
    ``Database.write_one``): the key and the thing made are then committed together by that statement,
    the answer stored after it (``answer_many``). The statement takes it with ``held``."""
    conn.info[_HELD] = Held(scope, key, request_hash, now)


def held(conn: Connection) -> Held | None:
    """The key the creating statement must record, marked recorded as it is taken; None without one."""
    found: Held | None = conn.info.get(_HELD)
    if found is not None:
        found.recorded = True
    return found


def release(conn: Connection) -> Held | None:
    """Forget the key held on ``conn`` (its connection goes back to the pool); what ``hold`` put there."""
    found: Held | None = conn.info.pop(_HELD, None)
    return found


def held_columns(prefix: str) -> tuple[str, str]:
    """The column list and the VALUES of a key's pending record, for the creating statement that writes
    it; its parameters, named with ``prefix``, come from ``held_params``."""
    columns = "scope, key, request_hash, status_code, body, created_at"
    values = (f"%({prefix}scope)s, %({prefix}key)s, %({prefix}hash)s, {PENDING}, %({prefix}made)s, "
              f"%({prefix}at)s")
    return columns, values


def held_params(found: Held, prefix: str, made_id: str) -> dict[str, object]:
    """The parameters of ``held_columns``' VALUES: the key, and ``made_id`` (the id of what is made)."""
    return {f"{prefix}scope": found.scope, f"{prefix}key": found.key, f"{prefix}hash": found.request_hash,
            f"{prefix}made": made_id, f"{prefix}at": found.at}


# Stores the answers of pending keys, many at once (``state.pending_answers``) or one (a request whose work
# runs off the event loop): one statement, one commit.
# The arrays go in binary (``%(...)b``): psycopg quotes each JSON body of an array sent as text with
# regular expressions, 70 µs a body, a hundred times the binary form's cost.
_ANSWER_MANY = ("UPDATE idempotency_keys AS k SET status_code = a.status, body = a.body "
                "FROM unnest(%(scopes)b::varchar[], %(keys)b::varchar[], %(statuses)b::int[], "
                "%(bodies)b::text[]) AS a(scope, key, status, body) "
                "WHERE k.scope = a.scope AND k.key = a.key AND k.status_code = " + str(PENDING))


def answer_many(conn: Connection, answers: list[tuple[str, str, int, str]]) -> None:
    """Store the answers (scope, key, status, body) of keys recorded pending by their creating statements
    (PostgreSQL), in one statement."""
    if not answers:
        return
    scopes, keys, statuses, bodies = (list(column) for column in zip(*answers, strict=True))
    conn.exec_driver_sql(_ANSWER_MANY,
                         {"scopes": scopes, "keys": keys, "statuses": statuses, "bodies": bodies})


def remember(conn: Connection, scope: str, key: str, request_hash: str, status_code: int, body: str,
             now: datetime) -> None:
    conn.execute(insert(m.idempotency_keys).values(scope=scope, key=key, request_hash=request_hash,
                                                   status_code=status_code, body=body, created_at=now))


def forget_before(conn: Connection, cutoff: datetime) -> int:
    result = conn.execute(delete(m.idempotency_keys).where(m.idempotency_keys.c.created_at < cutoff))
    return result.rowcount or 0
