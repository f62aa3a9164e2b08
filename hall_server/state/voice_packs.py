"""The voice packs calling screens play: the packaged default, and a hall's own from ``--voice-packs DIR``.

A pack is a folder ``<name>/`` with ``manifest.json`` (see ``domain/announcements.py``) and its clips. All
packs are read and checked when the hall starts, against the languages of every site that names them in
``[floor] voice_pack``: a missing pack, language, clip or file stops the start with one line saying which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from hall_server.config import ConfigError
from hall_server.domain.announcements import CLIP_FILE, VoiceManifest, parse_manifest
from hall_server.domain.sites import Site, packaged_site_codes
from hall_server.usecases.sites import site_profile

PACKAGED_DIR = Path(__file__).resolve().parent.parent / "data" / "voice"
MEDIA_TYPES = {".opus": "audio/ogg", ".ogg": "audio/ogg", ".mp3": "audio/mpeg", ".wav": "audio/wav"}


@dataclass(frozen=True)
class VoicePack:
    manifest: VoiceManifest
    folder: Path
    files: frozenset[str]


def _languages_asked(name: str, sites: list[Site]) -> set[str]:
    return {lang for site in sites if site.floor.voice_pack == name for lang in site.floor.announce}


def _read_pack(folder: Path, sites: list[Site]) -> VoicePack:
    where = folder / "manifest.json"
    try:
        data = json.loads(where.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"voice pack {folder.name}: cannot read {where}: {exc}") from exc
    try:
        manifest = parse_manifest(data, sorted(_languages_asked(folder.name, sites)))
    except ValueError as exc:
        raise ConfigError(f"voice pack {folder.name}: {where}: {exc}") from exc
    if manifest.name != folder.name:
        raise ConfigError(f"voice pack {folder.name}: {where} names itself {manifest.name!r}")
    root = folder.resolve()
    for file in sorted(manifest.files()):
        path = (root / file).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise ConfigError(f"voice pack {folder.name}: clip file {file} is missing")
    return VoicePack(manifest, root, frozenset(manifest.files()))


class VoicePacks:
    """The packs by name; a hall's own pack of the same name replaces the packaged one."""

    def __init__(self, packs: dict[str, VoicePack]) -> None:
        self._packs = packs

    @classmethod
    def load(cls, extra: Path | None = None) -> VoicePacks:
        """Read and check every pack; ConfigError (one line) for the first fault found."""
        sites = [site_profile(code) for code in packaged_site_codes()]
        folders = {f.name: f for f in sorted(PACKAGED_DIR.iterdir()) if (f / "manifest.json").is_file()}
        if extra is not None:
            if not extra.is_dir():
                raise ConfigError(f"--voice-packs: not a directory: {extra}")
            found = {f.name: f for f in sorted(extra.iterdir()) if f.is_dir()}
            if not found:
                raise ConfigError(f"--voice-packs: {extra} holds no pack folder (<name>/manifest.json)")
            folders |= found
        packs = {name: _read_pack(folder, sites) for name, folder in folders.items()}
        for site in sites:
            if site.floor.voice_pack not in packs:
                raise ConfigError(f"site {site.code}: [floor] voice_pack {site.floor.voice_pack!r} is not "
                                  f"installed (packs: {', '.join(sorted(packs))})")
        return cls(packs)

    def manifest(self, name: str) -> VoiceManifest:
        return self._packs[name].manifest

    def clip(self, name: str, file: str) -> Path | None:
        """The file of a clip the pack's manifest names, or None: nothing else in its folder is served."""
        pack = self._packs.get(name)
        if pack is None or not CLIP_FILE.fullmatch(file) or file not in pack.files:
            return None
        return pack.folder / file
