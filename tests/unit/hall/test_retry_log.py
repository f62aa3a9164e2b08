"""A background loop's failures, logged once per outage: real errors from real databases."""

from __future__ import annotations

import logging
import socket

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from hall_server.state.retry_log import RetryLog, database_side

log = logging.getLogger("retry-log-test")


def refused_connection() -> SQLAlchemyError:
    """What psycopg raises through SQLAlchemy for a PostgreSQL that is not there (a port nothing holds)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = create_engine(f"postgresql+psycopg://hall:hall@127.0.0.1:{port}/hall",
                           connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("a connection to a closed port succeeded")


def statement_error() -> SQLAlchemyError:
    """A statement the database refuses (a unique row twice): the statement's fault, not the database's."""
    engine = create_engine("sqlite://")
    try:
        with engine.connect() as conn:
            conn.execute(text("CREATE TABLE t (k INTEGER PRIMARY KEY)"))
            conn.execute(text("INSERT INTO t VALUES (1), (1)"))
    except SQLAlchemyError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("a broken statement ran")


def test_an_outage_is_one_line_then_silence_then_one_line_when_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    retries = RetryLog(log, "the access check")
    with caplog.at_level(logging.INFO, logger=log.name):
        retries.succeeded()  # nothing to say while it works
        for _ in range(5):
            retries.failed(refused_connection())
        retries.succeeded()
        retries.succeeded()
    first, last = caplog.records
    assert first.getMessage().startswith("the access check failed (OperationalError: connection")
    assert first.getMessage().endswith("; retrying")
    assert first.exc_info is None and "Traceback" not in caplog.text
    assert last.getMessage().startswith("the access check works again after ")
    assert last.getMessage().endswith(" s and 5 failed attempts")


def test_a_fault_of_the_statement_keeps_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    error = statement_error()
    assert not database_side(error)
    assert database_side(refused_connection())
    retries = RetryLog(log, "the sweep")
    with caplog.at_level(logging.INFO, logger=log.name):
        retries.failed(error)
        retries.failed(error)
    (record,) = caplog.records
    assert record.getMessage() == "the sweep failed; retrying"
    assert record.exc_info is not None and record.exc_info[1] is error


def test_a_second_outage_is_told_again(caplog: pytest.LogCaptureFixture) -> None:
    retries = RetryLog(log, "the access check")
    with caplog.at_level(logging.INFO, logger=log.name):
        for _ in range(2):
            retries.failed(refused_connection())
            retries.succeeded()
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 4
    assert [m.split(" (")[0].split(" after")[0] for m in messages] == [
        "the access check failed", "the access check works again",
        "the access check failed", "the access check works again"]
    assert messages[1].endswith(" 1 failed attempts")
