"""The service catalogue and its guides kept on disk, so guides still show when the hall is offline.

One JSON file per language, written atomically (temporary file, then rename) so a power cut never
leaves half a catalogue.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hall_contract import Catalogue, Service
from kiosk.hall_client import HallClient, HallError

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


@dataclass(frozen=True)
class CachedCatalogue:
    catalogue: Catalogue
    guides: dict[str, Service]
    saved_at: datetime


class CatalogueCache:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, lang: str) -> Path:
        return self.directory / f"catalogue.{lang}.json"

    def save(self, lang: str, catalogue: Catalogue, guides: dict[str, Service]) -> None:
        document = {
            "version": FORMAT_VERSION,
            "saved_at": datetime.now(UTC).isoformat(),
            **catalogue.model_dump(mode="json"),
            "guides": {code: s.model_dump(mode="json") for code, s in guides.items()},
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".catalogue.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle, ensure_ascii=False)
            os.replace(tmp, self.path(lang))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, lang: str) -> CachedCatalogue | None:
        """The cached catalogue, or None when there is none or it cannot be read."""
        path = self.path(lang)
        try:
            document: Any = json.loads(path.read_text(encoding="utf-8"))
            if document.get("version") != FORMAT_VERSION:
                raise ValueError(f"cache format {document.get('version')!r}")
            catalogue = Catalogue.model_validate(document)
            guides = {code: Service.model_validate(raw) for code, raw in document.get("guides", {}).items()}
            return CachedCatalogue(catalogue, guides, datetime.fromisoformat(document["saved_at"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("catalogue cache %s unreadable: %s", path.name, exc)
            return None


async def refresh(hall: HallClient, cache: CatalogueCache, lang: str) -> CachedCatalogue:
    """Fetch the catalogue and every guide, then save them; raises HallError when offline."""
    catalogue = await hall.call(hall.services, None, lang)
    guides: dict[str, Service] = {}
    for service in catalogue.services:
        try:
            guides[service.code] = await hall.call(hall.service, service.code, lang)
        except HallError as exc:
            if exc.code == "hall_unreachable":
                raise
            log.warning("guide %s not cached: %s", service.code, exc.code)
    cache.save(lang, catalogue, guides)
    return CachedCatalogue(catalogue, guides, datetime.now(UTC))

