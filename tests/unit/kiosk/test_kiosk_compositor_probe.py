"""The compositor probe's Wayland round trip, against a compositor's socket the test holds and answers by
hand; and the watchdog fed only while it answers. A real cage: tests/integration/deploy/test_cage_probe.py."""

from __future__ import annotations

import select
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.compositor_probe import CompositorProbe
from kiosk.service_notify import LoopWatchdog, ServiceNotifier

SYNC = struct.pack("=III", 1, 12 << 16 | 0, 2)
DONE = struct.pack("=III", 2, 12 << 16 | 0, 7)
DELETED = struct.pack("=III", 1, 12 << 16 | 1, 2)


class Compositor:
    """The compositor's end: a listening socket named as a Wayland display is, answered by the test."""

    def __init__(self, runtime: Path) -> None:
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(runtime / "wayland-7"))
        self.listener.listen(1)
        self.listener.settimeout(5)
        self.client: socket.socket | None = None
        self.env = {"WAYLAND_DISPLAY": "wayland-7", "XDG_RUNTIME_DIR": str(runtime)}

    def request(self) -> bytes:
        if self.client is None:
            self.client, _ = self.listener.accept()
            self.client.settimeout(5)
        return self.client.recv(12, socket.MSG_WAITALL)

    def say(self, data: bytes) -> None:
        assert self.client is not None
        self.client.sendall(data)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        self.listener.close()


@pytest.fixture
def compositor(tmp_path: Path) -> Iterator[Compositor]:
    made = Compositor(tmp_path)
    yield made
    made.close()


def _arrived(probe: CompositorProbe) -> CompositorProbe:
    """The probe, once what the test just sent can be read from its socket."""
    assert probe._socket is not None
    select.select([probe._socket], [], [], 2)
    return probe


def test_each_check_asks_a_sync_and_the_next_sees_its_answer(compositor: Compositor) -> None:
    probe = CompositorProbe(compositor.env)
    assert probe.enabled and probe.answering()  # the first check asks
    assert compositor.request() == SYNC
    assert not probe.answering()  # not answered yet
    compositor.say(DONE + DELETED)
    assert _arrived(probe).answering()
    assert compositor.request() == SYNC  # and asks again, with the same callback id
    probe.close()


def test_a_silent_compositor_is_not_answering_until_it_answers(compositor: Compositor) -> None:
    probe = CompositorProbe(compositor.env)
    assert probe.answering()
    compositor.request()
    assert not probe.answering() and not probe.answering()
    time.sleep(0.05)
    silent = probe.silent_for()
    assert silent >= 0.05
    # The answer arrives in pieces, the callback's deletion last: only then may its id be used again.
    compositor.say(DONE[:5])
    assert not probe.answering()
    compositor.say(DONE[5:] + DELETED[:8])
    assert not probe.answering()
    compositor.say(DELETED[8:])
    assert _arrived(probe).answering()
    assert probe.silent_for() < silent  # the new round trip's, just asked
    probe.close()


@pytest.mark.parametrize(("said", "reason"), [
    (struct.pack("=IIII", 1, 16 << 16 | 0, 2, 1) + struct.pack("=I", 0), "protocol error"),
    (struct.pack("=II", 5, 8 << 16 | 0), "never asked for"),
    (struct.pack("=II", 1, 6 << 16 | 1), "not the Wayland protocol"),
    (b"", "closed its socket"),
])
def test_a_broken_or_closed_compositor_stays_not_answering(compositor: Compositor, said: bytes,
                                                           reason: str) -> None:
    probe = CompositorProbe(compositor.env)
    assert probe.answering()
    compositor.request()
    if said:
        compositor.say(said)
    else:
        assert compositor.client is not None
        compositor.client.close()
        compositor.client = None
    assert not _arrived(probe).answering()
    assert reason in probe.closed_reason
    assert not probe.answering()  # once broken, for good: the watchdog restarts the kiosk and cage


def test_no_compositor_socket_is_not_answering(tmp_path: Path) -> None:
    probe = CompositorProbe({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)})
    assert probe.enabled and not probe.answering()
    assert "FileNotFoundError" in probe.closed_reason


@pytest.mark.parametrize("env", [{}, {"WAYLAND_DISPLAY": "wayland-0"}, {"XDG_RUNTIME_DIR": "/run/user/1"}])
def test_without_a_wayland_display_nothing_is_asked(env: dict[str, str]) -> None:
    probe = CompositorProbe(env)
    assert not probe.enabled and probe.answering() and probe._socket is None


def test_an_absolute_display_path_is_used_as_it_is(compositor: Compositor, tmp_path: Path) -> None:
    probe = CompositorProbe({"WAYLAND_DISPLAY": str(tmp_path / "wayland-7")})
    assert probe.answering() and compositor.request() == SYNC
    probe.close()


@given(st.binary(max_size=200))
def test_whatever_the_compositor_sends_the_probe_answers_true_or_false(data: bytes) -> None:
    ours, theirs = socket.socketpair()
    try:
        probe = CompositorProbe({"WAYLAND_DISPLAY": "/unused"})
        ours.setblocking(False)
        probe._socket = ours
        assert probe.answering() is True
        theirs.sendall(data)
        assert probe.answering() in (True, False)
        assert probe.answering() in (True, False)
    finally:
        ours.close()
        theirs.close()


def test_the_watchdog_is_fed_only_while_the_compositor_answers(
        compositor: Compositor, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    manager = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    manager.bind(str(tmp_path / "notify"))
    manager.settimeout(0.5)
    notifier = ServiceNotifier({"NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": "30000000"})
    watchdog = LoopWatchdog(notifier, lambda: True, CompositorProbe(compositor.env))
    try:
        watchdog.feed()
        assert manager.recv(64) == b"WATCHDOG=1"
        assert compositor.request() == SYNC
        watchdog.feed()
        watchdog.feed()  # unanswered: nothing sent, and said once
        with pytest.raises(TimeoutError):
            manager.recv(64)
        said = [r.getMessage() for r in caplog.records if "compositor does not answer" in r.getMessage()]
        assert len(said) == 1 and "the watchdog is not fed" in said[0]
        compositor.say(DONE + DELETED)
        _arrived(watchdog.compositor)
        watchdog.feed()
        assert manager.recv(64) == b"WATCHDOG=1"
        assert any("answers again" in r.getMessage() for r in caplog.records)
    finally:
        watchdog.notifier.close()
        watchdog.compositor.close()
        manager.close()
