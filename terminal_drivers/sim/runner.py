"""Serves a simulated device's byte engine on pseudo-terminals or loopback TCP ports (the wires in ``wires``).

One background thread owns every fd and every call into the engine, so an engine needs no
locking; ``control()`` from any thread (sync tests, an asyncio loop, the HTTP control channel)
is handed to that thread and waited for.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import heapq
import logging
import os
import queue
import selectors
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from terminal_drivers.sim.engine import DeviceEngine, SimControlError
from terminal_drivers.sim.faults import WireFaults
from terminal_drivers.sim.wires import Endpoint, PtyEndpoint, TcpEndpoint

log = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[int], None]

# Unsolicited output (a scan) is polled this often; also the longest a close() waits on select.
POLL_INTERVAL_S = 0.01
_CONTROL_WAIT_S = 10.0


class DeviceServer:
    """Serves ``engine`` on ptys and/or TCP ports from one background thread.

    ``start_pty``/``start_tcp`` return what ``transport.open_port`` accepts; ``control`` runs
    wire faults (unplug, replug, latency, drop, garble, silence, clear_faults) or passes the
    command to the engine. ``close()`` (or leaving the ``with`` block) releases every fd.
    """

    def __init__(self, engine: DeviceEngine, *, seed: int = 0, baudrate: int = 115200) -> None:
        self.engine = engine
        self.baudrate = baudrate
        self.faults = WireFaults(seed=seed)
        self.selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self.selector.register(self._wake_r, selectors.EVENT_READ, self._on_wake)
        self._commands: queue.SimpleQueue[tuple[Callable[[], Any], concurrent.futures.Future[Any]]]
        self._commands = queue.SimpleQueue()
        self._endpoints: list[Endpoint] = []
        self._pending: list[tuple[float, int, bytes]] = []
        self._sequence = 0
        self._last_due = 0.0
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._closed = False
        self._start_lock = threading.Lock()

    # -- public ----------------------------------------------------------------------------

    def start_pty(self, link: str | None = None) -> str:
        """Serve on a new pseudo-terminal; returns its path, or ``link`` (a symlink kept
        pointing at the current pty across replugs)."""
        if link is not None:
            link = str(Path(link).absolute())
        endpoint = PtyEndpoint(self, link)
        return self._call(lambda: self._add(endpoint))

    def start_tcp(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on a loopback TCP port; returns ``socket://HOST:PORT``."""
        endpoint = TcpEndpoint(self, host, port)
        return self._call(lambda: self._add(endpoint))

    def control(self, command: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a wire fault or an engine command; raises SimControlError on a bad one."""
        if not isinstance(command, str) or not command:
            raise SimControlError("unknown_command", "a command name is required")
        arguments = dict(args or {})
        return self._call(lambda: self._control(command, arguments))

    async def acontrol(self, command: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        """``control`` for asyncio code: waits in a worker thread, not on the event loop."""
        return await asyncio.to_thread(self.control, command, args)

    def describe(self) -> dict[str, Any]:
        """The device kind, its endpoints and the faults in force (for GET /status)."""
        return self._call(
            lambda: {
                "kind": getattr(self.engine, "kind", "device"),
                "endpoints": [e.describe() for e in self._endpoints],
                "faults": self.faults.as_json(),
            }
        )

    @property
    def addresses(self) -> list[str]:
        return [e.address() for e in self._endpoints]

    def close(self) -> None:
        """Stop the thread, close every pty, socket and pipe, remove the links. Idempotent."""
        with self._start_lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._stopping.set()
            self._wake()
            thread.join()
        for endpoint in self._endpoints:
            with contextlib.suppress(OSError, KeyError, ValueError):
                endpoint.unplug()
        self._endpoints.clear()
        self.selector.close()
        os.close(self._wake_r)
        os.close(self._wake_w)
        # Anyone still waiting on a command gets an answer rather than a hang.
        while True:
            try:
                _, future = self._commands.get_nowait()
            except queue.Empty:
                break
            future.set_exception(SimControlError("closed", "the simulator is shut down"))

    def __enter__(self) -> DeviceServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- called on the server thread ---------------------------------------------------------

    def host_bytes(self, data: bytes) -> None:
        """Bytes from the host: through the wire faults to the engine; schedule its reply."""
        data = self.faults.inbound(data)
        if not data:
            return
        try:
            reply = self.engine.receive(data)
        except Exception:
            # A simulator bug must not kill the line; the host then sees a timeout.
            log.exception("%s engine failed on %d bytes", getattr(self.engine, "kind", "device"), len(data))
            return
        if reply:
            delay = self.faults.latency_s
            reply_delay = getattr(self.engine, "reply_delay", None)
            if callable(reply_delay):
                delay += float(reply_delay())
            self._schedule(reply, delay)

    def _add(self, endpoint: Endpoint) -> str:
        endpoint.plug()
        self._endpoints.append(endpoint)
        return endpoint.address()

    def _control(self, command: str, args: dict[str, Any]) -> dict[str, Any]:
        if command == "unplug":
            for endpoint in self._endpoints:
                endpoint.unplug()
            self._pending.clear()
            return {"plugged": False, "endpoints": [e.describe() for e in self._endpoints]}
        if command == "replug":
            for endpoint in self._endpoints:
                endpoint.plug()
            return {"plugged": True, "endpoints": [e.describe() for e in self._endpoints]}
        result = self.faults.apply(command, args)
        if result is None:
            return self.engine.control(command, args)
        if command == "clear_faults":
            # Engines with faults of their own (the ID reader's SW3 faults) clear them too.
            try:
                result = {**self.engine.control(command, args), **result}
            except SimControlError as exc:
                if exc.code != "unknown_command":
                    raise
        return result

    def _schedule(self, data: bytes, delay: float) -> None:
        now = time.monotonic()
        # Replies never overtake one another, whatever their delays.
        due = max(now + delay, self._last_due)
        self._last_due = due
        if due <= now and not self._pending:
            self._send(data)
            return
        self._sequence += 1
        heapq.heappush(self._pending, (due, self._sequence, data))

    def _send(self, data: bytes) -> None:
        data = self.faults.outbound(data)
        if not data:
            return
        for endpoint in self._endpoints:
            endpoint.send(data)

    def _run(self) -> None:
        while not self._stopping.is_set():
            timeout = POLL_INTERVAL_S
            if self._pending:
                timeout = max(0.0, min(timeout, self._pending[0][0] - time.monotonic()))
            for key, mask in self.selector.select(timeout):
                handler: Handler = key.data
                handler(mask)
            self._run_commands()
            now = time.monotonic()
            while self._pending and self._pending[0][0] <= now:
                self._send(heapq.heappop(self._pending)[2])
            self._poll_engine()

    def _poll_engine(self) -> None:
        try:
            out = self.engine.poll_output()
        except Exception:
            log.exception("%s engine failed in poll_output", getattr(self.engine, "kind", "device"))
            return
        if out:
            self._schedule(out, self.faults.latency_s)

    def _run_commands(self) -> None:
        while True:
            try:
                fn, future = self._commands.get_nowait()
            except queue.Empty:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

    def _on_wake(self, mask: int) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self._wake_r, 512):
                pass

    # -- any thread --------------------------------------------------------------------------

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_w, b"\0")

    def _call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the server thread (starting it if needed) and return its result."""
        with self._start_lock:
            if self._closed:
                raise SimControlError("closed", "the simulator is shut down")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name=f"devsim {getattr(self.engine, 'kind', 'device')}", daemon=True
                )
                self._thread.start()
        if threading.current_thread() is self._thread:
            return fn()
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._commands.put((fn, future))
        self._wake()
        return future.result(timeout=_CONTROL_WAIT_S)
