"""The compositor probe against a real cage (Debian's, as a kiosk runs under it, here on wlroots' headless
backend): it answers, a frozen cage does not, and a cage that ends is not answering for good."""

from __future__ import annotations

import os
import pwd
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.compositor_probe import CompositorProbe

HEADLESS = {"WLR_BACKENDS": "headless", "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman"}


@pytest.fixture
def cage() -> Iterator[tuple[subprocess.Popen[bytes], dict[str, str]]]:
    assert shutil.which("cage"), "cage is not installed: scripts/install-system-deps.sh installs it"
    runtime = Path(tempfile.mkdtemp(prefix="cage-probe-"))
    command = ["cage", "--", "sleep", "600"]
    if os.geteuid() == 0:
        # cage refuses to run as root: as nobody, with a runtime directory of its own.
        nobody = pwd.getpwnam("nobody")
        os.chown(runtime, nobody.pw_uid, nobody.pw_gid)
        command = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
                   *command]
    runtime.chmod(0o700)
    proc = subprocess.Popen(command, env={**os.environ, **HEADLESS, "XDG_RUNTIME_DIR": str(runtime)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while not (sockets := [p for p in runtime.glob("wayland-*") if p.is_socket()]):
            if proc.poll() is not None or time.monotonic() > deadline:
                stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise AssertionError(f"cage did not make its socket: {stderr[-800:]}")
            time.sleep(0.05)
        yield proc, {"WAYLAND_DISPLAY": sockets[0].name, "XDG_RUNTIME_DIR": str(runtime)}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        shutil.rmtree(runtime, ignore_errors=True)


def _answer_can_come(probe: CompositorProbe, within_s: float = 5) -> None:
    assert probe._socket is not None
    select.select([probe._socket], [], [], within_s)


def test_cage_answers_a_frozen_cage_does_not_and_a_thawed_one_does_again(
        cage: tuple[subprocess.Popen[bytes], dict[str, str]]) -> None:
    proc, env = cage
    probe = CompositorProbe(env)
    try:
        assert probe.answering()  # asks
        _answer_can_come(probe)
        assert probe.answering()  # cage answered; asks again
        _answer_can_come(probe)
        # cage's own process (setpriv became it): frozen as a hung compositor is.
        proc.send_signal(signal.SIGSTOP)
        assert probe.answering()  # the round trip asked before the freeze was answered; asks again
        _answer_can_come(probe, within_s=1.5)
        assert not probe.answering() and not probe.answering()
        assert probe.silent_for() >= 1.0 and not probe.closed_reason
        proc.send_signal(signal.SIGCONT)
        _answer_can_come(probe)
        assert probe.answering()
    finally:
        probe.close()


def test_a_cage_that_ends_is_not_answering_for_good(
        cage: tuple[subprocess.Popen[bytes], dict[str, str]]) -> None:
    proc, env = cage
    probe = CompositorProbe(env)
    try:
        assert probe.answering()
        _answer_can_come(probe)
        assert probe.answering()
        proc.terminate()
        proc.wait(10)
        _answer_can_come(probe)
        assert not probe.answering()
        assert probe.closed_reason
        assert not probe.answering()
    finally:
        probe.close()
