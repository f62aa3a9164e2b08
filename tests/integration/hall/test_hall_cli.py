"""The ``hall-server`` command as an operator runs it: subprocesses against a real database."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from hall_server.state.calendar_book import CalendarBook
from hall_server.store import audit
from hall_server.store.database import Database

pytestmark = pytest.mark.db
HALL = [sys.executable, "-m", "hall_server"]


def run(*args: str, db: str | None, stdin: str = "", data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HALL_DATA_DIR": str(data_dir)}
    command = [*HALL, *args] + (["--db", db] if db else [])
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60, env=env)


@contextmanager
def serving(db_url: str, data_dir: Path, *extra: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {**os.environ, "HALL_DATA_DIR": str(data_dir)}
    now = "2026-11-25T10:00:00+08:00"
    proc = subprocess.Popen(
        # A small pool: a serving node opens its connections as it starts, beside the other tests' ones.
        [*HALL, "serve", "--port", "0", "--db", db_url, "--db-pool-size", "4", "--demo", "--now", now,
         *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("listening on "):
                break
        else:
            raise AssertionError(f"serve did not start: {lines} {proc.stderr.read() if proc.stderr else ''}")
        yield proc, line.split()[-1]
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def serve(db_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    with serving(db_url, tmp_path) as served:
        yield served


def test_db_upgrade_is_idempotent(db_url: str, tmp_path: Path) -> None:
    for _ in range(2):
        result = run("db", "upgrade", db=db_url, data_dir=tmp_path)
        assert result.returncode == 0 and result.stdout.strip() == "schema is current"


def test_kiosk_add_prints_a_token_that_the_server_accepts(
    db_url: str, tmp_path: Path, serve: tuple[subprocess.Popen[str], str]
) -> None:
    _proc, url = serve
    result = run("kiosk", "add", "kiosk-07", "--site", "HQ", db=db_url, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    reply = httpx.post(
        f"{url}/api/v1/tickets", json={"service": "SB-001"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert reply.status_code == 201 and reply.json()["issued_at"].startswith("2026-11-25T10:00")
    again = run("kiosk", "add", "kiosk-07", "--site", "HQ", db=db_url, data_dir=tmp_path)
    assert again.returncode == 2 and "kiosk_exists" in again.stderr and "Traceback" not in again.stderr
    unknown = run("kiosk", "add", "kiosk-08", "--site", "MARS", db=db_url, data_dir=tmp_path)
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1 and "unknown_site" in unknown.stderr


def test_serve_demo_accepts_the_fixed_demo_token_and_demo_staff(
    serve: tuple[subprocess.Popen[str], str], tmp_path: Path
) -> None:
    _proc, url = serve
    reply = httpx.get(
        f"{url}/api/v1/services",
        params={"q": "sbcx"},
        headers={"Authorization": "Bearer demo-kiosk-token-HQ"},
    )
    assert reply.status_code == 200 and reply.json()["services"]
    written = (tmp_path / "demo-kiosk-token").read_text().strip()
    assert (
        httpx.get(f"{url}/api/v1/assist/status", headers={"Authorization": f"Bearer {written}"}).status_code
        == 200
    )
    login = httpx.post(f"{url}/api/v1/auth/login", json={"username": "admin", "password": "demo1234"})
    assert login.status_code == 200 and login.json()["role"] == "admin"
    assert httpx.get(f"{url}/docs").status_code == 200


def test_staff_add_reads_the_password_from_stdin(
    db_url: str, tmp_path: Path, serve: tuple[subprocess.Popen[str], str]
) -> None:
    _proc, url = serve
    result = run(
        "staff",
        "add",
        "clerk7",
        "--role",
        "counter",
        "--password-stdin",
        db=db_url,
        stdin="s3cret-pass\n",
        data_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    login = httpx.post(f"{url}/api/v1/auth/login", json={"username": "clerk7", "password": "s3cret-pass"})
    assert login.status_code == 200 and login.json()["role"] == "counter"
    weak = run(
        "staff",
        "add",
        "clerk8",
        "--role",
        "counter",
        "--password-stdin",
        db=db_url,
        stdin="short\n",
        data_dir=tmp_path,
    )
    assert weak.returncode == 2 and "weak_password" in weak.stderr
    bad_role = run(
        "staff",
        "add",
        "clerk9",
        "--role",
        "boss",
        "--password-stdin",
        db=db_url,
        stdin="x" * 10,
        data_dir=tmp_path,
    )
    assert bad_role.returncode == 2 and "Traceback" not in bad_role.stderr


def test_calendar_load_from_a_file(db_url: str, tmp_path: Path) -> None:
    good = tmp_path / "2027.toml"
    good.write_text(
        'year = 2027\n\n[[holidays]]\nkey = "spring_festival"\nstart = 2027-02-06\nend = 2027-02-13\n'
    )
    result = run("calendar", "load", str(good), db=db_url, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2027" in result.stdout and "8 holiday days" in result.stdout
    db = Database(db_url, pool_size=1)
    try:
        plan = CalendarBook(db).site("HQ").day_plan(date(2027, 2, 10))
    finally:
        db.dispose()
    assert plan.calendar_confirmed and plan.holiday is not None and plan.holiday.key == "spring_festival"
    # Audited as the management page's load, by the operator's OS account, with the file loaded.
    entries = calendar_audit(db_url)
    assert [(e.actor, e.area, e.action, e.target, e.detail) for e in entries] == [
        (f"cli:{getpass.getuser()}", "calendar", "load_year", "2027",
         {"year": 2027, "holidays": 8, "adjusted_workdays": 0, "file": str(good.resolve())})]
    assert abs((entries[0].at - datetime.now(UTC)).total_seconds()) < 120
    bad = tmp_path / "2028.toml"
    bad.write_text("year = 2028\n[[holidays]]\nstart = 2028-01-01\n")
    result = run("calendar", "load", str(bad), db=db_url, data_dir=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("hall-server: error: calendar_")
    assert result.stderr.count("\n") == 1
    missing = run("calendar", "load", str(tmp_path / "nope.toml"), db=db_url, data_dir=tmp_path)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    assert calendar_audit(db_url) == entries


def calendar_audit(db_url: str) -> list[audit.AdminAuditEntry]:
    db = Database(db_url, pool_size=1)
    try:
        with db.read() as conn:
            return audit.admin_recent(conn, 10, "calendar")
    finally:
        db.dispose()


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--db", "mysql://nobody@localhost/x"],
        ["serve", "--now", "yesterday", "--db", "sqlite:///:memory:"],
        ["serve", "--now", "2026-11-25T10:00:00", "--db", "sqlite:///:memory:"],
        ["serve", "--port", "70000", "--db", "sqlite:///:memory:"],
        ["serve", "--db-pool-size", "0", "--db", "sqlite:///:memory:"],
        ["serve", "--now", "9999-12-31T23:00:00+08:00", "--db", "sqlite:///:memory:"],
        [
            "staff",
            "add",
            "x1",
            "--role",
            "admin",
            "--password-stdin",
            "--display-name",
            "n" * 101,
        ],
        ["db", "upgrade", "--db", "sqlite:///:memory:"],
        ["db", "upgrade", "--db", "sqlite:///"],
        ["db", "upgrade", "--db", "postgresql+psycopg://nobody:x@127.0.0.1:1/none"],
        ["frobnicate"],
    ],
)
def test_bad_arguments_give_one_line_and_exit_code_2(args: list[str], tmp_path: Path) -> None:
    result = subprocess.run(
        [*HALL, *args],
        input="long-enough-password\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HALL_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("hall-server: error:") or "error:" in result.stderr.splitlines()[-1]
    assert "no password" not in result.stderr
    if "--display-name" in args:
        assert "invalid_name" in result.stderr


def failed_login_statuses(url: str, attempts: int) -> list[int]:
    return [
        httpx.post(f"{url}/api/v1/auth/login", json={"username": "admin", "password": "wrong"}).status_code
        for _ in range(attempts)
    ]


def test_serve_limits_password_guessing_unless_told_not_to(db_url: str, tmp_path: Path) -> None:
    with serving(db_url, tmp_path) as (_proc, url):
        assert failed_login_statuses(url, 6) == [401] * 5 + [429]
    with serving(db_url, tmp_path, "--no-rate-limit") as (_proc, url):
        assert failed_login_statuses(url, 8) == [401] * 8
