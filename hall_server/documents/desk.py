"""The hall's document desk: lays out, signs and records certificates, and answers verification codes."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citizen_id.masking import mask_id_number, mask_name
from hall_server.documents import codes
from hall_server.documents.certificate import Certificate, CertificateFonts
from hall_server.documents.signing_paths import SigningPaths
from hall_server.documents.wording import title
from hall_server.domain.sites import Site, load_site
from hall_server.store import documents
from hall_server.store.database import Database
from hall_server.store.documents import IssuedDocument

if TYPE_CHECKING:
    from hall_server.documents.signing import HallSigner

log = logging.getLogger(__name__)
DEFAULT_SITE = "HQ"


def font_cache_dir() -> Path:
    """``$HALL_FONT_CACHE``, else the user's cache: font pieces are the same for every hall on a machine."""
    raw = os.environ.get("HALL_FONT_CACHE")
    if raw:
        return Path(raw).expanduser()
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # a service account with no home directory
            base = tempfile.gettempdir()
    return Path(base) / "gov-kiosk" / "font-pieces"


@cache
def site_rules(code: str) -> Site:
    return load_site(code)


@dataclass(frozen=True)
class Holder:
    """The person the certificate is about (present at the kiosk): full name and ID number."""

    name: str
    id_number: str


@dataclass(frozen=True)
class Issued:
    pdf: bytes
    code: str
    sha256: str
    pages: int


_fonts_lock = threading.Lock()
_fonts_by_cache_dir: dict[Path, CertificateFonts] = {}


def _process_fonts(cache_dir: Path) -> CertificateFonts:
    """The certificate fonts of this process: opened and cut once, whichever desk asks first.

    They are read-only files, so every desk of the process (one a hall; the test suite makes hundreds)
    shares them, as every request of one hall does; opening them again costs 0.3-0.4 s of CPU.
    """
    with _fonts_lock:
        fonts = _fonts_by_cache_dir.get(cache_dir)
        if fonts is None:
            fonts = _fonts_by_cache_dir[cache_dir] = CertificateFonts(cache_dir)
        return fonts


class DocumentDesk:
    """One per hall process: the fonts and the signing key are loaded once and shared by every request."""

    def __init__(self, data_dir: Path, public_base_url: str | None = None) -> None:
        self.paths = SigningPaths.for_data_dir(data_dir)
        self.public_base_url = public_base_url
        self._fonts: CertificateFonts | None = None
        self._signer: HallSigner | None = None
        self._lock = threading.Lock()

    @property
    def fonts(self) -> CertificateFonts:
        if self._fonts is None:
            self._fonts = _process_fonts(font_cache_dir())
        return self._fonts

    def warm(self) -> None:
        """Load the PDF layout and the signature's libraries, open the fonts and cut their first pieces
        ahead of the first certificate (seconds, once per machine), so a kiosk's first request does not
        wait for them. Run by the app's start, before it takes requests (``app.create_app``'s lifespan):
        not on the way to a test's hall made and dropped without starting, nor beside a node's first
        requests."""
        import hall_server.documents.layout
        import hall_server.documents.signing  # noqa: F401

        try:
            self.fonts.warm()
        except OSError:
            log.warning("could not prepare the certificate fonts ahead of time", exc_info=True)

    def signer(self) -> HallSigner:
        """The hall's signer, loaded on first use; SigningNotConfigured while there is no key."""
        if self._signer is None:
            with self._lock:
                if self._signer is None:
                    # pyHanko (and aiohttp with it): loaded by ``warm`` as the app starts; here for a desk
                    # used without one (a unit test's).
                    from hall_server.documents.signing import HallSigner

                    self._signer = HallSigner(self.paths)
        return self._signer

    def verify_url(self, base_url: str, code: str) -> str:
        return f"{(self.public_base_url or base_url).rstrip('/')}/v/{code}"

    def issue(self, db: Database, *, answer: dict[str, Any], holder: Holder, lang: str, site: str | None,
              start: date | None, end: date | None, issued_at: datetime, issued_by: str,
              base_url: str) -> Issued:
        """Lay out the records ``answer`` (as POST /records/query gives it), sign it and record its code."""
        signer = self.signer()
        rules = site_rules(site or DEFAULT_SITE)
        local = issued_at.astimezone(rules.tz)
        code = codes.new_code()
        cert = Certificate(
            kind=answer["kind"], lang=lang, hall_name=rules.name(lang), seal_name=rules.name("zh-Hans"),
            holder_name=holder.name, masked_id=mask_id_number(holder.id_number),
            columns=[(c["key"], c["label"]) for c in answer["columns"]], rows=answer["rows"],
            start=start, end=end, issued_at=local, code=codes.grouped(code),
            verify_url=self.verify_url(base_url, code),
        )
        from hall_server.documents.layout import build_pdf  # fpdf2, off the start as in ``signer``

        laid_out = build_pdf(cert, self.fonts)
        pages = laid_out.pages
        signed = signer.sign(laid_out.pdf, reason=title(cert.kind, lang), location=rules.name(lang))
        digest = hashlib.sha256(signed).hexdigest()
        with db.write() as conn:
            documents.record(conn, IssuedDocument(
                code=code, kind=cert.kind, site=site, issued_at=issued_at, sha256=digest,
                masked_name=mask_name(holder.name), pages=pages, issued_by=issued_by,
            ))
        log.info("certificate %s issued kind=%s id=%s by %s", codes.grouped(code)[:4] + "-…", cert.kind,
                 mask_id_number(holder.id_number), issued_by)
        return Issued(pdf=signed, code=code, sha256=digest, pages=pages)

    @staticmethod
    def look_up(db: Database, text: str) -> IssuedDocument | None:
        """The certificate a code names, or None; MalformedCode if ``text`` cannot be a code."""
        code = codes.normalise(text)
        with db.read() as conn:
            return documents.find(conn, code)
