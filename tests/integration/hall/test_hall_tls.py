"""``hall-server serve --tls-cert/--tls-key`` as an operator runs it: HTTPS and WSS to clients that trust the
hall's CA (made here with trustme), a clear refusal to those that do not, and one line for bad files."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
import websockets
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from hall_server.config import DEMO_KIOSK_TOKEN
from hall_server.demo import DEMO_PASSWORD
from kiosk.hall_client import HallClient, HallUnreachable
from remote_assist.call_setup import AssistCallError
from remote_assist.kiosk_peer import KioskPeer
from remote_assist.media import synthetic_media
from remote_assist.staff_peer import StaffPeer

HALL = [sys.executable, "-m", "hall_server"]
NOW = "2026-11-25T10:00:00+08:00"  # a Wednesday morning: video help is staffed


@dataclass
class TlsHall:
    url: str
    ca_file: str
    other_ca_file: str


def _server_files(ca: trustme.CA, directory: Path) -> tuple[Path, Path]:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    chain, key = directory / "hall-chain.pem", directory / "hall-key.pem"
    chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    key.write_bytes(cert.private_key_pem.bytes())
    return chain, key


def _serve(tmp: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "HALL_DATA_DIR": str(tmp / "data")}
    return subprocess.Popen(
        [*HALL, "serve", "--port", "0", "--db", f"sqlite:///{tmp / 'hall.sqlite3'}", "--demo",
         "--no-demo-history", "--now", NOW, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


@pytest.fixture(scope="module")
def tls_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsHall]:
    tmp = tmp_path_factory.mktemp("tls-hall")
    ca, other = trustme.CA(), trustme.CA()
    chain, key = _server_files(ca, tmp)
    ca.cert_pem.write_to_path(str(tmp / "ca.pem"))
    other.cert_pem.write_to_path(str(tmp / "other-ca.pem"))
    proc = _serve(tmp, "--tls-cert", str(chain), "--tls-key", str(key))
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("listening on "):
                break
        else:
            raise AssertionError(f"serve did not start: {lines} {proc.stderr.read() if proc.stderr else ''}")
        yield TlsHall(line.split()[-1], str(tmp / "ca.pem"), str(tmp / "other-ca.pem"))
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_hall_says_it_listens_on_https(tls_hall: TlsHall) -> None:
    assert tls_hall.url.startswith("https://127.0.0.1:")


def test_the_kiosk_client_trusting_the_hall_ca_is_served(tls_hall: TlsHall) -> None:
    with HallClient(tls_hall.url, DEMO_KIOSK_TOKEN, ca_file=tls_hall.ca_file) as hall:
        catalogue = hall.services(q="sbcx")
    assert any(service.code.startswith("SB") for service in catalogue.services)


@pytest.mark.parametrize("trust", ["system", "other"])
def test_a_kiosk_client_that_does_not_trust_the_hall_ca_fails_at_once_with_a_clear_error(
    tls_hall: TlsHall, trust: str
) -> None:
    ca_file = tls_hall.other_ca_file if trust == "other" else ""
    slept: list[float] = []
    with HallClient(tls_hall.url, DEMO_KIOSK_TOKEN, ca_file=ca_file, sleep=slept.append) as hall, \
            pytest.raises(HallUnreachable) as caught:
        hall.services()
    assert caught.value.code == "hall_unreachable"
    message = str(caught.value)
    assert "TLS certificate is not trusted" in message and "certificate verify failed" in message
    assert "hall.ca_file" in message and "\n" not in message
    assert slept == []  # not retried: another try meets the same certificate


def test_plain_http_to_the_tls_port_is_not_served(tls_hall: TlsHall) -> None:
    with pytest.raises(httpx.HTTPError):
        httpx.get(tls_hall.url.replace("https://", "http://") + "/api/v1/services", timeout=5)


def _staff_token(tls_hall: TlsHall) -> str:
    login = {"username": "agent1", "password": DEMO_PASSWORD}
    reply = httpx.post(f"{tls_hall.url}/api/v1/auth/login", json=login, verify=_context(tls_hall.ca_file),
                         timeout=10)
    reply.raise_for_status()
    return str(reply.json()["token"])


async def test_a_kiosk_and_an_agent_talk_over_wss_with_tokens_in_first_messages(tls_hall: TlsHall) -> None:
    wss = tls_hall.url.replace("https://", "wss://") + "/ws/assist/staff"
    staff = await StaffPeer.connect(wss, ["general"], token=_staff_token(tls_hall), ca_file=tls_hall.ca_file)
    events: list[str] = []
    first_video = asyncio.Event()

    def record(kind: str, _data: dict[str, Any]) -> None:
        events.append(kind)
        if kind == "first_video":
            first_video.set()

    peer = KioskPeer(tls_hall.url, DEMO_KIOSK_TOKEN, media=lambda: synthetic_media("kiosk-01", 320, 240),
                     on_event=record, ca_file=tls_hall.ca_file)
    assert peer.url.startswith("wss://") and "token" not in peer.url
    try:
        async with asyncio.timeout(60):
            call = asyncio.create_task(peer.call("general", "zh-Hans"))
            await staff.take_call()
            await first_video.wait()  # the agent's video decoded at the kiosk, through a WSS-signalled call
            await staff.both_tracks.wait()  # and the kiosk's at the agent
            await peer.hangup()
            assert await call == "kiosk_hangup"
    finally:
        await staff.close()


async def test_a_kiosk_call_without_the_hall_ca_fails_with_a_clear_error(tls_hall: TlsHall) -> None:
    peer = KioskPeer(tls_hall.url, DEMO_KIOSK_TOKEN, media=lambda: synthetic_media("k", 320, 240))
    with pytest.raises(AssistCallError) as caught:
        await asyncio.wait_for(peer.call("general"), 20)
    assert caught.value.code == "hall_unreachable"
    assert "TLS certificate is not trusted" in str(caught.value) and "hall.ca_file" in str(caught.value)


async def test_a_signaling_client_without_the_hall_ca_is_refused_before_a_message(tls_hall: TlsHall) -> None:
    wss = tls_hall.url.replace("https://", "wss://") + "/ws/assist/kiosk"
    with pytest.raises(OSError, match="CERTIFICATE_VERIFY_FAILED"):
        await websockets.connect(wss, open_timeout=10)
    # The same socket with the CA, the token sent as the first message: welcomed.
    async with websockets.connect(wss, open_timeout=10, ssl=_context(tls_hall.ca_file)) as ws:
        await ws.send(json.dumps({"type": "auth", "token": DEMO_KIOSK_TOKEN}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "welcome"


def _context(ca_file: str) -> Any:
    import ssl

    return ssl.create_default_context(cafile=ca_file)


# --- bad files: one line with a stable code, exit 2, nothing served --------------------------------


def _refused(tmp: Path, *extra: str) -> tuple[int, str]:
    proc = _serve(tmp, *extra)
    _out, err = proc.communicate(timeout=60)
    return proc.returncode, err


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("tls-files")
    ca = trustme.CA()
    chain, key = _server_files(ca, tmp)
    (tmp / "other").mkdir()
    _other_chain, other_key = _server_files(ca, tmp / "other")
    garbage = tmp / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    encrypted = tmp / "encrypted-key.pem"
    private = load_pem_private_key(key.read_bytes(), password=None)
    encrypted.write_bytes(private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret")))
    return {"chain": chain, "key": key, "other_key": other_key, "garbage": garbage, "encrypted": encrypted,
            "missing": tmp / "nowhere.pem"}


@pytest.mark.parametrize(("cert", "key", "code"), [
    ("chain", None, "tls_pair_incomplete"),
    ("missing", "key", "tls_file_missing"),
    ("chain", "missing", "tls_file_missing"),
    ("chain", "other_key", "tls_key_mismatch"),
    ("garbage", "key", "tls_file_invalid"),
    ("chain", "garbage", "tls_file_invalid"),
    ("key", "chain", "tls_file_invalid"),
    ("chain", "encrypted", "tls_key_encrypted"),
])
def test_bad_tls_files_are_refused_in_one_line_with_a_stable_code(
    tmp_path: Path, files: dict[str, Path], cert: str, key: str | None, code: str
) -> None:
    extra = ["--tls-cert", str(files[cert])] + (["--tls-key", str(files[key])] if key else [])
    status, err = _refused(tmp_path, *extra)
    assert status == 2, err
    assert err.startswith(f"hall-server: error: {code}: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert not (tmp_path / "hall.sqlite3").exists()  # refused before the database was touched


# --- the technician's test call over TLS -----------------------------------------------------------


def _technician_call(tls_hall: TlsHall, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "remote_assist.kiosk_peer", "--hall", tls_hall.url, "--token",
         DEMO_KIOSK_TOKEN, "--skill", "general", "--synthetic", "--seconds", "1", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_technician_call_without_the_ca_says_why_it_failed(tls_hall: TlsHall) -> None:
    out, err = _technician_call(tls_hall).communicate(timeout=60)
    assert err.startswith("error hall_unreachable: the hall's TLS certificate is not trusted"), err + out


async def test_the_technician_call_with_the_ca_reaches_an_agent(tls_hall: TlsHall) -> None:
    wss = tls_hall.url.replace("https://", "wss://") + "/ws/assist/staff"
    staff = await StaffPeer.connect(wss, ["general"], token=_staff_token(tls_hall), ca_file=tls_hall.ca_file)
    call = _technician_call(tls_hall, "--ca-file", tls_hall.ca_file)
    try:
        async with asyncio.timeout(60):
            await staff.take_call()
            out, err = await asyncio.to_thread(call.communicate, timeout=60)
    finally:
        if call.poll() is None:
            call.kill()
        await staff.close()
    assert call.returncode == 0, out + err
    assert "ended reason=kiosk_hangup" in out
