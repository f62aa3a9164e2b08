"""Fixtures every layer of the suite shares."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx._transports.default as httpx_transports
import hypothesis
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _one_default_tls_context() -> None:
    """Every default-verifying httpx client of the suite shares one TLS context.

    httpx reads the whole CA bundle again for each client it makes (80 ms of CPU each, measured), and
    the suite makes thousands of short-lived clients against loopback halls (the authorisation matrix
    alone some 1,800): that was most of the CPU of the slowest hall tests. httpx's own advice is to pass
    one context; clients given ``verify=`` (the TLS tests' own CA) are left as they are.
    """
    made = httpx_transports.create_ssl_context

    @functools.cache
    def default(_bundle: tuple[str | None, str | None]) -> ssl.SSLContext:  # one per CA bundle named
        return made(verify=True)

    def create_ssl_context(verify: ssl.SSLContext | str | bool = True, cert: object = None,
                           trust_env: bool = True) -> ssl.SSLContext:
        if verify is True and cert is None and trust_env:
            return default((os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")))
        return made(verify=verify, cert=cert, trust_env=trust_env)  # type: ignore[arg-type]

    httpx_transports.create_ssl_context = create_ssl_context


_one_default_tls_context()

# Hypothesis fails an example that takes over 200 ms by default: a timed assertion, which a test run sharing
# two cores with the others' (and a kiosk drawing in software) breaks now and then. How fast the parsers
# are is measured by bench/, as every speed is.
hypothesis.settings.register_profile("suite", deadline=None)
hypothesis.settings.load_profile("suite")


class _Xvfb:
    """A private virtual display."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *, own: bool = False) -> None:
        """Start one unless the test command gave a display (``own``: even then)."""
        if os.environ.get("DISPLAY") and not own:
            return
        xvfb = shutil.which("Xvfb")
        if xvfb is None:
            raise RuntimeError("UI tests need a display: run them under xvfb-run or install Xvfb")
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(
            [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as reader:
            number = reader.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not report a display number")
        os.environ["DISPLAY"] = f":{number}"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


_worker_display = _Xvfb()


def pytest_configure(config: pytest.Config) -> None:
    """A pytest-xdist worker's own display and A4 queue.

    The kiosk's run goes on two workers (``scripts/test``), each with a kiosk window of the panel's full
    size: on one shared screen the two windows would lie over each other, and a screenshot would read
    what the other drew. Each worker's A4 prints go to a cups-pdf queue of its own, since a test pauses
    its queue to see the kiosk say so (``TEST_A4_QUEUE``; ``kiosk-a4`` outside workers).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    os.environ["TEST_A4_QUEUE"] = f"kiosk-a4-{worker}" if worker else "kiosk-a4"
    if worker and os.environ.get("DISPLAY") and shutil.which("Xvfb"):
        _worker_display.start(own=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    _worker_display.stop()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cpu-report", metavar="DIR", default=None,
        help="write each test's wall time and CPU (this process's and its waited-for children's) to "
             "DIR/cpu-<pid>.json: the suite's runs share the machine's cores, so CPU, not wall time, "
             "says what a test costs the others",
    )


_cpu_rows: list[tuple[str, float, float, float]] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    if item.config.getoption("--cpu-report") is None:
        yield
        return
    before, started = os.times(), time.perf_counter()
    yield
    after = os.times()
    _cpu_rows.append((item.nodeid, time.perf_counter() - started,
                      after.user + after.system - before.user - before.system,
                      after.children_user + after.children_system
                      - before.children_user - before.children_system))


def pytest_sessionfinish(session: pytest.Session) -> None:
    folder = session.config.getoption("--cpu-report")
    if folder is None or not _cpu_rows:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"args": session.config.invocation_params.args, "tests": [
        {"test": name, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "children_cpu_s": round(children, 3)}
        for name, wall, cpu, children in _cpu_rows]}
    (Path(folder) / f"cpu-{os.getpid()}.json").write_text(json.dumps(report, indent=1), "utf-8")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave screenshots and rendered tickets for a person to look at."""
    path = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    """An X display (the test command's, or a private Xvfb) for anything that opens a window."""
    xvfb = _Xvfb()
    xvfb.start()
    try:
        yield os.environ["DISPLAY"]
    finally:
        xvfb.stop()


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A hall database at the newest schema revision, migrated once a test process.

    A test's migrated database is a copy of it (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on
    PostgreSQL) rather than every migration run again: 0.1-0.3 s of CPU a test, measured, on a suite
    whose runs share two cores. The migrations themselves are tested from an empty database
    (``db_url``: the migration and ``db upgrade`` tests).
    """
    from hall_server.store import schema
    from hall_server.store.database import Database
    from hall_server.store.scratch_database import scratch_database

    def migrate(url: str) -> None:
        db = Database(url, pool_size=1)
        try:
            schema.upgrade(db)
        finally:
            db.dispose()

    shared = os.environ.get("HALL_TEST_DB_URL")
    if not shared:
        url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'hall.sqlite3'}"
        migrate(url)
        yield url
        return
    with scratch_database(shared, tag="template_") as url:
        migrate(url)
        yield url


@pytest.fixture
def migrated_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database of the test's own at the newest schema revision (a copy of ``schema_template``)."""
    from sqlalchemy.engine import make_url

    from hall_server.store.scratch_database import scratch_database

    template = make_url(request.getfixturevalue("schema_template"))
    shared = os.environ.get("HALL_TEST_DB_URL")
    if not shared:
        path = tmp_path / "hall.sqlite3"
        shutil.copy2(str(template.database), path)
        yield f"sqlite:///{path}"
        return
    with scratch_database(shared, template=template.database) as url:
        yield url
