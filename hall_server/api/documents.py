"""Certificates: ``POST /records/certificate`` (kiosk), ``GET /signing-certificate`` and
``GET /verify/{code}`` (public), and the phone page ``/v/{code}`` (DESIGN §4.8)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from hall_contract import CertificateBody
from hall_server.api.auth import KIOSK_ONLY, Caller, hall_of
from hall_server.api.errors import error_response
from hall_server.documents import codes, verify_page
from hall_server.documents.certificate import when
from hall_server.documents.desk import DocumentDesk
from hall_server.state.request_limits import rate_limited, retry_after_s
from hall_server.usecases import documents
from hall_server.usecases.refusal import Refusal

router = APIRouter(tags=["documents"])
page_router = APIRouter(include_in_schema=False)

# Codes carry 100 random bits, so guessing is hopeless anyway; the limit keeps anyone from trying at
# scale: a burst for a person checking a pile of certificates, then one look-up every two seconds.
VERIFY_BURST = 30
VERIFY_PER_S = 0.5


def desk_of(request: Request) -> DocumentDesk:
    """This app's document desk (fonts and key are loaded once per process)."""
    desk = request.app.state.document_desk
    assert isinstance(desk, DocumentDesk)
    return desk


@router.post("/records/certificate", response_class=Response,
             responses={200: {"content": {"application/pdf": {}}}})
def issue_certificate(body: CertificateBody, request: Request,
                      caller: Caller = Depends(KIOSK_ONLY)) -> Response:
    """A signed A4 PDF of one kind of record about the citizen at the kiosk; its code in the headers."""
    issued = documents.issue_certificate(
        hall_of(request), desk_of(request), caller, kind=body.kind, id_number=body.id_number,
        name=body.name, start=body.start, end=body.end, lang=body.lang, base_url=str(request.base_url),
        proof=body.proof,
    )
    return Response(issued.pdf, media_type="application/pdf", headers={
        "X-Verification-Code": codes.grouped(issued.code),
        "X-Document-SHA256": issued.sha256,
        "Content-Disposition": f'inline; filename="{body.kind}-{issued.code[:8]}.pdf"',
        "Cache-Control": "no-store",
    })


@router.get("/signing-certificate", response_class=Response,
            responses={200: {"content": {"application/x-pem-file": {}}}})
def signing_certificate(request: Request) -> Response:
    """The hall's signing certificate and its chain up to the root, PEM (public)."""
    return Response(documents.signing_chain(desk_of(request)), media_type="application/x-pem-file")


def _wait_s(request: Request) -> float:
    """Count one look-up by the client's address: 0.0 when allowed, else the seconds to wait."""
    hall = hall_of(request)
    if not hall.settings.rate_limit_enabled:
        return 0.0
    wait: float = request.app.state.verify_limits.take(hall.addresses.of(request.scope))
    return wait


@router.get("/verify/{code}")
def verify(code: str, request: Request) -> Any:
    """Whether the hall issued the certificate with this code: kind, time, SHA-256 and a masked name."""
    wait_s = _wait_s(request)
    if wait_s:
        raise rate_limited(wait_s, "verification look-ups")
    doc = documents.look_up(hall_of(request), desk_of(request), code)
    if doc is None:
        return error_response(404, "unknown_verification_code", "no certificate has this code",
                              extra={"valid": False})
    return JSONResponse(documents.verification_answer(doc), headers={"Cache-Control": "no-store"})


@page_router.get("/v/{code}", response_class=HTMLResponse)
def verify_page_for_phone(code: str, request: Request, lang: str | None = Query(None)) -> HTMLResponse:
    """The page a certificate's QR code opens; same answer as /verify/{code}, for a person."""
    chosen = verify_page.pick_lang(lang, request.headers.get("accept-language"))
    wait_s = _wait_s(request)
    if wait_s:
        page = verify_page.render(chosen, documents.hall_name(None, chosen), code, None, too_many=True)
        return HTMLResponse(page, status_code=429, headers={"Retry-After": str(retry_after_s(wait_s))})
    try:
        doc = documents.look_up(hall_of(request), desk_of(request), code)
    except Refusal:
        page = verify_page.render(chosen, documents.hall_name(None, chosen), code, None, malformed=True)
        return HTMLResponse(page, status_code=422)
    if doc is None:
        page = verify_page.render(chosen, documents.hall_name(None, chosen), code, None)
        return HTMLResponse(page, status_code=404)
    html = verify_page.render(chosen, documents.hall_name(doc, chosen), code, doc,
                              issued_at_text=when(documents.issued_at(doc)))
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def install(app: FastAPI) -> None:
    """Give the app its document desk (the routers are mounted with the others); the app's start prepares
    its fonts (``DocumentDesk.warm``)."""
    settings = app.state.hall.settings
    desk = DocumentDesk(settings.data_dir, settings.public_base_url)
    app.state.document_desk = desk
    app.state.verify_limits = app.state.hall.node.rate_limiter("verify", VERIFY_BURST, VERIFY_PER_S)
