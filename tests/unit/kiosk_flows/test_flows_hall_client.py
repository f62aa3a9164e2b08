"""The hall client against a small scripted HTTP server: retries, idempotency keys, error codes."""

from __future__ import annotations

import json
import socket
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from kiosk.hall_client import HallClient, HallError, HallUnreachable, new_idempotency_key


class ScriptedServer:
    """Answers each request with the next scripted (status, body) and records what it got."""

    def __init__(self) -> None:
        self.script: list[tuple[Any, ...]] = []
        self.seen: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                outer.seen.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(raw) if raw else None,
                    }
                )
                entry = outer.script.pop(0) if outer.script else (500, {"error": {"code": "x"}})
                status, body = entry[0], entry[1]
                # A third item gives headers of its own (a PDF answer's type, code and digest).
                own = entry[2] if len(entry) > 2 else {}
                headers: dict[str, str] = {"Content-Type": "application/json", **own}
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)




TICKET = {
    "id": "t_1", "number": "B007", "queue": "B", "service": {"code": "SB-001", "name": "社保"},
    "site": "HQ", "status": "waiting", "priority": None, "booking_id": None,
    "issued_at": "2026-11-25T10:00:00+08:00", "people_ahead": 3, "estimated_wait_s": 540,
    "tracking_url": "http://h/t/t_1", "counter": None, "where": "一楼B区",
}


def test_retry_after_5xx_resends_the_same_idempotency_key(server: ScriptedServer, client: HallClient) -> None:
    server.script = [(503, {"error": {"code": "unavailable"}}), (201, TICKET)]
    key = new_idempotency_key()
    ticket = client.create_ticket("SB-001", idempotency_key=key, priority="elderly")
    assert ticket.number == "B007" and ticket.people_ahead == 3
    assert [s["headers"]["Idempotency-Key"] for s in server.seen] == [key, key]
    assert server.seen[0]["headers"]["Authorization"] == "Bearer tok"
    assert server.seen[1]["body"] == {"service": "SB-001", "priority": "elderly"}


def test_error_body_becomes_hall_error_without_retry(server: ScriptedServer, client: HallClient) -> None:
    server.script = [(409, {"error": {"code": "slot_full", "message": "full"}})]
    with pytest.raises(HallError) as info:
        client.create_booking("SB-001", "HQ:x", "110101199003074477", "张三", idempotency_key="k1")
    assert info.value.code == "slot_full" and info.value.status == 409
    assert not isinstance(info.value, HallUnreachable)
    assert len(server.seen) == 1


def test_queue_closed_keeps_next_open(server: ScriptedServer, client: HallClient) -> None:
    body = {"error": {"code": "queue_closed", "message": "closed"}, "next_open": "2026-11-26T09:00:00+08:00"}
    server.script = [(409, body)]
    with pytest.raises(HallError) as info:
        client.create_ticket("SB-001", idempotency_key="k")
    assert info.value.details["next_open"] == "2026-11-26T09:00:00+08:00"


def test_persistent_5xx_is_unreachable(server: ScriptedServer, client: HallClient) -> None:
    server.script = [(502, b"bad gateway")] * 3
    with pytest.raises(HallUnreachable):
        client.assist_status()
    assert len(server.seen) == 3


def test_429_is_retried(server: ScriptedServer, client: HallClient) -> None:
    status = {"staffed_now": True, "agents_online": 2}
    server.script = [(429, {"error": {"code": "rate_limited"}}), (200, status)]
    assert client.assist_status().agents_online == 2


def test_connection_refused_is_unreachable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = HallClient(f"http://127.0.0.1:{port}", "t", retries=1, backoff_s=0)
    with c, pytest.raises(HallUnreachable):
        c.services()


def test_malformed_body_is_bad_response(server: ScriptedServer, client: HallClient) -> None:
    server.script = [(200, {"days": [{"date": "not a date"}]})]
    with pytest.raises(HallError) as info:
        client.calendar("HQ", date(2026, 11, 1), date(2026, 11, 30))
    assert info.value.code == "bad_response"


def test_path_segments_are_quoted(server: ScriptedServer, client: HallClient) -> None:
    server.script = [(404, {"error": {"code": "not_found"}})]
    with pytest.raises(HallError):
        client.get_ticket("../fleet")
    assert server.seen[0]["path"] == "/api/v1/tickets/..%2Ffleet?lang=zh-Hans"


def test_lang_is_sent_in_api_form(server: ScriptedServer, client: HallClient) -> None:
    server.script = [(200, {"services": [], "departments": []})]
    client.services(q="sb", lang="zh_Hant")
    assert "lang=zh-Hant" in server.seen[0]["path"] and "q=sb" in server.seen[0]["path"]


async def test_async_twin_runs_off_the_loop(server: ScriptedServer, client: HallClient) -> None:
    server.script = [(200, TICKET)]
    ticket = await client.call(client.get_ticket, "t_1")
    assert ticket.tracking_url == "http://h/t/t_1"


def test_personal_data_is_masked_in_logs(
    server: ScriptedServer, client: HallClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    server.script = [(422, {"error": {"code": "invalid_id_number"}})]
    with pytest.raises(HallError):
        client.create_booking("SB-001", "s", "110101199003074477", "张三丰", idempotency_key="k")
    text = caplog.text
    assert "110101199003074477" not in text and "张三丰" not in text
    assert "1101**********4477" in text
