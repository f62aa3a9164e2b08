"""Certificates (DESIGN §4.8): issue a signed A4 PDF of a record query, give the signing chain, and
resolve a verification code. The desk (fonts, key, layout) is hall_server/documents; this is the step
that checks, queries, issues and refuses with the API's codes."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from hall_contract.identity import Proof
from hall_server.documents import codes
from hall_server.documents.desk import DEFAULT_SITE, DocumentDesk, Holder, site_rules
from hall_server.documents.signing_paths import SigningNotConfigured
from hall_server.state.hall_state import HallState
from hall_server.store.documents import IssuedDocument
from hall_server.usecases import records
from hall_server.usecases.caller import Caller
from hall_server.usecases.refusal import Refusal

log = logging.getLogger(__name__)


def _signing_not_configured() -> Refusal:
    return Refusal("signing_not_configured",
                   "this hall has no signing key yet; an operator runs 'hall-server signing init' or "
                   "configures HALL_SIGNING_KEY and HALL_SIGNING_CHAIN")


def issue_certificate(
    hall: HallState, desk: DocumentDesk, caller: Caller, *, kind: str, id_number: str, name: str,
    start: date | None, end: date | None, lang: str, base_url: str, proof: Proof | None,
) -> Any:
    """The signed certificate of one kind of record about the citizen at the kiosk (``.pdf``, ``.code``,
    ``.sha256``). The records use case checks the kind, the ID number, the range, the caller and the
    proof that the person is present, counts the identity and audits the query, exactly as for
    POST /records/query."""
    try:
        desk.signer()
    except SigningNotConfigured as exc:
        raise _signing_not_configured() from exc
    answer = records.query_records(hall, caller, kind=kind, id_number=id_number, name=name, start=start,
                                   end=end, lang=lang, proof=proof)
    try:
        return desk.issue(
            hall.db, answer=answer, holder=Holder(name.strip(), id_number.strip().upper()), lang=lang,
            site=caller.site, start=start, end=end, issued_at=hall.now(), issued_by=caller.scope,
            base_url=base_url,
        )
    except OSError as exc:
        # The font pieces could not be cut or read (a full or read-only cache directory): the operator's
        # to fix, so the kiosk is told to try later rather than given a server error.
        log.error("certificate fonts unavailable: %s", exc)
        raise Refusal("documents_unavailable", "the hall cannot make certificates right now") from exc


def signing_chain(desk: DocumentDesk) -> bytes:
    """The hall's signing certificate and its chain up to the root, PEM."""
    try:
        chain: bytes = desk.signer().chain_pem
    except SigningNotConfigured as exc:
        raise _signing_not_configured() from exc
    return chain


def look_up(hall: HallState, desk: DocumentDesk, code: str) -> IssuedDocument | None:
    """The certificate issued with ``code``, or None; Refusal ``invalid_verification_code`` for a code
    that cannot be one."""
    try:
        return desk.look_up(hall.db, code)
    except codes.MalformedCode as exc:
        raise Refusal("invalid_verification_code", str(exc), extra={"valid": False}) from exc


def issued_at(doc: IssuedDocument) -> datetime:
    """When the certificate was issued, in its site's time."""
    return doc.issued_at.astimezone(site_rules(doc.site or DEFAULT_SITE).tz)


def verification_answer(doc: IssuedDocument) -> dict[str, Any]:
    """What GET /verify/{code} says of an issued certificate: no personal data beyond a masked name."""
    return {
        "valid": True, "code": codes.grouped(doc.code), "kind": doc.kind,
        "issued_at": issued_at(doc).isoformat(timespec="seconds"), "sha256": doc.sha256,
        "masked_name": doc.masked_name, "pages": doc.pages, "site": doc.site,
    }


def hall_name(doc: IssuedDocument | None, lang: str) -> str:
    return site_rules((doc.site if doc else None) or DEFAULT_SITE).name(lang)
