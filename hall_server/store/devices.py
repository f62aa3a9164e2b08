"""Floor devices (rating pads, window displays): their tokens, kept as digests, and their revocation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from hall_server.store import models as m
from hall_server.store.credentials import new_token, token_digest
from hall_server.store.identities import IdentityError, check_name, site_exists

DeviceKind = Literal["pad", "display"]
DEVICE_KINDS: tuple[DeviceKind, ...] = ("pad", "display")
D = m.devices


@dataclass(frozen=True)
class DemoDevice:
    name: str
    site: str
    kind: DeviceKind
    window: str | None
    token: str


# The demo's rating pad at window 15 and its calling screen device: fixed tokens that the demo prints,
# accepted by a hall started with --demo only.
DEMO_DEVICES = (
    DemoDevice("pad-HQ-15", "HQ", "pad", "15", "demo-pad-token-HQ-15"),
    DemoDevice("display-HQ", "HQ", "display", None, "demo-display-token-HQ"),
)


@dataclass(frozen=True)
class DeviceIdentity:
    """A device a token names: its site, its kind and the window it stands at (None: any of the site)."""

    name: str
    site: str
    kind: DeviceKind
    window: str | None


@dataclass(frozen=True)
class DeviceListing:
    """A device as ``device list`` shows it: never its token."""

    name: str
    site: str
    kind: str
    window: str | None
    created_at: datetime
    revoked_at: datetime | None


def add_device(conn: Connection, name: str, site: str, kind: str, window: str | None, now: datetime,
               token: str | None = None) -> str:
    """Register a device and return its bearer token (only its digest is stored)."""
    check_name(name, "device name")
    if kind not in DEVICE_KINDS:
        raise IdentityError("invalid_device_kind", f"kind must be one of {', '.join(DEVICE_KINDS)}")
    if not site_exists(conn, site):
        raise IdentityError("unknown_site", f"no site {site!r}")
    token = token or new_token()
    try:
        with conn.begin_nested():
            conn.execute(insert(D).values(name=name, site=site, kind=kind, window_number=window,
                                          token_hash=token_digest(token), created_at=now))
    except IntegrityError as exc:
        raise IdentityError("device_exists", f"a device named {name!r} already exists") from exc
    return token


def device_for_token(conn: Connection, token: str) -> DeviceIdentity | None:
    """The device a token belongs to; a revoked device's token answers like a wrong one."""
    row = conn.execute(select(D.c.name, D.c.site, D.c.kind, D.c.window_number)
                       .where(D.c.token_hash == token_digest(token), D.c.revoked_at.is_(None))).first()
    if row is None:
        return None
    return DeviceIdentity(row.name, row.site, cast(DeviceKind, row.kind), row.window_number)


def device_token_is(conn: Connection, name: str, token: str) -> bool:
    """Whether ``token`` is the device's current token (revoked or not)."""
    row = conn.execute(select(D.c.token_hash).where(D.c.name == name)).first()
    return row is not None and row.token_hash == token_digest(token)


def set_device_token(conn: Connection, name: str, token: str) -> None:
    conn.execute(update(D).where(D.c.name == name).values(token_hash=token_digest(token)))


def revoke_device(conn: Connection, name: str, now: datetime) -> None:
    done = conn.execute(update(D).where(D.c.name == name).values(revoked_at=now, token_changed_at=now))
    if done.rowcount == 0:
        raise IdentityError("unknown_device", f"no device named {name!r}")


def rotate_device(conn: Connection, name: str, now: datetime) -> str:
    """A new token for a device (also one that was revoked); the old token stops working."""
    token = new_token()
    done = conn.execute(update(D).where(D.c.name == name)
                        .values(token_hash=token_digest(token), revoked_at=None, token_changed_at=now))
    if done.rowcount == 0:
        raise IdentityError("unknown_device", f"no device named {name!r}")
    return token


def list_devices(conn: Connection) -> list[DeviceListing]:
    columns = (D.c.name, D.c.site, D.c.kind, D.c.window_number, D.c.created_at, D.c.revoked_at)
    rows = conn.execute(select(*columns).order_by(D.c.site, D.c.name))
    return [DeviceListing(r.name, r.site, r.kind, r.window_number, r.created_at, r.revoked_at) for r in rows]


def changed_after(conn: Connection, mark: datetime | None, *, report: bool = True
                  ) -> tuple[list[str], datetime | None]:
    """Devices whose token changed after ``mark`` (None: ever), and the newest change as the next mark;
    with ``report`` false only the mark is found."""
    newest = conn.execute(select(func.max(D.c.token_changed_at))).scalar()
    next_mark = max([at for at in (newest, mark) if at is not None], default=None)
    if not report or (mark is not None and next_mark == mark):  # mostly: nothing changed
        return [], next_mark
    after = D.c.token_changed_at.is_not(None) if mark is None else D.c.token_changed_at > mark
    return list(conn.execute(select(D.c.name).where(after)).scalars()), next_mark
