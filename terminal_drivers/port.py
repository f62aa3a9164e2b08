"""An asyncio serial port: one reader thread per port feeds a buffer that async reads wait on.

Every pyserial or OS error is translated here into the driver error tree, so a driver above
it catches ``DeviceError`` only; a vanished port (EIO on a pty, a reset socket) is
``DeviceDisconnected`` and ``reopen()`` is how a driver reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import termios
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from types import TracebackType

import serial

from terminal_drivers.errors import DeviceDisconnected, DeviceError, DeviceTimeout
from terminal_drivers.transport import open_port

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 1.0
# How long one blocking read in the reader thread may last; bounds how quickly close() returns
# on transports without cancel_read (socket://).
_POLL_S = 0.05
_CHUNK = 4096


class AsyncPort:
    """A serial port for asyncio code: ``async with AsyncPort(url, 115200) as port: ...``.

    Reads are served from a buffer filled by a background thread, so bytes that arrive between
    two reads are kept; ``reset_input()`` discards them. One coroutine reads at a time.
    """

    def __init__(self, url: str, baudrate: int = 115200, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.url = url
        self.baudrate = baudrate
        self.timeout = timeout
        self._serial: serial.SerialBase | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._buffer = bytearray()
        self._wakeup: asyncio.Event | None = None
        self._failure: DeviceError | None = None
        self._read_lock: asyncio.Lock | None = None
        # Serialises open/close/reopen: two opens at once would lock each other out.
        self._life = asyncio.Lock()
        # Bumped on every open so bytes a closed port's thread queued never reach the next session.
        self._generation = 0
        # Chunks the reader thread has handed to the loop, and the last one reset_input() voids:
        # bytes read before a reset but delivered after it must not pass for a fresh reply.
        self._chunks_sent = 0
        self._void_through = 0

    # -- life cycle ------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """True while the port is open and has not vanished under us."""
        return self._serial is not None and self._failure is None

    @property
    def in_waiting(self) -> int:
        """Bytes received and not yet read."""
        return len(self._buffer)

    async def open(self) -> None:
        """Open the port; raises DeviceNotFound or DeviceBusy."""
        async with self._life:
            if self._serial is not None:
                return
            self._loop = asyncio.get_running_loop()
            self._wakeup = asyncio.Event()
            self._read_lock = asyncio.Lock()
            self._buffer.clear()
            self._failure = None
            self._chunks_sent = self._void_through = 0
            opening = asyncio.ensure_future(
                asyncio.to_thread(open_port, self.url, self.baudrate, timeout=_POLL_S)
            )
            try:
                port = await asyncio.shield(opening)
            except asyncio.CancelledError:
                # The thread finishes opening anyway: close what it opens, or the port stays locked.
                opening.add_done_callback(_close_if_opened)
                raise
            self._serial = port
            self._stop = threading.Event()
            self._generation += 1
            self._thread = threading.Thread(
                target=self._read_forever,
                args=(port, self._stop, self._generation),
                name=f"port-reader {self.url}",
                daemon=True,
            )
            self._thread.start()

    async def close(self) -> None:
        """Close the port and stop its reader thread; safe to call twice or after a disconnect."""
        async with self._life:
            port, thread = self._serial, self._thread
            self._serial = None
            self._thread = None
            if port is None:
                return
            self._stop.set()
            with contextlib.suppress(Exception):
                port.cancel_read()
            try:
                if thread is not None:
                    await asyncio.to_thread(thread.join, 2.0)
            finally:
                # Even when the close is cancelled: the fd and its exclusive lock must go.
                with contextlib.suppress(Exception):
                    port.close()
                if self._wakeup is not None:
                    self._wakeup.set()

    async def reopen(self) -> None:
        """Close (quietly) and open again: how a driver reconnects after a re-plug."""
        await self.close()
        await self.open()

    async def __aenter__(self) -> AsyncPort:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- writing ---------------------------------------------------------------------------

    async def write(self, data: bytes) -> None:
        """Write ``data`` and return once it is handed to the device (written and flushed)."""
        port = self._require_open()
        try:
            await asyncio.to_thread(_write_and_flush, port, bytes(data))
        except serial.SerialTimeoutException as exc:
            raise DeviceTimeout(f"write to {self.url} timed out") from exc
        except (serial.SerialException, OSError) as exc:
            failure = DeviceDisconnected(f"write to {self.url} failed: {exc}")
            self._fail(failure)
            raise failure from exc

    # -- reading ---------------------------------------------------------------------------

    # The shared driver interface takes per-call timeouts (a protocol's reply deadline), hence noqa.
    async def read(self, n: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        """Up to ``n`` bytes: whatever is buffered, or the first bytes to arrive; b"" on timeout."""
        async with self._locked():
            if not self._buffer:
                await self._wait_for(_longer_than(self._buffer, 0), timeout)
            return self._take(min(n, len(self._buffer)))

    async def read_exactly(self, n: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        """Exactly ``n`` bytes, or DeviceTimeout (the partial bytes stay buffered)."""
        async with self._locked():
            if not await self._wait_for(_longer_than(self._buffer, n - 1), timeout):
                raise DeviceTimeout(f"{self.url}: wanted {n} bytes, got {len(self._buffer)}")
            return self._take(n)

    async def read_until(
        self,
        terminators: bytes | Sequence[bytes],
        timeout: float | None = None,  # noqa: ASYNC109
        idle_gap: float | None = None,
    ) -> bytes:
        """Bytes up to and including the first terminator found.

        With ``idle_gap``, bytes followed by that much silence also end the read (scanners that
        send no terminator). Raises DeviceTimeout when neither happens within ``timeout``; the
        partial bytes stay buffered.
        """
        ends = [terminators] if isinstance(terminators, bytes) else [t for t in terminators if t]
        async with self._locked():
            deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
            while True:
                cut = _first_terminator(self._buffer, ends)
                if cut is not None:
                    return self._take(cut)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DeviceTimeout(f"{self.url}: no terminator within the timeout")
                have = len(self._buffer)
                gap_counts = idle_gap is not None and have > 0 and idle_gap <= remaining
                wait = idle_gap if gap_counts and idle_gap is not None else remaining
                grew = await self._wait_for(_longer_than(self._buffer, have), wait)
                if gap_counts and not grew:
                    return self._take(have)

    def reset_input(self) -> None:
        """Discard everything received and not yet read, including chunks still on their way.

        Raises DeviceDisconnected when the port has vanished under us (an unplugged device).
        """
        self._buffer.clear()
        self._void_through = self._chunks_sent
        port = self._serial
        if self._failure is not None:
            raise DeviceDisconnected(str(self._failure))
        if port is not None:
            try:
                port.reset_input_buffer()
            except (serial.SerialException, OSError, termios.error) as exc:
                # tcflush on a pty whose other end vanished raises termios.error, which is no OSError.
                raise DeviceDisconnected(f"{self.url} went away: {exc}") from exc

    # -- internals -------------------------------------------------------------------------

    def _require_open(self) -> serial.SerialBase:
        if self._failure is not None:
            raise DeviceDisconnected(str(self._failure))
        if self._serial is None:
            raise DeviceDisconnected(f"{self.url} is not open")
        return self._serial

    @contextlib.asynccontextmanager
    async def _locked(self) -> AsyncIterator[None]:
        # After a disconnect the bytes that did arrive can still be read; after close() nothing.
        if self._serial is None or self._read_lock is None:
            raise DeviceDisconnected(f"{self.url} is not open")
        async with self._read_lock:
            yield

    async def _wait_for(self, condition: Callable[[], bool], within: float | None) -> bool:
        """Wait until ``condition()`` holds; False on timeout; DeviceDisconnected if the port died."""
        assert self._wakeup is not None
        deadline = time.monotonic() + (self.timeout if within is None else within)
        while not condition():
            if self._failure is not None:
                raise DeviceDisconnected(str(self._failure))
            if self._serial is None:
                raise DeviceDisconnected(f"{self.url} was closed")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), remaining)
        return True

    def _take(self, n: int) -> bytes:
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    def _fail(self, failure: DeviceError, generation: int | None = None) -> None:
        if generation is not None and generation != self._generation:
            return
        if self._failure is None:
            log.info("%s: %s", self.url, failure)
            self._failure = failure
        if self._wakeup is not None:
            self._wakeup.set()

    def _deliver(self, generation: int, chunk: int, data: bytes) -> None:
        if generation != self._generation or self._serial is None or chunk <= self._void_through:
            return
        self._buffer.extend(data)
        if self._wakeup is not None:
            self._wakeup.set()

    def _read_forever(self, port: serial.SerialBase, stop: threading.Event, generation: int) -> None:
        """Reader thread: move bytes from the port into the loop's buffer until stopped."""
        loop = self._loop
        assert loop is not None
        while not stop.is_set():
            try:
                data = port.read(1)
                if data:
                    waiting = port.in_waiting
                    while waiting:
                        data += port.read(min(waiting, _CHUNK))
                        waiting = port.in_waiting
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                # TypeError/AttributeError: pyserial touching a socket or fd close() just released.
                if stop.is_set():
                    return
                failure = DeviceDisconnected(f"{self.url} went away: {exc}")
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._fail, failure, generation)
                return
            if data:
                try:
                    # Numbered under the GIL before it is queued, so reset_input() sees it as sent.
                    self._chunks_sent += 1
                    loop.call_soon_threadsafe(self._deliver, generation, self._chunks_sent, data)
                except RuntimeError:  # the loop is closed: nobody is listening any more
                    return


def _close_if_opened(opening: asyncio.Future[serial.SerialBase]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        with contextlib.suppress(Exception):
            opening.result().close()


def _longer_than(buffer: bytearray, n: int) -> Callable[[], bool]:
    return lambda: len(buffer) > n


def _write_and_flush(port: serial.SerialBase, data: bytes) -> None:
    port.write(data)
    port.flush()


def _first_terminator(buffer: bytearray, ends: list[bytes]) -> int | None:
    """Length of the buffer prefix ending with the earliest terminator, or None."""
    best: int | None = None
    for end in ends:
        at = buffer.find(end)
        if at >= 0 and (best is None or at + len(end) < best):
            best = at + len(end)
    return best

