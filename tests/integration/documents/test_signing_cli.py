"""``hall-server signing init`` as an operator runs it, and a hall serving with a key it was given."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hall_server.documents.signing import HallSigner, SigningPaths
from hall_server.store.database import Database

from .conftest import DEFAULT_NOW

HALL = [sys.executable, "-m", "hall_server"]


def run(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HALL, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HALL_DATA_DIR": str(data_dir), **env})


def test_signing_init_makes_an_owner_only_key_and_a_chain_and_refuses_to_overwrite(tmp_path: Path) -> None:
    done = run("signing", "init", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    key = tmp_path / "signing" / "signing-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "signing").stat().st_mode) == 0o700
    assert "BEGIN PRIVATE KEY" not in done.stdout
    signer = HallSigner(SigningPaths.for_data_dir(tmp_path))
    assert signer.chain_pem.count(b"BEGIN CERTIFICATE") == 2
    before = key.read_bytes()
    again = run("signing", "init", data_dir=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert key.read_bytes() == before
    forced = run("signing", "init", "--force", data_dir=tmp_path)
    assert forced.returncode == 0 and key.read_bytes() != before


def test_a_key_elsewhere_is_named_by_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "hsm-export"
    done = run("signing", "init", "--dir", str(elsewhere), data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert "HALL_SIGNING_KEY=" in done.stdout
    assert not (tmp_path / "data" / "signing").exists()
    monkeypatch.setenv("HALL_SIGNING_KEY", str(elsewhere / "signing-key.pem"))
    monkeypatch.setenv("HALL_SIGNING_CHAIN", str(elsewhere / "signing-chain.pem"))
    paths = SigningPaths.for_data_dir(tmp_path / "data")
    assert paths.key == elsewhere / "signing-key.pem" and paths.exist()


def test_the_demo_seeds_a_signing_identity_once(database: Database, tmp_path: Path) -> None:
    from hall_server.demo import seed_demo

    seed_demo(database, DEFAULT_NOW, tmp_path)
    key = tmp_path / "signing" / "signing-key.pem"
    first = key.read_bytes()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    seed_demo(database, DEFAULT_NOW, tmp_path)
    assert key.read_bytes() == first
