"""The kiosk's client of the hall server's JSON API (docs/api.md): one call path, typed answers.

Every endpoint method goes through ``request``: it sends, retries with the same idempotency key,
turns transport failures and the hall's error JSON into ``HallError`` and validates the answer into
its hall_contract model. Blocking calls use one ``requests.Session``; ``await client.call(fn, ...)``
runs any of them in a worker thread so the UI never waits on the network.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from pydantic import BaseModel, ValidationError

from citizen_id.masking import mask_id_number, mask_name
from hall_contract import (
    AssistStatus,
    Booking,
    BookingBody,
    Calendar,
    Catalogue,
    CertificateBody,
    Challenge,
    ChallengeBody,
    CheckInBody,
    Citizen,
    DeviceState,
    ErrorBody,
    HeartbeatBody,
    HeartbeatReply,
    Proof,
    RecordQueryBody,
    RecordsResult,
    ReviewBody,
    ReviewLevel,
    ReviewLevels,
    ReviewResult,
    Service,
    SlotList,
    Subject,
    Ticket,
    TicketBody,
)
from kiosk.hall_addresses import HallAddresses
from kiosk.hall_certificate import Certificate, certificate_of, certificate_problem
from kiosk.hall_errors import HallError, HallUnreachable
from kiosk.hall_tls import untrusted_hall

log = logging.getLogger(__name__)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

API_PREFIX = "/api/v1"
# 429 answers that another try cannot help (a budget per hour, not a burst): refused at once.
NOT_RETRIED_429 = frozenset({"kiosk_quota"})
# Kiosk languages (gettext catalogue names) to the API's ``lang`` values.
API_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}


def new_idempotency_key() -> str:
    """One key per citizen action; the same key is sent again on every retry of that action."""
    return uuid.uuid4().hex


def api_lang(lang: str) -> str:
    return API_LANG.get(lang, lang)


class HallClient:
    """Typed calls to the hall server for one kiosk (its bearer token names the kiosk and site).

    ``base_url`` is the hall's address, or several (nodes): a connection that fails moves to the next.
    """

    def __init__(
        self,
        base_url: str | Sequence[str],
        token: str,
        timeout: float = 5.0,
        *,
        retries: int = 2,
        backoff_s: float = 0.3,
        sleep: Callable[[float], None] = time.sleep,
        ca_file: str = "",
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.addresses = HallAddresses(base_url)
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff_s = backoff_s
        self._sleep = sleep
        # The hall's clock minus ours, learned from heartbeat replies (a hall may run on a moved
        # clock in demos and tests; "today" on the booking calendar is the hall's today).
        self.clock_offset = timedelta(0)
        self.hall_tz: tzinfo | None = None
        self._http = requests.Session()
        self._http.headers["Authorization"] = f"Bearer {token}"
        self._http.headers["Accept"] = "application/json"
        # The hall's private CA alone; given per request, where REQUESTS_CA_BUNDLE cannot replace it.
        self._verify: str | bool = ca_file or True

    @property
    def base_url(self) -> str:
        return self.addresses.current

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HallClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the one call path --

    def request(
        self,
        method: str,
        path: str,
        answer: type[M],
        *,
        params: Mapping[str, Any] | None = None,
        body: BaseModel | None = None,
        idempotency_key: str | None = None,
    ) -> M:
        """One call with retries (connection errors, 5xx and 429 only), its answer as ``answer``."""
        response = self._send(method, path, params=params, body=body, idempotency_key=idempotency_key)
        return _answer(method, path, response, answer)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: BaseModel | None = None,
        idempotency_key: str | None = None,
        accept: str | None = None,
    ) -> requests.Response:
        """The retries: the first answer that another try cannot change, or HallUnreachable."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        if accept:
            headers["Accept"] = accept
        query = {k: v for k, v in (params or {}).items() if v is not None}
        # Bodies are built, not validated: the hall is the one that refuses a bad one.
        payload = (
            body.model_dump(mode="json", by_alias=True, exclude_none=True, warnings=False) if body else None
        )
        last_problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff_s * (2 ** (attempt - 1)))
            try:
                response = self.addresses.send(lambda base: self._http.request(
                    method, f"{base}{API_PREFIX}{path}", params=query, json=payload, headers=headers,
                    timeout=self.timeout, verify=self._verify))
            except requests.exceptions.SSLError as exc:  # not retried: the same certificate comes back
                raise HallUnreachable(f"{method} {path}: {untrusted_hall(exc)}") from exc
            except requests.RequestException as exc:
                last_problem = type(exc).__name__
                log.info("hall %s %s: %s (attempt %d)", method, path, last_problem, attempt + 1)
                continue
            if response.status_code == 429 and _error_code(response) in NOT_RETRIED_429:
                return response
            if response.status_code >= 500 or response.status_code == 429:
                last_problem = f"HTTP {response.status_code}"
                log.info("hall %s %s: %s (attempt %d)", method, path, last_problem, attempt + 1)
                if response.status_code == 429 and attempt < self.retries:
                    self._sleep(_retry_after(response))
                continue
            return response
        raise HallUnreachable(f"{method} {path}: {last_problem}")

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run any blocking method of this client in a worker thread:
        ``await hall.call(hall.slots, site, service, day)``."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    # -- endpoints --

    def services(
        self, q: str | None = None, lang: str = "zh_Hans", department: str | None = None
    ) -> Catalogue:
        params = {"q": q, "lang": api_lang(lang), "department": department}
        return self.request("GET", "/services", Catalogue, params=params)

    def service(self, code: str, lang: str = "zh_Hans") -> Service:
        return self.request("GET", f"/services/{_segment(code)}", Service, params={"lang": api_lang(lang)})

    def calendar(self, site: str, start: date, end: date, lang: str = "zh_Hans") -> Calendar:
        params = {"from": start.isoformat(), "to": end.isoformat(), "lang": api_lang(lang)}
        return self.request("GET", f"/sites/{_segment(site)}/calendar", Calendar, params=params)

    def slots(self, site: str, service: str, day: date, lang: str = "zh_Hans") -> SlotList:
        params = {"service": service, "date": day.isoformat(), "lang": api_lang(lang)}
        return self.request("GET", f"/sites/{_segment(site)}/slots", SlotList, params=params)

    def create_booking(
        self,
        service: str,
        slot_id: str,
        id_number: str,
        name: str,
        *,
        idempotency_key: str,
        phone: str | None = None,
        lang: str = "zh_Hans",
    ) -> Booking:
        citizen = Citizen.model_construct(id_number=id_number, name=name, phone=phone or None)
        body = BookingBody.model_construct(
            service=service, slot_id=slot_id, citizen=citizen, channel="kiosk"
        )
        log.info("booking %s %s for %s %s", service, slot_id, mask_name(name), mask_id_number(id_number))
        return self.request(
            "POST", "/bookings", Booking, params={"lang": api_lang(lang)}, body=body,
            idempotency_key=idempotency_key,
        )

    def get_booking(self, booking_id: str, lang: str = "zh_Hans") -> Booking:
        """A booking again, its service and place named in ``lang``; nothing personal is sent."""
        return self.request(
            "GET", f"/bookings/{_segment(booking_id)}", Booking, params={"lang": api_lang(lang)}
        )

    def check_in(
        self,
        *,
        idempotency_key: str,
        check_in_code: str | None = None,
        qr_payload: str | None = None,
        id_number: str | None = None,
        lang: str = "zh_Hans",
    ) -> Ticket:
        """Check a booking in by typed code, any scanned text (the hall tells a booking QR from
        anything else: ``invalid_qr_payload``) or ID number; exactly one of them."""
        if len([v for v in (check_in_code, qr_payload, id_number) if v]) != 1:
            raise ValueError("check-in needs exactly one of check_in_code, qr_payload, id_number")
        body = CheckInBody.model_construct(
            check_in_code=check_in_code or None, qr_payload=qr_payload or None, id_number=id_number or None
        )
        return self.request(
            "POST", "/bookings/check-in", Ticket, params={"lang": api_lang(lang)}, body=body,
            idempotency_key=idempotency_key,
        )

    def create_ticket(
        self, service: str, *, idempotency_key: str, priority: str | None = None, lang: str = "zh_Hans"
    ) -> Ticket:
        # ``lang``: the service name and where to go come back in the citizen's language.
        return self.request(
            "POST", "/tickets", Ticket, params={"lang": api_lang(lang)},
            body=TicketBody.model_construct(service=service, priority=priority),
            idempotency_key=idempotency_key,
        )

    def get_ticket(self, ticket_id: str, lang: str = "zh_Hans") -> Ticket:
        return self.request("GET", f"/tickets/{_segment(ticket_id)}", Ticket, params={"lang": api_lang(lang)})

    def query_records(
        self,
        kind: str,
        id_number: str,
        name: str,
        *,
        lang: str = "zh_Hans",
        start: date | None = None,
        end: date | None = None,
        proof: Proof | None = None,
    ) -> RecordsResult:
        """The citizen's records; ``proof`` shows they are at the kiosk (DESIGN §4.5): without one
        the hall answers ``proof_required``."""
        body = RecordQueryBody.model_construct(
            kind=kind, id_number=id_number, name=name, lang=api_lang(lang), start=start, end=end, proof=proof
        )
        # The proof's kind only: a code or an e-ID token is as personal as the ID number.
        log.info("records %s for %s with %s proof", kind, mask_id_number(id_number),
                 proof.type if proof is not None else "no")
        return self.request("POST", "/records/query", RecordsResult, body=body)

    def certificate(
        self,
        kind: str,
        id_number: str,
        name: str,
        proof: Proof | None,
        lang: str = "zh_Hans",
        start: date | None = None,
        end: date | None = None,
    ) -> Certificate:
        """The hall's signed A4 certificate of one kind of record (DESIGN §4.8), with the same proof as
        the records query; the PDF is personal and kept only in memory."""
        body = CertificateBody.model_construct(
            kind=kind, id_number=id_number, name=name, lang=api_lang(lang), start=start, end=end, proof=proof
        )
        log.info("certificate %s for %s with %s proof", kind, mask_id_number(id_number),
                 proof.type if proof is not None else "no")
        what = "POST /records/certificate"
        response = self._send("POST", "/records/certificate", body=body, accept="application/pdf")
        if response.status_code >= 400:
            raise _refusal(response.status_code, _json_or_none(response))
        problem = certificate_problem(response.headers, response.content)
        if problem:
            raise HallError("bad_response", f"{what}: {problem}", status=response.status_code)
        return certificate_of(response.headers, response.content)

    def identity_challenge(self, id_number: str, name: str) -> Challenge:
        """Have the hall send a one-time code to the phone it has on file for this person; the
        answer looks the same whether or not the person exists or the name matches."""
        body = ChallengeBody.model_construct(id_number=id_number, name=name)
        log.info("identity challenge for %s %s", mask_name(name), mask_id_number(id_number))
        return self.request("POST", "/identity/challenge", Challenge, body=body)

    def review_reasons(self, lang: str = "zh_Hans") -> list[ReviewLevel]:
        found = self.request("GET", "/reviews/reasons", ReviewLevels, params={"lang": api_lang(lang)})
        return list(found.levels)

    def post_review(
        self,
        level: int,
        reasons: list[str],
        subject_type: str,
        subject_id: str,
        *,
        idempotency_key: str,
        comment: str | None = None,
    ) -> ReviewResult:
        body = ReviewBody.model_construct(
            level=level, reasons=list(reasons), comment=comment or None,
            subject=Subject.model_construct(type=subject_type, id=subject_id),
        )
        return self.request("POST", "/reviews", ReviewResult, body=body, idempotency_key=idempotency_key)

    def heartbeat(
        self, app_version: str, uptime_s: float, devices: Mapping[str, Any], screen: str | None = None
    ) -> HeartbeatReply:
        body = HeartbeatBody.model_construct(
            app_version=app_version, uptime_s=int(uptime_s), screen=screen,
            devices={name: DeviceState.model_construct(**state) for name, state in devices.items()},
        )
        reply = self.request("POST", "/kiosks/heartbeat", HeartbeatReply, body=body)
        self.learn_server_time(reply.server_time)
        return reply

    def learn_server_time(self, server_now: datetime | None) -> None:
        if server_now is None or server_now.tzinfo is None:
            return
        self.clock_offset = server_now - datetime.now(UTC)
        self.hall_tz = server_now.tzinfo

    def now(self) -> datetime:
        """The hall's current time as far as this kiosk knows it (aware)."""
        moment = datetime.now(UTC) + self.clock_offset
        return moment.astimezone(self.hall_tz) if self.hall_tz else moment.astimezone()

    def assist_status(self) -> AssistStatus:
        return self.request("GET", "/assist/status", AssistStatus)


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _answer(method: str, path: str, response: requests.Response, answer: type[M]) -> M:
    """The answer validated into its model, or the hall's refusal as HallError."""
    data = _json_or_none(response)
    if response.status_code >= 400:
        raise _refusal(response.status_code, data)
    if data is None:
        raise HallError("bad_response", f"{method} {path}: not JSON", status=response.status_code)
    return parse_answer(answer, data, f"{method} {path}")


