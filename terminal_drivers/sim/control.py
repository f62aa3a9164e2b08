"""The simulators' control channel: small JSON over HTTP on loopback, server and client.

POST /control {"device", "command", "args"} answers {"ok": true, ...} or, with a 4xx status,
{"error": {"code", "message"}}; GET /status describes every device and the faults in force.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from terminal_drivers.sim.engine import SimControlError
from terminal_drivers.sim.runner import DeviceServer

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_STATUS_BY_CODE = {
    "unknown_device": 404,
    "not_found": 404,
    "body_too_large": 413,
    "closed": 409,
    "simulator_unresponsive": 504,
}


class ControlChannelError(Exception):
    """A control request that failed: refused by the simulator, or the channel unreachable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_control_url(url: str) -> tuple[str, int]:
    """``tcp://127.0.0.1:PORT`` or ``http://127.0.0.1:PORT`` → (host, port); loopback only."""
    parts = urlsplit(url)
    if parts.scheme not in ("tcp", "http") or not parts.hostname:
        raise ValueError(f"control URL must look like tcp://127.0.0.1:PORT, not {url!r}")
    if parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError("the control channel listens on loopback only")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in {url!r}") from exc
    if port is None:
        raise ValueError(f"control URL needs a port: {url!r}")
    return parts.hostname, port


class ControlServer:
    """Serves POST /control and GET /status for ``devices`` (name → DeviceServer) in a thread."""

    def __init__(self, devices: dict[str, DeviceServer], host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in LOOPBACK_HOSTS:
            raise ValueError("the control channel listens on loopback only")
        self.devices = devices
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        text = host.decode() if isinstance(host, bytes) else host
        return f"http://{text}:{port}"

    def start(self) -> str:
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.1,), name="devsim control")
        self._thread.start()
        return self.url

    def close(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> ControlServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- request handling (pure enough to test without HTTP) ---------------------------------

    def handle(self, body: Any) -> dict[str, Any]:
        """Run one control request; raises SimControlError with a code the HTTP layer maps."""
        if not isinstance(body, dict):
            raise SimControlError("bad_request", "the body must be a JSON object")
        command = body.get("command")
        if not isinstance(command, str) or not command:
            raise SimControlError("bad_request", "command must be a non-empty string")
        args = body.get("args", {})
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise SimControlError("bad_request", "args must be a JSON object")
        name = body.get("device")
        if name is None and len(self.devices) == 1:
            name = next(iter(self.devices))
        if not isinstance(name, str) or name not in self.devices:
            known = ", ".join(sorted(self.devices))
            raise SimControlError("unknown_device", f"device must be one of: {known}")
        try:
            result = self.devices[name].control(command, args)
        except (KeyError, TypeError, ValueError) as exc:
            # An engine that chokes on odd arguments refuses the command; it must not drop it.
            raise SimControlError("bad_argument", f"{command}: {type(exc).__name__}: {exc}") from exc
        except TimeoutError as exc:
            raise SimControlError("simulator_unresponsive", f"{name} did not answer in time") from exc
        return {"ok": True, "device": name, **result}

    def status(self) -> dict[str, Any]:
        return {"ok": True, "devices": {name: srv.describe() for name, srv in self.devices.items()}}


def _handler_for(control: ControlServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "kiosk-devsim"

        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/status":
                self._error(SimControlError("not_found", "GET /status or POST /control"))
                return
            self._answer(200, control.status())

        def do_POST(self) -> None:
            if self.path.split("?")[0] != "/control":
                self._error(SimControlError("not_found", "GET /status or POST /control"))
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            if length < 0:
                self._error(SimControlError("bad_request", "a Content-Length is required"))
                return
            if length > MAX_BODY:
                self.close_connection = True
                self._error(SimControlError("body_too_large", f"at most {MAX_BODY} bytes"))
                return
            try:
                body = json.loads(self.rfile.read(length) or b"null")
            except (UnicodeDecodeError, json.JSONDecodeError):
                self._error(SimControlError("bad_json", "the body is not JSON"))
                return
            try:
                answer = control.handle(body)
            except SimControlError as exc:
                self._error(exc)
                return
            except Exception as exc:
                # The outermost guard of this server: an engine bug answers 500, never a dropped line.
                log.exception("control command failed")
                self._answer(500, {"error": {"code": "internal_error", "message": type(exc).__name__}})
                return
            self._answer(200, answer)

        def _error(self, exc: SimControlError) -> None:
            status = _STATUS_BY_CODE.get(exc.code, 400)
            self._answer(status, {"error": {"code": exc.code, "message": str(exc)}})

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False, default=str).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("control: " + format, *args)

    return Handler


def _base_url(url: str) -> str:
    host, port = parse_control_url(url)
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}"


def send_control(
    url: str,
    command: str,
    args: dict[str, Any] | None = None,
    *,
    device: str | None = None,
    timeout: float = 15.0,
) -> dict[str, Any]:
    """POST one command to a running simulator; raises ControlChannelError (code from the answer)."""
    payload: dict[str, Any] = {"command": command, "args": args or {}}
    if device is not None:
        payload["device"] = device
    request = urllib.request.Request(
        _base_url(url) + "/control",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    return _exchange(request, timeout)


def fetch_status(url: str, timeout: float = 15.0) -> dict[str, Any]:
    return _exchange(urllib.request.Request(_base_url(url) + "/status"), timeout)


def _exchange(request: urllib.request.Request, timeout: float) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read())["error"]
            code, message = str(error["code"]), str(error["message"])
        except (ValueError, KeyError, TypeError):
            code, message = "bad_answer", f"HTTP {exc.code}"
        raise ControlChannelError(code, message) from exc
    except (urllib.error.URLError, OSError) as exc:
        message = f"no simulator answers at {request.full_url}"
        raise ControlChannelError("control_unreachable", message) from exc
