"""Revoking, rotating and listing kiosk tokens; disabling staff accounts and changing their passwords."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, select, update

from hall_server.store import models as m
from hall_server.store.credentials import hash_password, new_token, token_digest
from hall_server.store.identities import IdentityError


@dataclass(frozen=True)
class KioskListing:
    """A kiosk as ``kiosk list`` shows it: never its token."""

    name: str
    site: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class AccessChanges:
    """Kiosks and staff accounts whose access changed after some instant (their sockets must close)."""

    kiosks: list[str]
    staff: list[str]
    mark: datetime | None


def revoke_kiosk(conn: Connection, name: str, now: datetime) -> None:
    done = conn.execute(update(m.kiosks).where(m.kiosks.c.name == name)
                        .values(revoked_at=now, token_changed_at=now))
    if done.rowcount == 0:
        raise IdentityError("unknown_kiosk", f"no kiosk named {name!r}")


def rotate_kiosk(conn: Connection, name: str, now: datetime) -> str:
    """A new token for a kiosk (also one that was revoked); the old token stops working."""
    token = new_token()
    done = conn.execute(update(m.kiosks).where(m.kiosks.c.name == name)
                        .values(token_hash=token_digest(token), revoked_at=None, token_changed_at=now))
    if done.rowcount == 0:
        raise IdentityError("unknown_kiosk", f"no kiosk named {name!r}")
    return token


def list_kiosks(conn: Connection) -> list[KioskListing]:
    t = m.kiosks
    rows = conn.execute(select(t.c.name, t.c.site, t.c.created_at, t.c.last_used_at, t.c.revoked_at)
                        .order_by(t.c.site, t.c.name))
    return [KioskListing(**row._mapping) for row in rows]


def mark_kiosks_used(conn: Connection, used: Iterable[tuple[str, datetime]]) -> None:
    for name, at in used:
        conn.execute(update(m.kiosks).where(m.kiosks.c.name == name).values(last_used_at=at))


def _staff_change(conn: Connection, username: str, **values: object) -> None:
    done = conn.execute(update(m.staff).where(m.staff.c.username == username).values(**values))
    if done.rowcount == 0:
        raise IdentityError("unknown_staff", f"no staff account {username!r}")


def disable_staff(conn: Connection, username: str, now: datetime) -> None:
    """Disable an account: it cannot sign in, and its sessions end."""
    _staff_change(conn, username, disabled_at=now, credentials_changed_at=now)
    conn.execute(delete(m.staff_sessions).where(m.staff_sessions.c.username == username))


def enable_staff(conn: Connection, username: str, now: datetime) -> None:
    _staff_change(conn, username, disabled_at=None, credentials_changed_at=now)


def set_password(conn: Connection, username: str, password: str, now: datetime) -> None:
    """A new password; every session of the account ends."""
    if len(password) < 8:
        raise IdentityError("weak_password", "the password needs at least 8 characters")
    _staff_change(conn, username, password_hash=hash_password(password), credentials_changed_at=now)
    conn.execute(delete(m.staff_sessions).where(m.staff_sessions.c.username == username))


def changes_after(conn: Connection, mark: datetime | None, *, report: bool = True) -> AccessChanges:
    """Kiosks and accounts changed after ``mark`` (None: ever), with the newest change as the next mark.

    With ``report`` false only the mark is found. The mark is a stored instant, not the hall's clock:
    commands write with the wall clock, and a test hall may run on another.
    """
    k, s = m.kiosks, m.staff
    # Both newest changes in one statement: this runs several times a second on every node, and mostly
    # nothing has changed, which then needs no more statements.
    newest = list(conn.execute(select(select(func.max(k.c.token_changed_at)).scalar_subquery(),
                                      select(func.max(s.c.credentials_changed_at)).scalar_subquery())).one())
    new_mark = max([at for at in newest if at is not None] + ([mark] if mark else []), default=None)
    if not report or (mark is not None and new_mark == mark):
        return AccessChanges(kiosks=[], staff=[], mark=new_mark)
    k_after = k.c.token_changed_at.is_not(None) if mark is None else k.c.token_changed_at > mark
    s_after = s.c.credentials_changed_at.is_not(None) if mark is None else s.c.credentials_changed_at > mark
    kiosks = conn.execute(select(k.c.name).where(k_after)).scalars()
    staff = conn.execute(select(s.c.username).where(s_after)).scalars()
    return AccessChanges(kiosks=list(kiosks), staff=list(staff), mark=new_mark)


@dataclass(frozen=True)
class StaffListing:
    """A staff account as the administration lists it: never its password hash."""

    username: str
    role: str
    display_name: str
    created_at: datetime
    disabled_at: datetime | None


def list_staff(conn: Connection) -> list[StaffListing]:
    s = m.staff
    rows = conn.execute(select(s.c.username, s.c.role, s.c.display_name, s.c.created_at, s.c.disabled_at)
                        .order_by(s.c.username))
    return [StaffListing(**row._mapping) for row in rows]


def staff_role(conn: Connection, username: str) -> str | None:
    return conn.execute(select(m.staff.c.role).where(m.staff.c.username == username)).scalar()


def admins_enabled(conn: Connection) -> int:
    s = m.staff
    return int(conn.execute(select(func.count()).where(s.c.role == "admin", s.c.disabled_at.is_(None)))
               .scalar() or 0)


def set_role(conn: Connection, username: str, role: str, now: datetime) -> None:
    """A new role; the account's sessions end, so that the next sign-in carries it."""
    _staff_change(conn, username, role=role, credentials_changed_at=now)
    conn.execute(delete(m.staff_sessions).where(m.staff_sessions.c.username == username))
