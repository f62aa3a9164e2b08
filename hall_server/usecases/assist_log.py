"""Video-help calls in the event log: the relay's call ledger reports, this stores (off the event loop)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, cast

from sqlalchemy.exc import SQLAlchemyError

from hall_server.state.hall_state import HallState
from hall_server.store import events

log = logging.getLogger(__name__)


def record_call(hall: HallState, kind: str, site: str, at: datetime, dims: dict[str, Any]) -> None:
    """Store one call transition; a failed write is logged, never raised into the relay."""
    if kind not in events.KINDS:
        log.warning("unknown call event %s ignored", kind)
        return
    try:
        with hall.db.write() as conn:
            events.append(conn, cast(events.EventKind, kind), site, at, **dims)
    except SQLAlchemyError:
        log.warning("call event %s not stored", kind, exc_info=True)
