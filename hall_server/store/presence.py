"""One-time-code challenges, the identities each kiosk asked about per hour, and kiosk flags."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, delete, func, insert, select, update

from hall_server.store import models as m


class ChallengeRow(NamedTuple):
    id: str
    kiosk: str
    person_digest: str
    code_digest: str
    viable: bool
    attempts: int
    expires_at: datetime
    used_at: datetime | None


def add_challenge(conn: Connection, *, id: str, kiosk: str, person_digest: str, code_digest: str,
                  viable: bool, now: datetime, expires_at: datetime) -> None:
    conn.execute(insert(m.identity_challenges).values(
        id=id, kiosk=kiosk, person_digest=person_digest, code_digest=code_digest, viable=int(viable),
        attempts=0, created_at=now, expires_at=expires_at))


def challenge(conn: Connection, challenge_id: str) -> ChallengeRow | None:
    t = m.identity_challenges
    query = select(t.c.id, t.c.kiosk, t.c.person_digest, t.c.code_digest, t.c.viable, t.c.attempts,
                   t.c.expires_at, t.c.used_at).where(t.c.id == challenge_id)
    row = conn.execute(query).first()
    return ChallengeRow(row[0], row[1], row[2], row[3], bool(row[4]), *row[5:]) if row else None


def count_attempt(conn: Connection, challenge_id: str) -> None:
    t = m.identity_challenges
    conn.execute(update(t).where(t.c.id == challenge_id).values(attempts=t.c.attempts + 1))


def use_challenge(conn: Connection, challenge_id: str, now: datetime) -> bool:
    """Mark a challenge used; False when another request used it first."""
    t = m.identity_challenges
    done = conn.execute(update(t).where(t.c.id == challenge_id, t.c.used_at.is_(None)).values(used_at=now))
    return done.rowcount == 1


def forget_challenges_before(conn: Connection, cutoff: datetime) -> int:
    t = m.identity_challenges
    return conn.execute(delete(t).where(t.c.expires_at < cutoff)).rowcount


def asked_before(conn: Connection, kiosk: str, hour: datetime, person_digest: str) -> bool:
    t = m.identity_asks
    query = select(t.c.kiosk).where(t.c.kiosk == kiosk, t.c.hour == hour, t.c.person_digest == person_digest)
    return conn.execute(query).first() is not None


def asked_count(conn: Connection, kiosk: str, hour: datetime) -> int:
    t = m.identity_asks
    return int(conn.execute(select(func.count()).where(t.c.kiosk == kiosk, t.c.hour == hour)).scalar_one())


def add_ask(conn: Connection, kiosk: str, hour: datetime, person_digest: str) -> None:
    conn.execute(insert(m.identity_asks).values(kiosk=kiosk, hour=hour, person_digest=person_digest))


def forget_asks_before(conn: Connection, cutoff: datetime) -> int:
    t = m.identity_asks
    return conn.execute(delete(t).where(t.c.hour < cutoff)).rowcount


def raise_flag(conn: Connection, kiosk: str, flag: str, now: datetime) -> datetime | None:
    """Raise (or raise again) a kiosk's flag; answers when it was raised before, if ever."""
    t = m.kiosk_flags
    before = conn.execute(select(t.c.raised_at).where(t.c.kiosk == kiosk, t.c.flag == flag)).scalar()
    raised = conn.execute(update(t).where(t.c.kiosk == kiosk, t.c.flag == flag).values(raised_at=now))
    if raised.rowcount == 0:
        conn.execute(insert(t).values(kiosk=kiosk, flag=flag, raised_at=now))
    return before


def flags(conn: Connection, since: datetime) -> dict[str, list[tuple[str, datetime]]]:
    """Each kiosk's flags raised at or after ``since``, newest first."""
    t = m.kiosk_flags
    found: dict[str, list[tuple[str, datetime]]] = {}
    query = select(t.c.kiosk, t.c.flag, t.c.raised_at).where(t.c.raised_at >= since)
    for kiosk, flag, at in conn.execute(query.order_by(t.c.raised_at.desc())):
        found.setdefault(kiosk, []).append((flag, at))
    return found
