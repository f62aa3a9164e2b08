"""Median time of a failed sign-in for a known and for an unknown username (they should match).

Run: ``python bench/login_timing.py`` (not a test: timings vary with the machine).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hall_server.store import identities, schema
from hall_server.store.database import Database

ROUNDS = 30


def main() -> None:
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        schema.upgrade(db)
        with db.write() as conn:
            identities.add_staff(conn, "clerk", "counter", "the-right-password", now)
        medians = {}
        for username in ("clerk", "nobody"):
            times = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                with db.write() as conn:
                    session = identities.login(conn, username, "a-wrong-password", now, timedelta(hours=1))
                assert session is None
                times.append(time.perf_counter() - started)
            medians[username] = statistics.median(times)
        db.dispose()
    for username, median in medians.items():
        print(f"{'known' if username == 'clerk' else 'unknown'} username: median {median * 1000:.1f} ms")
    print(f"ratio: {medians['nobody'] / medians['clerk']:.2f}")


if __name__ == "__main__":
    main()
