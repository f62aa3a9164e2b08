"""Each kiosk's budget of distinct identities per clock hour (site rule ``identities_per_kiosk_hour``):
every request of a kiosk that names an ID number counts it, refused or not; past it, ``kiosk_quota``."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from citizen_id.masking import mask_id_number
from hall_server.state.hall_state import HallState
from hall_server.store import presence
from hall_server.usecases.caller import Caller
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import site_profile

log = logging.getLogger(__name__)
QUOTA_FLAG = "identity_quota"
_DEFAULT_BUDGET = 30


def _hour_of(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _budget(site: str) -> int:
    try:
        return site_profile(site).settings.identities_per_kiosk_hour
    except KeyError:
        return _DEFAULT_BUDGET


def count_identity(hall: HallState, caller: Caller, id_number: str) -> None:
    """Count ``id_number`` toward the calling kiosk's budget (staff have none); Refusal ``kiosk_quota``
    with ``retry_after_s`` once the kiosk has asked about its budget's worth of others this hour."""
    kiosk = caller.kiosk
    if kiosk is None:
        return
    now = hall.now()
    hour = _hour_of(now)
    digest = hall.identity.digest("ask", id_number.strip().upper())
    budget = _budget(kiosk.site)
    try:
        with hall.db.write() as conn:
            if presence.asked_before(conn, kiosk.name, hour, digest):
                return
            spent = presence.asked_count(conn, kiosk.name, hour) >= budget
            first = False
            if spent:
                before = presence.raise_flag(conn, kiosk.name, QUOTA_FLAG, now)
                first = before is None or before < hour
            else:
                presence.add_ask(conn, kiosk.name, hour, digest)
    except IntegrityError:
        return  # the same identity counted by a concurrent request of this kiosk
    if spent:
        retry_after = max(1, math.ceil((hour + timedelta(hours=1) - now).total_seconds()))
        if first:  # once per kiosk and hour: the refusals that follow add nothing for a technician
            log.warning("kiosk %s (site %s) spent its budget of %d identities this hour; refused id=%s",
                        kiosk.name, kiosk.site, budget, mask_id_number(id_number.strip()))
        raise Refusal("kiosk_quota", "this kiosk has asked about too many people this hour",
                      extra={"retry_after_s": retry_after})


def forget_old_identity_data(hall: HallState) -> int:
    """Drop the counts of hours before the current one (a restart within the hour keeps its count) and
    challenges expired a day ago; returns how many rows went."""
    now = hall.now()
    with hall.db.write() as conn:
        return (presence.forget_asks_before(conn, _hour_of(now))
                + presence.forget_challenges_before(conn, now - timedelta(days=1)))
