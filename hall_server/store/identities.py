"""Sites, kiosks and staff accounts with their sessions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from hall_server.store import models as m
from hall_server.store.credentials import (
    dummy_password_hash,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)

ROLES = ("counter", "agent", "technician", "manager", "admin")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class IdentityError(ValueError):
    """A name, role or account that cannot be created; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class KioskIdentity:
    name: str
    site: str


@dataclass(frozen=True)
class StaffIdentity:
    username: str
    role: str
    display_name: str


@dataclass(frozen=True)
class StaffSession:
    token: str
    identity: StaffIdentity
    expires_at: datetime


def check_name(value: str, what: str) -> str:
    if not _NAME.match(value):
        raise IdentityError("invalid_name", f"{what} must be 1-64 letters, digits, '.', '_' or '-'")
    return value


def ensure_site(conn: Connection, code: str, name: str, timezone: str, now: datetime) -> None:
    if conn.execute(select(m.sites.c.code).where(m.sites.c.code == code)).first() is None:
        conn.execute(insert(m.sites).values(code=code, name=name, timezone=timezone, created_at=now))


def site_exists(conn: Connection, code: str) -> bool:
    return conn.execute(select(m.sites.c.code).where(m.sites.c.code == code)).first() is not None


def site_timezone(conn: Connection, code: str) -> str | None:
    row = conn.execute(select(m.sites.c.timezone).where(m.sites.c.code == code)).first()
    return None if row is None else str(row[0])


def add_kiosk(conn: Connection, name: str, site: str, now: datetime, token: str | None = None) -> str:
    """Register a kiosk and return its bearer token (only its digest is stored)."""
    check_name(name, "kiosk name")
    if not site_exists(conn, site):
        raise IdentityError("unknown_site", f"no site {site!r}")
    token = token or new_token()
    try:
        with conn.begin_nested():
            conn.execute(insert(m.kiosks).values(name=name, site=site, token_hash=token_digest(token),
                                                 created_at=now))
    except IntegrityError as exc:
        raise IdentityError("kiosk_exists", f"a kiosk named {name!r} already exists") from exc
    return token


def kiosk_exists(conn: Connection, name: str) -> bool:
    return conn.execute(select(m.kiosks.c.name).where(m.kiosks.c.name == name)).first() is not None


def kiosk_for_token(conn: Connection, token: str) -> KioskIdentity | None:
    """The kiosk a token belongs to; a revoked kiosk's token answers like a wrong one."""
    row = conn.execute(select(m.kiosks.c.name, m.kiosks.c.site)
                       .where(m.kiosks.c.token_hash == token_digest(token),
                              m.kiosks.c.revoked_at.is_(None))).first()
    return None if row is None else KioskIdentity(name=row.name, site=row.site)


def add_staff(conn: Connection, username: str, role: str, password: str, now: datetime,
              display_name: str | None = None, *, password_hash: str | None = None) -> None:
    """Add a staff account; ``password_hash``, when given, is ``password``'s hash made before (the demo's
    accounts share one hash of the published demo password instead of paying scrypt for each)."""
    check_name(username, "username")
    if role not in ROLES:
        raise IdentityError("invalid_role", f"role must be one of {', '.join(ROLES)}")
    if display_name is not None and not 1 <= len(display_name.strip()) <= 100:
        raise IdentityError("invalid_name", "the display name must be 1-100 characters")
    if len(password) < 8:
        raise IdentityError("weak_password", "the password needs at least 8 characters")
    try:
        with conn.begin_nested():
            conn.execute(insert(m.staff).values(username=username, role=role,
                                                display_name=display_name or username,
                                                password_hash=password_hash or hash_password(password),
                                                created_at=now))
    except IntegrityError as exc:
        raise IdentityError("staff_exists", f"a staff account {username!r} already exists") from exc


def staff_exists(conn: Connection, username: str) -> bool:
    return conn.execute(select(m.staff.c.username).where(m.staff.c.username == username)).first() is not None


def login(conn: Connection, username: str, password: str, now: datetime,
          ttl: timedelta) -> StaffSession | None:
    row = conn.execute(select(m.staff).where(m.staff.c.username == username)).first()
    # An unknown or disabled account costs the same scrypt as a known one: the answer's timing must not
    # tell which usernames exist.
    stored = dummy_password_hash() if row is None else row.password_hash
    if not verify_password(password, stored) or row is None or row.disabled_at is not None:
        return None
    token = new_token()
    expires = now + ttl
    conn.execute(delete(m.staff_sessions).where(m.staff_sessions.c.expires_at < now))
    conn.execute(insert(m.staff_sessions).values(token_hash=token_digest(token), username=username,
                                                 created_at=now, expires_at=expires))
    return StaffSession(token=token, expires_at=expires,
                        identity=StaffIdentity(username=row.username, role=row.role,
                                               display_name=row.display_name))


def logout(conn: Connection, token: str) -> None:
    conn.execute(delete(m.staff_sessions).where(m.staff_sessions.c.token_hash == token_digest(token)))


def staff_session(conn: Connection, token: str, now: datetime) -> tuple[StaffIdentity, datetime] | None:
    """The staff member a session token belongs to and when the session ends, if it is still valid."""
    row = conn.execute(
        select(m.staff.c.username, m.staff.c.role, m.staff.c.display_name, m.staff_sessions.c.expires_at)
        .join(m.staff_sessions, m.staff_sessions.c.username == m.staff.c.username)
        .where(m.staff_sessions.c.token_hash == token_digest(token), m.staff_sessions.c.expires_at > now,
               m.staff.c.disabled_at.is_(None))
    ).first()
    if row is None:
        return None
    return StaffIdentity(row.username, row.role, row.display_name), row.expires_at


def record_heartbeat(conn: Connection, kiosk: str, now: datetime, app_version: str, uptime_s: int,
                     devices: Mapping[str, object], screen: str | None) -> None:
    conn.execute(update(m.kiosks).where(m.kiosks.c.name == kiosk).values(
        last_seen=now, app_version=app_version, uptime_s=uptime_s, devices=devices, screen=screen))
