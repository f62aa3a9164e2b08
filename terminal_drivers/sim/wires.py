"""The wires a simulated device is reachable on: a pseudo-terminal or a loopback TCP port, plugged or not.

Each wire belongs to a ``DeviceServer`` (its ``WireHost``) and is only touched on that server's thread;
bytes the host writes go to ``host.host_bytes``, the device's bytes wait in a bounded backlog.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import socket
import termios
import tty
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

_READ_CHUNK = 4096
# Bytes the host has not read are kept up to this much, then the oldest go (a real line loses them).
_MAX_BACKLOG = 64 * 1024


class WireHost(Protocol):
    """What a wire needs of the server it belongs to."""

    @property
    def selector(self) -> selectors.BaseSelector: ...

    @property
    def baudrate(self) -> int: ...

    def host_bytes(self, data: bytes) -> None: ...


class Endpoint:
    """One wire the device is reachable on; plugged or not."""

    kind = ""

    def __init__(self, server: WireHost) -> None:
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


class PtyEndpoint(Endpoint):
    kind = "pty"

    def __init__(self, server: WireHost, link: str | None) -> None:
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


class TcpEndpoint(Endpoint):
    """A loopback TCP port behaving like a serial line: one host at a time, the newest wins."""

    kind = "tcp"

    def __init__(self, server: WireHost, host: str, port: int) -> None:
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
