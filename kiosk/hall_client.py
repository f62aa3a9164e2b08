"""The kiosk's client of the hall server's JSON API (docs/api.md): typed calls, retries, errors.

Blocking calls use one ``requests.Session``; the ``*_async`` twins run them in a worker thread so
the UI never waits on the network.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, TypeVar
from urllib.parse import quote

import requests

from citizen_id.masking import mask_id_number, mask_name
from kiosk.hall_models import (
    AssistStatus,
    Booking,
    CalendarDay,
    Catalogue,
    RecordsResult,
    ReviewLevel,
    ReviewResult,
    Service,
    SlotList,
    Ticket,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

API_PREFIX = "/api/v1"
# Kiosk languages (gettext catalogue names) to the API's ``lang`` values.
API_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}


class HallError(Exception):
    """The hall server refused a call: ``code`` is its stable snake_case error code."""

    def __init__(
        self,
        code: str,
        message: str = "",
        *,
        status: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status
        self.details: dict[str, Any] = dict(details or {})


class HallUnreachable(HallError):
    """The hall server could not be reached (connection refused, timeout, 5xx after retries)."""

    def __init__(self, message: str = "") -> None:
        super().__init__("hall_unreachable", message)


def new_idempotency_key() -> str:
    """One key per citizen action; the same key is sent again on every retry of that action."""
    return uuid.uuid4().hex


def api_lang(lang: str) -> str:
    return API_LANG.get(lang, lang)


# --- The client ---------------------------------------------------------------------------------


class HallClient:
    """Typed calls to the hall server for one kiosk (its bearer token names the kiosk and site)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = 5.0,
        *,
        retries: int = 2,
        backoff_s: float = 0.3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"hall URL must start with http:// or https://, got {base_url!r}")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.base_url = base_url.rstrip("/")
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

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HallClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport --

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """One call with retries (connection errors, 5xx and 429 only); returns the JSON body."""
        url = f"{self.base_url}{API_PREFIX}{path}"
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        query = {k: v for k, v in (params or {}).items() if v is not None}
        last_problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff_s * (2 ** (attempt - 1)))
            try:
                response = self._http.request(
                    method, url, params=query, json=body, headers=headers, timeout=self.timeout
                )
            except requests.RequestException as exc:
                last_problem = type(exc).__name__
                log.info("hall %s %s: %s (attempt %d)", method, path, last_problem, attempt + 1)
                continue
            if response.status_code >= 500 or response.status_code == 429:
                last_problem = f"HTTP {response.status_code}"
                log.info("hall %s %s: %s (attempt %d)", method, path, last_problem, attempt + 1)
                if response.status_code == 429 and attempt < self.retries:
                    self._sleep(_retry_after(response))
                continue
            return self._decode(method, path, response)
        raise HallUnreachable(f"{method} {path}: {last_problem}")

    def _decode(self, method: str, path: str, response: requests.Response) -> Any:
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 400:
            error = data.get("error") if isinstance(data, dict) else None
            if isinstance(error, dict) and isinstance(error.get("code"), str):
                details = error.get("details")
                extra = {k: v for k, v in data.items() if k != "error"} if isinstance(data, dict) else {}
                if isinstance(details, dict):
                    extra.update(details)
                # Some errors carry fields beside the message (queue_closed has next_open).
                extra.update({k: v for k, v in error.items() if k not in ("code", "message", "details")})
                raise HallError(
                    error["code"], str(error.get("message", "")), status=response.status_code, details=extra
                )
            raise HallError("http_error", f"HTTP {response.status_code}", status=response.status_code)
        if data is None:
            raise HallError("bad_response", f"{method} {path}: not JSON", status=response.status_code)
        return data

    def _parse(self, parse: Callable[[Any], T], data: Any, what: str) -> T:
        try:
            return parse(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise HallError("bad_response", f"{what}: {exc}") from exc

    # -- endpoints --

    def services(
        self, q: str | None = None, lang: str = "zh_Hans", department: str | None = None
    ) -> Catalogue:
        params = {"q": q, "lang": api_lang(lang), "department": department}
        data = self.request("GET", "/services", params=params)
        return self._parse(Catalogue.from_json, data, "services")

    def service(self, code: str, lang: str = "zh_Hans") -> Service:
        data = self.request("GET", f"/services/{_segment(code)}", params={"lang": api_lang(lang)})
        return self._parse(Service.from_json, data, "service")

    def calendar(self, site: str, start: date, end: date, lang: str = "zh_Hans") -> list[CalendarDay]:
        params = {"from": start.isoformat(), "to": end.isoformat(), "lang": api_lang(lang)}
        data = self.request("GET", f"/sites/{_segment(site)}/calendar", params=params)
        return self._parse(lambda d: [CalendarDay.from_json(day) for day in d["days"]], data, "calendar")

    def slots(self, site: str, service: str, day: date) -> SlotList:
        params = {"service": service, "date": day.isoformat()}
        data = self.request("GET", f"/sites/{_segment(site)}/slots", params=params)
        return self._parse(SlotList.from_json, data, "slots")

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
        citizen = {"id_number": id_number, "name": name}
        if phone:
            citizen["phone"] = phone
        body = {"service": service, "slot_id": slot_id, "citizen": citizen, "channel": "kiosk"}
        log.info("booking %s %s for %s %s", service, slot_id, mask_name(name), mask_id_number(id_number))
        data = self.request(
            "POST", "/bookings", params={"lang": api_lang(lang)}, body=body, idempotency_key=idempotency_key
        )
        return self._parse(Booking.from_json, data, "booking")

    def get_booking(self, booking_id: str, lang: str = "zh_Hans") -> Booking:
        """A booking again, its service and place named in ``lang``; nothing personal is sent."""
        data = self.request("GET", f"/bookings/{_segment(booking_id)}", params={"lang": api_lang(lang)})
        return self._parse(Booking.from_json, data, "booking")

    def check_in(
        self,
        *,
        idempotency_key: str,
        check_in_code: str | None = None,
        qr_payload: str | None = None,
        id_number: str | None = None,
        lang: str = "zh_Hans",
    ) -> Ticket:
        given = {"check_in_code": check_in_code, "qr_payload": qr_payload, "id_number": id_number}
        body = {k: v for k, v in given.items() if v}
        if len(body) != 1:
            raise ValueError("check-in needs exactly one of check_in_code, qr_payload, id_number")
        data = self.request(
            "POST", "/bookings/check-in", params={"lang": api_lang(lang)}, body=body,
            idempotency_key=idempotency_key,
        )
        return self._parse(Ticket.from_json, data, "ticket")

    def create_ticket(
        self, service: str, *, idempotency_key: str, priority: str | None = None, lang: str = "zh_Hans"
    ) -> Ticket:
        # ``lang``: the service name and where to go come back in the citizen's language.
        body = {"service": service, "priority": priority}
        data = self.request(
            "POST", "/tickets", params={"lang": api_lang(lang)}, body=body, idempotency_key=idempotency_key
        )
        return self._parse(Ticket.from_json, data, "ticket")

    def get_ticket(self, ticket_id: str, lang: str = "zh_Hans") -> Ticket:
        data = self.request("GET", f"/tickets/{_segment(ticket_id)}", params={"lang": api_lang(lang)})
        return self._parse(Ticket.from_json, data, "ticket")

    def query_records(
        self,
        kind: str,
        id_number: str,
        name: str,
        *,
        lang: str = "zh_Hans",
        start: date | None = None,
        end: date | None = None,
    ) -> RecordsResult:
        body: dict[str, Any] = {"kind": kind, "id_number": id_number, "name": name, "lang": api_lang(lang)}
        if start:
            body["from"] = start.isoformat()
        if end:
            body["to"] = end.isoformat()
        log.info("records %s for %s", kind, mask_id_number(id_number))
        data = self.request("POST", "/records/query", body=body)
        return self._parse(RecordsResult.from_json, data, "records")

    def review_reasons(self, lang: str = "zh_Hans") -> list[ReviewLevel]:
        data = self.request("GET", "/reviews/reasons", params={"lang": api_lang(lang)})
        return self._parse(lambda d: [ReviewLevel.from_json(x) for x in d["levels"]], data, "reasons")

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
        body: dict[str, Any] = {
            "level": level,
            "reasons": list(reasons),
            "subject": {"type": subject_type, "id": subject_id},
        }
        if comment:
            body["comment"] = comment
        data = self.request("POST", "/reviews", body=body, idempotency_key=idempotency_key)
        return self._parse(ReviewResult.from_json, data, "review")

    def heartbeat(
        self, app_version: str, uptime_s: float, devices: Mapping[str, Any], screen: str | None = None
    ) -> dict[str, Any]:
        body = {
            "app_version": app_version, "uptime_s": int(uptime_s), "devices": dict(devices), "screen": screen
        }
        data = self.request("POST", "/kiosks/heartbeat", body=body)
        if not isinstance(data, dict):
            return {}
        self.learn_server_time(data.get("server_time"))
        return data

    def learn_server_time(self, value: object) -> None:
        if not isinstance(value, str):
            return
        try:
            server_now = datetime.fromisoformat(value)
        except ValueError:
            return
        if server_now.tzinfo is None:
            return
        self.clock_offset = server_now - datetime.now(UTC)
        self.hall_tz = server_now.tzinfo

    def now(self) -> datetime:
        """The hall's current time as far as this kiosk knows it (aware)."""
        moment = datetime.now(UTC) + self.clock_offset
        return moment.astimezone(self.hall_tz) if self.hall_tz else moment.astimezone()

    def assist_status(self) -> AssistStatus:
        data = self.request("GET", "/assist/status")
        return self._parse(AssistStatus.from_json, data, "assist status")

    # -- the same calls off the UI thread --

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run any blocking method of this client in a worker thread."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def services_async(
        self, q: str | None = None, lang: str = "zh_Hans", department: str | None = None
    ) -> Catalogue:
        return await asyncio.to_thread(self.services, q, lang, department)

    async def service_async(self, code: str, lang: str = "zh_Hans") -> Service:
        return await asyncio.to_thread(self.service, code, lang)

    async def calendar_async(
        self, site: str, start: date, end: date, lang: str = "zh_Hans"
    ) -> list[CalendarDay]:
        return await asyncio.to_thread(self.calendar, site, start, end, lang)

    async def slots_async(self, site: str, service: str, day: date) -> SlotList:
        return await asyncio.to_thread(self.slots, site, service, day)

    async def create_booking_async(
        self, service: str, slot_id: str, id_number: str, name: str, *, idempotency_key: str,
        phone: str | None = None, lang: str = "zh_Hans",
    ) -> Booking:
        return await asyncio.to_thread(
            lambda: self.create_booking(
                service, slot_id, id_number, name, idempotency_key=idempotency_key, phone=phone, lang=lang
            )
        )

    async def get_booking_async(self, booking_id: str, lang: str = "zh_Hans") -> Booking:
        return await asyncio.to_thread(self.get_booking, booking_id, lang)

    async def check_in_async(
        self, *, idempotency_key: str, check_in_code: str | None = None, qr_payload: str | None = None,
        id_number: str | None = None, lang: str = "zh_Hans",
    ) -> Ticket:
        return await asyncio.to_thread(
            lambda: self.check_in(
                idempotency_key=idempotency_key, check_in_code=check_in_code, qr_payload=qr_payload,
                id_number=id_number, lang=lang,
            )
        )

    async def create_ticket_async(
        self, service: str, *, idempotency_key: str, priority: str | None = None, lang: str = "zh_Hans"
    ) -> Ticket:
        return await asyncio.to_thread(
            lambda: self.create_ticket(service, idempotency_key=idempotency_key, priority=priority, lang=lang)
        )

    async def get_ticket_async(self, ticket_id: str, lang: str = "zh_Hans") -> Ticket:
        return await asyncio.to_thread(self.get_ticket, ticket_id, lang)

    async def query_records_async(
        self, kind: str, id_number: str, name: str, *, lang: str = "zh_Hans",
        start: date | None = None, end: date | None = None,
    ) -> RecordsResult:
        return await asyncio.to_thread(
            lambda: self.query_records(kind, id_number, name, lang=lang, start=start, end=end)
        )

    async def review_reasons_async(self, lang: str = "zh_Hans") -> list[ReviewLevel]:
        return await asyncio.to_thread(self.review_reasons, lang)

    async def post_review_async(
        self, level: int, reasons: list[str], subject_type: str, subject_id: str, *,
        idempotency_key: str, comment: str | None = None,
    ) -> ReviewResult:
        return await asyncio.to_thread(
            lambda: self.post_review(
                level, reasons, subject_type, subject_id, idempotency_key=idempotency_key, comment=comment
            )
        )

    async def heartbeat_async(
        self, app_version: str, uptime_s: float, devices: Mapping[str, Any], screen: str | None = None
    ) -> dict[str, Any]:
        return await asyncio.to_thread(self.heartbeat, app_version, uptime_s, devices, screen)

    async def assist_status_async(self) -> AssistStatus:
        return await asyncio.to_thread(self.assist_status)


def _segment(value: str) -> str:
    """A path segment, quoted so a code or id can never walk to another endpoint."""
    return quote(value, safe="")


def _retry_after(response: requests.Response) -> float:
    try:
        return min(5.0, max(0.0, float(response.headers.get("Retry-After", "0"))))
    except ValueError:
        return 0.0