def parse_answer(answer: type[M], data: Any, what: str) -> M:
    """``data`` as ``answer``, or HallError ``bad_response`` when it breaks the contract."""
    try:
        return answer.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_input=False)
        # Where and what, never the values (they may be ID numbers or names); the first few say enough.
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['type']}" for e in errors[:5])
        more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
        raise HallError("bad_response", f"{what}: {problems}{more}") from None


def _refusal(status: int, data: Any) -> HallError:
    try:
        error = ErrorBody.model_validate(data)
    except ValidationError:
        return HallError("http_error", f"HTTP {status}", status=status)
    extra = {k: v for k, v in data.items() if k != "error"}
    if isinstance(error.error.details, dict):
        extra.update(error.error.details)
    # Some errors carry fields beside the message (queue_closed has next_open).
    extra.update(error.error.model_extra or {})
    return HallError(error.error.code, error.error.message, status=status, details=extra)


def _error_code(response: requests.Response) -> str | None:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


def _segment(value: str) -> str:
    """A path segment, quoted so a code or id can never walk to another endpoint."""
    return quote(value, safe="")


def _retry_after(response: requests.Response) -> float:
    try:
        return min(5.0, max(0.0, float(response.headers.get("Retry-After", "0"))))
    except ValueError:
        return 0.0
