"""A hall's own voice packs: checked when the hall starts, and only the clips a manifest names are served."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hall_server.config import ConfigError
from hall_server.state.voice_packs import PACKAGED_DIR, VoicePacks


def own_pack(root: Path, name: str = "default") -> Path:
    folder = root / name
    shutil.copytree(PACKAGED_DIR / "default", folder)
    return folder


def edit_manifest(folder: Path, **changes: object) -> None:
    path = folder / "manifest.json"
    data = json.loads(path.read_text("utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), "utf-8")


def test_the_packaged_pack_loads_and_serves_only_its_clips() -> None:
    packs = VoicePacks.load()
    assert packs.clip("default", "chime.opus") == PACKAGED_DIR / "default" / "chime.opus"
    assert packs.clip("default", "zh-Hans/qing.opus") is not None
    for bad in ("manifest.json", "LICENSE", "../default/chime.opus", "zh-Hans/../chime.opus", "/etc/passwd",
                "zh-Hans/../../../state/voice_packs.py", "zh-Hans/missing.opus", "", "zh-Hans"):
        assert packs.clip("default", bad) is None, bad
    assert packs.clip("nope", "chime.opus") is None


def test_a_halls_own_pack_replaces_the_packaged_one_of_its_name(tmp_path: Path) -> None:
    folder = own_pack(tmp_path)
    (folder / "chime.opus").write_bytes(b"OggS own chime")
    packs = VoicePacks.load(tmp_path)
    found = packs.clip("default", "chime.opus")
    assert found is not None and found.read_bytes() == b"OggS own chime"


@pytest.mark.parametrize(("spoil", "message"), [
    (lambda f: (f / "manifest.json").write_text("{not json", "utf-8"), "cannot read"),
    (lambda f: (f / "en" / "15.opus").unlink(), "clip file en/15.opus is missing"),
    (lambda f: edit_manifest(f, name="other"), "names itself 'other'"),
    (lambda f: edit_manifest(f, languages={}), "languages lacks"),
    (lambda f: shutil.rmtree(f / "yue"), "clip file yue/"),
])
def test_a_broken_pack_stops_the_start_with_one_line(tmp_path: Path, spoil, message: str) -> None:  # type: ignore[no-untyped-def]
    spoil(own_pack(tmp_path))
    with pytest.raises(ConfigError, match=message) as caught:
        VoicePacks.load(tmp_path)
    assert "\n" not in str(caught.value) and "voice pack default" in str(caught.value)


def test_a_folder_that_is_no_pack_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a directory"):
        VoicePacks.load(tmp_path / "missing")
    with pytest.raises(ConfigError, match="holds no pack folder"):
        VoicePacks.load(tmp_path)
