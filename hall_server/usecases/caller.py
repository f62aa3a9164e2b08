"""Who asks: a kiosk, a signed-in staff member or a floor device (a rating pad), as the use cases see them."""

from __future__ import annotations

from dataclasses import dataclass

from hall_server.store.devices import DeviceIdentity
from hall_server.store.identities import KioskIdentity, StaffIdentity
from hall_server.usecases.refusal import Refusal


@dataclass(frozen=True)
class Caller:
    kiosk: KioskIdentity | None = None
    staff: StaffIdentity | None = None
    device: DeviceIdentity | None = None

    @property
    def scope(self) -> str:
        """The namespace of this caller's idempotency keys."""
        if self.kiosk is not None:
            return f"kiosk:{self.kiosk.name}"
        if self.device is not None:
            return f"device:{self.device.name}"
        assert self.staff is not None
        return f"staff:{self.staff.username}"

    @property
    def site(self) -> str | None:
        return self.kiosk.site if self.kiosk is not None else None

    @property
    def is_admin(self) -> bool:
        return self.staff is not None and self.staff.role == "admin"

    @classmethod
    def authorized(cls, known: KioskIdentity | StaffIdentity | DeviceIdentity | None, roles: frozenset[str],
                   kiosk: bool, device: str | None = None) -> Caller:
        """The caller a token names, if it may use a route open to ``roles`` (and kiosks when ``kiosk``,
        devices of kind ``device``); Refusal ``unauthorized`` for an unknown or expired token, ``forbidden``
        for anyone else."""
        if isinstance(known, DeviceIdentity):
            if device is None or known.kind != device:
                raise Refusal("forbidden", f"a {known.kind} device may not use this endpoint")
            return cls(device=known)
        if isinstance(known, KioskIdentity):
            if not kiosk:
                raise Refusal("forbidden", "kiosks may not use this endpoint")
            return cls(kiosk=known)
        if known is None:
            raise Refusal("unauthorized", "the token is unknown or has expired")
        if known.role not in roles:
            raise Refusal("forbidden", f"role {known.role!r} may not use this endpoint")
        return cls(staff=known)

    def site_of_request(self, requested: str | None) -> str:
        """The site a request acts on: a kiosk's own (it may name no other), or the one staff name."""
        if self.kiosk is not None:
            if requested is not None and requested != self.kiosk.site:
                raise Refusal("forbidden", "a kiosk issues tickets of its own site only")
            return self.kiosk.site
        if requested is None:
            raise Refusal("site_required", "staff name the site")
        return requested
