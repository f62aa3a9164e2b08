"""Work handed to ``after_commit`` runs once the write transaction has committed, never after a rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hall_server.store import models as m
from hall_server.store.database import Database, after_commit

from .conftest import DEFAULT_NOW

pytestmark = pytest.mark.db


def test_runs_after_the_commit_and_sees_the_committed_row(database: Database) -> None:
    seen: list[int] = []

    def count_sites() -> None:
        with database.read() as conn:
            seen.append(conn.execute(select(func.count()).select_from(m.sites)).scalar_one())

    with database.write() as conn:
        conn.execute(m.sites.insert().values(code="X1", name="x", timezone="Asia/Shanghai",
                                             created_at=DEFAULT_NOW))
        after_commit(conn, count_sites)
        assert seen == []
    assert seen == [1]


def test_never_runs_after_a_rollback_nor_in_the_next_transaction(database: Database) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError, match="refused"), database.write() as conn:
        after_commit(conn, lambda: ran.append("rolled back"))
        raise RuntimeError("refused")
    with database.write() as conn:
        after_commit(conn, lambda: ran.append("committed"))
    with database.write():
        pass
    assert ran == ["committed"]


def test_outside_a_write_transaction_is_a_mistake(database: Database) -> None:
    with database.read() as conn, pytest.raises(RuntimeError, match="outside"):
        after_commit(conn, lambda: None)
