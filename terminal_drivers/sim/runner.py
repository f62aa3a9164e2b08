"""Serves a simulated device's byte engine on a pseudo-terminal or a loopback TCP port.

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
import socket
import termios
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from terminal_drivers.sim.engine import DeviceEngine, SimControlError
from terminal_drivers.sim.faults import WireFaults

log = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[int], None]

_READ_CHUNK = 4096
# Unsolicited output (a scan) is polled this often; also the longest a close() waits on select.
POLL_INTERVAL_S = 0.01
# Bytes the host has not read are kept up to this much, then the oldest go (a real line loses them).
_MAX_BACKLOG = 64 * 1024
_CONTROL_WAIT_S = 10.0


class _Endpoint:
    """One wire the device is reachable on; plugged or not."""

    kind = ""

    def __init__(self, server: DeviceServer) -> None:
        self.server = server
        self.backlog = bytearray()

    @property
    def plugged(self) -> bool:
        raise NotImplementedError

    def plug(self) -> None:
        raise NotImplementedError

    def unplug(self) -> None:
        raise NotImplementedError

    def send(self, data: bytes) -> None:
        raise NotImplementedError

    def address(self) -> str:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "address": self.address(), "plugged": self.plugged}

    def _queue(self, data: bytes) -> None:
        self.backlog += data
        if len(self.backlog) > _MAX_BACKLOG:
            del self.backlog[: len(self.backlog) - _MAX_BACKLOG]


class _PtyEndpoint(_Endpoint):
    kind = "pty"

    def __init__(self, server: DeviceServer, link: str | None) -> None:
        super().__init__(server)
        self.link = link
        self.master: int | None = None
        # The simulator keeps the slave open too, so the master never sees EIO between two opens
        # by the host (the kiosk closing and reopening the port is not an unplug).
        self.slave: int | None = None
        self.path = ""

    @property
    def plugged(self) -> bool:
        return self.master is not None

    def address(self) -> str:
        return self.link or self.path

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "path": self.path, "link": self.link}

    def plug(self) -> None:
        if self.master is not None:
            return
        master, slave = os.openpty()
        try:
            tty.setraw(slave)
            _set_speed(slave, self.server.baudrate)
            os.set_blocking(master, False)
            self.path = os.ttyname(slave)
            if self.link:
                _point_link(self.link, self.path)
        except BaseException:
            os.close(master)
            os.close(slave)
            raise
        self.master, self.slave = master, slave
        self.server.selector.register(master, selectors.EVENT_READ, self._on_event)
        log.debug("pty %s plugged (%s)", self.path, self.link or "no link")

    def unplug(self) -> None:
        if self.master is None:
            return
        self.server.selector.unregister(self.master)
        os.close(self.master)
        if self.slave is not None:
            os.close(self.slave)
        self.master = self.slave = None
        self.backlog.clear()
        if self.link:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.link)
        log.debug("pty %s unplugged", self.path)

    def send(self, data: bytes) -> None:
        if self.master is None:
            return
        self._queue(data)
        self._flush()

    def _flush(self) -> None:
        assert self.master is not None
        while self.backlog:
            try:
                written = os.write(self.master, self.backlog)
            except BlockingIOError:
                break
            except OSError as exc:
                log.debug("pty %s write failed: %s", self.path, exc)
                self.backlog.clear()
                break
            del self.backlog[:written]
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if self.backlog else 0)
        self.server.selector.modify(self.master, events, self._on_event)

    def _on_event(self, mask: int) -> None:
        if self.master is None:
            return
        if mask & selectors.EVENT_WRITE:
            self._flush()
        if mask & selectors.EVENT_READ:
            try:
                data = os.read(self.master, _READ_CHUNK)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                # Only happens if every slave fd is closed, which our own open slave prevents.
                log.debug("pty %s read failed: %s", self.path, exc)
                return
            if data:
                self.server.host_bytes(data)


class _TcpEndpoint(_Endpoint):
    """A loopback TCP port behaving like a serial line: one host at a time, the newest wins."""

    kind = "tcp"

    def __init__(self, server: DeviceServer, host: str, port: int) -> None:
        super().__init__(server)
        self.host = host
        self.port = port
        self.listener: socket.socket | None = None
        self.conn: socket.socket | None = None

    @property
    def plugged(self) -> bool:
        return self.listener is not None

    def address(self) -> str:
        return f"socket://{self.host}:{self.port}"

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "connected": self.conn is not None}

    def plug(self) -> None:
        if self.listener is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(1)
            listener.setblocking(False)
        except BaseException:
            listener.close()
            raise
        self.port = listener.getsockname()[1]
        self.listener = listener
        self.server.selector.register(listener, selectors.EVENT_READ, self._on_accept)

    def unplug(self) -> None:
        self._drop_conn()
        if self.listener is not None:
            self.server.selector.unregister(self.listener)
            self.listener.close()
            self.listener = None

    def send(self, data: bytes) -> None:
        if self.conn is None:
            return  # nobody on the line: the bytes are lost, as on an unconnected serial cable
        self._queue(data)
        self._flush()

    def _flush(self) -> None:
        conn = self.conn
        assert conn is not None
        while self.backlog:
            try:
                sent = conn.send(self.backlog)
            except BlockingIOError:
                break
            except OSError:
                self._drop_conn()
                return
            del self.backlog[:sent]
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if self.backlog else 0)
        self.server.selector.modify(conn, events, self._on_conn)

    def _on_accept(self, mask: int) -> None:
        assert self.listener is not None
        try:
            conn, _ = self.listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        self._drop_conn()
        conn.setblocking(False)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = conn
        self.server.selector.register(conn, selectors.EVENT_READ, self._on_conn)

    def _on_conn(self, mask: int) -> None:
        if self.conn is None:
            return
        if mask & selectors.EVENT_WRITE:
            self._flush()
            if self.conn is None:
                return
        if mask & selectors.EVENT_READ:
            try:
                data = self.conn.recv(_READ_CHUNK)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b""
            if not data:
                self._drop_conn()
                return
            self.server.host_bytes(data)

    def _drop_conn(self) -> None:
        if self.conn is not None:
            self.server.selector.unregister(self.conn)
            self.conn.close()
            self.conn = None
        self.backlog.clear()


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
        self._endpoints: list[_Endpoint] = []
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
        endpoint = _PtyEndpoint(self, link)
        return self._call(lambda: self._add(endpoint))

    def start_tcp(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on a loopback TCP port; returns ``socket://HOST:PORT``."""
        endpoint = _TcpEndpoint(self, host, port)
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

    def _add(self, endpoint: _Endpoint) -> str:
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


def _point_link(link: str, target: str) -> None:
    """Make ``link`` a symlink to ``target`` atomically (a host never sees it missing mid-replug)."""
    path = Path(link)
    if path.exists() and not path.is_symlink():
        raise FileExistsError(f"{link} exists and is not a symlink")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, path)


def _set_speed(fd: int, baudrate: int) -> None:
    """Give the pty the configured speed (a pty does not throttle to it; stty shows it)."""
    speed = getattr(termios, f"B{baudrate}", None)
    if speed is None:
        return
    attrs = termios.tcgetattr(fd)
    attrs[4] = attrs[5] = speed
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
