"""How long bookings keep personal data: erased days after the slot (site rule) and at once on cancel."""

from __future__ import annotations

from datetime import timedelta

from hall_server.domain.sites import SiteSettings
from hall_server.state.hall_state import HallState
from hall_server.store import retention
from hall_server.usecases.sites import site_profile

SWEEP_WHY = "retention"


def _settings(site: str) -> SiteSettings:
    try:
        return site_profile(site).settings
    except KeyError:  # a site no longer packaged keeps the default period
        return SiteSettings()


def erase_expired(hall: HallState) -> int:
    """Erase every booking past its site's retention period; returns how many were erased."""
    now = hall.now()
    erased = 0
    with hall.db.write() as conn:
        for site in retention.sites_with_personal_data(conn):
            rules = _settings(site)
            keep = timedelta(days=rules.booking_personal_data_days)
            cutoff = now - keep
            retention.mark_unused_as_missed(conn, site, cutoff)
            no_show_cutoff = now - max(keep, timedelta(days=rules.no_show_window_days))
            while due := retention.due_for_erasure(conn, site, cutoff, no_show_cutoff):
                for booking_id in due:
                    erased += retention.erase_booking(conn, booking_id, now, SWEEP_WHY)
    return erased
