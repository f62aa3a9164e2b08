"""``hall-server fonts prepare``: the font pieces a hall's start needs, cut ahead (by setup and install)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hall_server.documents.certificate import CertificateFonts
from hall_server.documents.desk import DocumentDesk, font_cache_dir

HALL = [sys.executable, "-m", "hall_server"]


def prepare(cache: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HALL, "fonts", "prepare"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HALL_DATA_DIR": str(data_dir), "HALL_FONT_CACHE": str(cache)})


def test_prepare_cuts_what_is_missing_and_a_hall_start_then_cuts_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "pieces"
    # One piece is there already (a copy of this machine's), the other is not: the command cuts that one only.
    machine = CertificateFonts(font_cache_dir())
    machine.regular.warm()
    fonts = CertificateFonts(cache)
    fonts.regular.cache_dir.mkdir(parents=True)
    shutil.copyfile(machine.regular.pieces[0].path, fonts.regular.pieces[0].path)
    bold_first = fonts.bold.pieces[0].path
    assert not bold_first.exists()

    done = prepare(cache, tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"font pieces: 1 cut, 1 already there, in {cache}" in done.stdout
    assert bold_first.is_file()
    first = (fonts.regular.pieces[0], fonts.bold.pieces[0])
    cut = {piece.path: piece.path.stat().st_mtime_ns for piece in first}

    # What a hall does as it starts, with that cache: nothing left to cut, nothing written again.
    monkeypatch.setenv("HALL_FONT_CACHE", str(cache))
    DocumentDesk(tmp_path).warm()
    assert {path: path.stat().st_mtime_ns for path in cut} == cut
    assert sorted(p.name for p in cache.rglob("*") if p.is_file()) == ["piece-00.otf", "piece-00.otf"]
    again = prepare(cache, tmp_path)
    assert again.returncode == 0 and "font pieces: 0 cut, 2 already there" in again.stdout


def test_an_unusable_cache_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    done = prepare(blocker / "pieces", tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hall-server: error: font_cache_unusable: ")
    assert "Traceback" not in done.stderr
