"""What a hall makes as it starts, so that its first requests do not wait for it: the catalogue with the
day's overrides, and (``hall-server serve``, PostgreSQL) its database connections."""

from __future__ import annotations

from pathlib import Path

import pytest

from hall_server.app import create_app
from hall_server.clock import SettableClock
from hall_server.store.database import POOL_HEADROOM, Database

from .conftest import Hall, ServerThread, make_settings

pytestmark = pytest.mark.db


def test_the_catalogue_is_made_before_the_first_request(hall: Hall) -> None:
    assert hall.app.state.hall.overrides.ready
    # And it is the one the requests use: a service's name, answered from it.
    reply = hall.kiosk().get("/services/SB-001")
    assert reply.status_code == 200 and reply.json()["code"] == "SB-001"


def _connections(database: Database) -> int:
    """The connections open to the hall's database (this count's own among them: one of the pool's)."""
    with database.read() as conn:
        return int(conn.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()").scalar_one())


@pytest.mark.parametrize("fill", [True, False])
def test_serve_opens_the_database_connections_before_the_first_request(
    database: Database, clock: SettableClock, tmp_path: Path, fill: bool
) -> None:
    if database.is_sqlite:
        pytest.skip("a SQLite connection is a file opened, with no handshake to make ahead")
    size = 10  # the test database's pool (conftest)
    app = create_app(make_settings(database.url, tmp_path), clock=clock, db=database, fill_pools=fill)
    with ServerThread(app):
        opened = _connections(database)
    if fill:
        # The loop's pool (the writes), as many as may run at once, and a few of the blocking one's.
        assert opened >= size + POOL_HEADROOM
    else:
        assert opened < size
