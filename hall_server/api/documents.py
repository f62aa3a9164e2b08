"""Certificates: ``POST /records/certificate`` (kiosk), ``GET /signing-certificate`` and
``GET /verify/{code}`` (public), and the phone page ``/v/{code}`` (DESIGN §4.8)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from hall_server.api import records
from hall_server.api.auth import KIOSK_ONLY, Caller, hall_of
from hall_server.api.errors import ApiError, error_response
from hall_server.api.rate_limit import RateLimiter, client_address, rate_limited, retry_after_s
from hall_server.documents import codes, verify_page
from hall_server.documents.desk import DEFAULT_SITE, DocumentDesk, Holder, site_rules
from hall_server.documents.layout import when
from hall_server.documents.signing import SigningNotConfigured
from hall_server.store.documents import IssuedDocument

log = logging.getLogger(__name__)
router = APIRouter(tags=["documents"])
page_router = APIRouter(include_in_schema=False)

# Codes carry 100 random bits, so guessing is hopeless anyway; the limit keeps anyone from trying at
# scale: a burst for a person checking a pile of certificates, then one look-up every two seconds.
VERIFY_BURST = 30
VERIFY_PER_S = 0.5


class CertificateBody(records.RecordQueryBody):
    """The body of POST /records/query (and whatever proof of presence it comes to require)."""


def desk_of(request: Request) -> DocumentDesk:
    """This app's document desk (fonts and key are loaded once per process)."""
    desk = request.app.state.document_desk
    assert isinstance(desk, DocumentDesk)
    return desk


def _signing_not_configured() -> ApiError:
    return ApiError(503, "signing_not_configured",
                    "this hall has no signing key yet; an operator runs 'hall-server signing init' or "
                    "configures HALL_SIGNING_KEY and HALL_SIGNING_CHAIN")


@router.post("/records/certificate", response_class=Response,
             responses={200: {"content": {"application/pdf": {}}}})
def issue_certificate(body: CertificateBody, request: Request,
                      caller: Caller = Depends(KIOSK_ONLY)) -> Response:
    """A signed A4 PDF of one kind of record about the citizen at the kiosk; its code in the headers."""
    hall = hall_of(request)
    desk = desk_of(request)
    try:
        desk.signer()
    except SigningNotConfigured as exc:
        raise _signing_not_configured() from exc
    # The records route checks the kind, the ID number, the range and the caller, and audits the query.
    answer = records.query_records(body, request, caller)
    try:
        issued = desk.issue(
            hall.db, answer=answer, holder=Holder(body.name.strip(), body.id_number.strip().upper()),
            lang=body.lang, site=caller.site, start=body.start, end=body.end, issued_at=hall.now(),
            issued_by=caller.scope, base_url=str(request.base_url),
        )
    except OSError as exc:
        # The font pieces could not be cut or read (a full or read-only cache directory): the operator's
        # to fix, so the kiosk is told to try later rather than given a server error.
        log.error("certificate fonts unavailable: %s", exc)
        raise ApiError(503, "documents_unavailable", "the hall cannot make certificates right now") from exc
    printed = codes.grouped(issued.code)
    return Response(issued.pdf, media_type="application/pdf", headers={
        "X-Verification-Code": printed,
        "X-Document-SHA256": issued.sha256,
        "Content-Disposition": f'inline; filename="{body.kind}-{issued.code[:8]}.pdf"',
        "Cache-Control": "no-store",
    })


@router.get("/signing-certificate", response_class=Response,
            responses={200: {"content": {"application/x-pem-file": {}}}})
def signing_certificate(request: Request) -> Response:
    """The hall's signing certificate and its chain up to the root, PEM (public)."""
    try:
        chain = desk_of(request).signer().chain_pem
    except SigningNotConfigured as exc:
        raise _signing_not_configured() from exc
    return Response(chain, media_type="application/x-pem-file")


def _wait_s(request: Request) -> float:
    """Count one look-up by the client's address: 0.0 when allowed, else the seconds to wait."""
    if not hall_of(request).settings.rate_limit_enabled:
        return 0.0
    wait: float = request.app.state.verify_limits.take(client_address(request.scope))
    return wait


def _issued_at(doc: IssuedDocument) -> datetime:
    return doc.issued_at.astimezone(site_rules(doc.site or DEFAULT_SITE).tz)


@router.get("/verify/{code}")
def verify(code: str, request: Request) -> Any:
    """Whether the hall issued the certificate with this code: kind, time, SHA-256 and a masked name."""
    wait_s = _wait_s(request)
    if wait_s:
        raise rate_limited(wait_s, "verification look-ups")
    try:
        doc = desk_of(request).look_up(hall_of(request).db, code)
    except codes.MalformedCode as exc:
        raise ApiError(422, "invalid_verification_code", str(exc), extra={"valid": False}) from exc
    if doc is None:
        return error_response(404, "unknown_verification_code", "no certificate has this code",
                              extra={"valid": False})
    return JSONResponse({
        "valid": True, "code": codes.grouped(doc.code), "kind": doc.kind,
        "issued_at": _issued_at(doc).isoformat(timespec="seconds"), "sha256": doc.sha256,
        "masked_name": doc.masked_name, "pages": doc.pages, "site": doc.site,
    }, headers={"Cache-Control": "no-store"})


@page_router.get("/v/{code}", response_class=HTMLResponse)
def verify_page_for_phone(code: str, request: Request, lang: str | None = Query(None)) -> HTMLResponse:
    """The page a certificate's QR code opens; same answer as /verify/{code}, for a person."""
    chosen = verify_page.pick_lang(lang, request.headers.get("accept-language"))
    hall_name = site_rules(DEFAULT_SITE).name(chosen)
    wait_s = _wait_s(request)
    if wait_s:
        page = verify_page.render(chosen, hall_name, code, None, too_many=True)
        return HTMLResponse(page, status_code=429, headers={"Retry-After": str(retry_after_s(wait_s))})
    try:
        doc = desk_of(request).look_up(hall_of(request).db, code)
    except codes.MalformedCode:
        page = verify_page.render(chosen, hall_name, code, None, malformed=True)
        return HTMLResponse(page, status_code=422)
    if doc is None:
        return HTMLResponse(verify_page.render(chosen, hall_name, code, None), status_code=404)
    hall_name = site_rules(doc.site or DEFAULT_SITE).name(chosen)
    html = verify_page.render(chosen, hall_name, code, doc, issued_at_text=when(_issued_at(doc)))
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def install(app: FastAPI) -> None:
    """Give the app its document desk (the routers are mounted with the others) and start preparing the
    fonts in the background."""
    settings = app.state.hall.settings
    desk = DocumentDesk(settings.data_dir, settings.public_base_url)
    app.state.document_desk = desk
    app.state.verify_limits = RateLimiter(VERIFY_BURST, VERIFY_PER_S)
    threading.Thread(target=desk.warm, name="certificate-fonts", daemon=True).start()
