"""A Server-Sent Events reader for tests: the stream is read on a thread, its events queued in order."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
from typing import Any

import httpx

END = ("<end>", {})


class SseReader:
    """``with SseReader(url, token=...) as events: events.next()`` → (name, data); END when it ends."""

    def __init__(self, url: str, *, token: str | None = None, params: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.params = params or {}
        self.status: int | None = None
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self._opened = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(30, read=None))
        self._response: httpx.Response | None = None
        self._thread = threading.Thread(target=self._read, daemon=True)

    def _read(self) -> None:
        try:
            with self._client.stream("GET", self.url, params=self.params, headers=self.headers) as response:
                self._response = response
                self.status = response.status_code
                self._opened.set()
                name, data = "message", []
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        name = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif line == "" and data:
                        self.events.put((name, json.loads("\n".join(data))))
                        name, data = "message", []
        except (httpx.HTTPError, RuntimeError):
            pass  # closed by the test
        finally:
            self._opened.set()
            self.events.put(END)

    def __enter__(self) -> SseReader:
        self._thread.start()
        assert self._opened.wait(30), "the stream did not answer"
        return self

    def next(self, timeout: float = 10.0) -> tuple[str, dict[str, Any]]:
        return self.events.get(timeout=timeout)

    def next_named(self, name: str, timeout: float = 10.0) -> dict[str, Any]:
        """The next event called ``name``, skipping others; AssertionError when the stream ends first."""
        while True:
            event, data = self.next(timeout)
            if event == name:
                return data
            assert (event, data) != END, f"the stream ended before a {name!r} event"

    def __exit__(self, *exc: object) -> None:
        # Closing the client does not wake a read blocked on the socket: the reader thread waited for the
        # stream's next keep-alive (and the join up to 10 s), a phone at a time. Shutting the socket down
        # ends the read at once, and the server sees the phone go.
        stream = self._response.extensions.get("network_stream") if self._response is not None else None
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._client.close()
        self._thread.join(timeout=10)
