"""The shape of a creating use case: checks first, then work inside the write transaction it is given.

A creating request (``POST /bookings``, ``/bookings/check-in``, ``/tickets``, ``/reviews``) runs its
``Create`` in the transaction that also remembers its ``Idempotency-Key`` (hall_server/middleware).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

# (HTTP-free) status to answer with and the answer's body.
Created = tuple[int, dict[str, Any]]
Create = Callable[[Connection], Created]
