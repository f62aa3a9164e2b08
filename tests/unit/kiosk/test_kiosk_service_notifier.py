"""sd_notify as the kiosk speaks it: real datagrams on a socket the test binds; none without NOTIFY_SOCKET."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.service_notify import ServiceNotifier


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    """A service manager's notify socket, as systemd binds it."""
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    yield path, sock
    sock.close()


def test_states_arrive_as_one_datagram_each(manager: tuple[str, socket.socket]) -> None:
    path, sock = manager
    notifier = ServiceNotifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"})
    assert notifier.enabled and notifier.watchdog_s == 4.0
    assert notifier.send("READY=1") and notifier.send("WATCHDOG=1")
    assert [sock.recv(256), sock.recv(256)] == [b"READY=1", b"WATCHDOG=1"]
    notifier.close()


def test_an_abstract_socket_name_is_understood() -> None:
    name = f"kiosk-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        notifier = ServiceNotifier({"NOTIFY_SOCKET": "@" + name})
        assert notifier.send("READY=1")
        assert sock.recv(256) == b"READY=1"
        notifier.close()


def test_without_notify_socket_nothing_is_sent_and_nothing_opened() -> None:
    notifier = ServiceNotifier({})
    assert not notifier.enabled and notifier.watchdog_s is None
    assert notifier.send("READY=1") is False
    assert notifier._socket is None


@pytest.mark.parametrize("usec", ["", "0", "-5", "soon"])
def test_no_usable_watchdog_period_means_no_feeding(usec: str) -> None:
    assert ServiceNotifier({"NOTIFY_SOCKET": "/nowhere", "WATCHDOG_USEC": usec}).watchdog_s is None


def test_a_gone_manager_does_not_take_the_kiosk_with_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = ServiceNotifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert notifier.send("WATCHDOG=1") is False
    assert notifier.send("WATCHDOG=1") is False
    assert len([r for r in caplog.records if "service manager not told WATCHDOG" in r.getMessage()]) == 1
    notifier.close()
