"""deploy/nginx/gov-hall.conf: ``nginx -t`` accepts it with test certificates (trustme) in a temp prefix,
and a real nginx run from it serves a real hall node over TLS (JSON, Server-Sent Events, the signaling
WebSocket), passing over a dead node in the upstream, and keeps tokens in query strings out of its log."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trustme
import websockets

from hall_server.config import DEMO_KIOSK_TOKEN

ROOT = Path(__file__).resolve().parents[3]
SITE_CONF = ROOT / "deploy" / "nginx" / "gov-hall.conf"
NOW = "2026-11-25T10:00:00+08:00"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prefix(tmp: Path, nodes: list[int], https_port: int, http_port: int) -> Path:
    """The site file as deployed, its machine paths moved into ``tmp``; and a main file around it."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    (tmp / "tls").mkdir()
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp / "tls" / "fullchain.pem"))
    cert.private_key_pem.write_to_path(str(tmp / "tls" / "privkey.pem"))
    ca.cert_pem.write_to_path(str(tmp / "ca.pem"))
    (tmp / "logs").mkdir()
    (tmp / "temp").mkdir()
    site = SITE_CONF.read_text()
    site = site.replace("/etc/gov-hall/tls/", f"{tmp}/tls/").replace("/var/log/gov-hall/", f"{tmp}/logs/")
    site = site.replace("listen 443 ", f"listen 127.0.0.1:{https_port} ")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    # No IPv6 in every container; the IPv4 listeners are the same server.
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    servers = re.findall(r"server 127\.0\.0\.1:\d+", site)
    assert len(servers) >= 2, "the upstream names several nodes"
    for old, port in zip(servers, nodes, strict=False):
        site = site.replace(old, f"server 127.0.0.1:{port}", 1)
    (tmp / "conf.d").mkdir()
    (tmp / "conf.d" / "gov-hall.conf").write_text(site)
    temp = "\n".join(f"    {kind}_temp_path {tmp}/temp/{kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(f"""
pid {tmp}/nginx.pid;
error_log {tmp}/logs/error.log info;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
{temp}
    include {tmp}/conf.d/gov-hall.conf;
}}
""")
    return tmp


def _nginx(prefix: Path, *args: str) -> list[str]:
    return ["nginx", "-p", str(prefix), "-e", str(prefix / "logs" / "error.log"), "-c",
            str(prefix / "nginx.conf"), *args]


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    prefix = _prefix(tmp_path, [8001, 8002, 8003], 8443, 8080)
    done = subprocess.run(_nginx(prefix, "-t"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr


def test_nginx_would_refuse_a_broken_configuration(tmp_path: Path) -> None:
    prefix = _prefix(tmp_path, [8001, 8002, 8003], 8443, 8080)
    site = prefix / "conf.d" / "gov-hall.conf"
    site.write_text(site.read_text().replace("proxy_buffering off;", "proxy_buffering maybe;"))
    done = subprocess.run(_nginx(prefix, "-t"), capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "proxy_buffering" in done.stderr


def test_every_stream_location_is_unbuffered_and_sockets_are_upgraded() -> None:
    text = SITE_CONF.read_text()
    stream = re.search(r"location ~ (\S+) \{(.*?)\}", text, re.S)
    assert stream is not None and "proxy_buffering off;" in stream.group(2)
    streams = ("/api/v1/sites/HQ/calls/stream", "/api/v1/tickets/T1/stream", "/api/v1/windows/15/pad/stream")
    for path in streams:
        assert re.search(stream.group(1), path), path
    assert not re.search(stream.group(1), "/api/v1/sites/HQ/calls")
    sockets = re.search(r"location /ws/ \{(.*?)\}", text, re.S)
    assert sockets is not None
    assert "proxy_set_header Upgrade $http_upgrade;" in sockets.group(1)
    assert "proxy_set_header Connection $gov_hall_connection;" in sockets.group(1)


@dataclass
class Proxied:
    url: str
    ca: ssl.SSLContext
    prefix: Path


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    """nginx from the deployed file in front of one live hall node and two dead ones."""
    tmp = tmp_path_factory.mktemp("proxy")
    node = _free_port()
    dead = [_free_port(), _free_port()]
    env = {**os.environ, "HALL_DATA_DIR": str(tmp / "data")}
    # The hall's log goes to a file and its output is read to the end: a pipe nobody empties fills up
    # (64 KiB) and stops the hall at its next log line, whatever it was doing.
    log = (tmp / "hall.log").open("w")
    hall = subprocess.Popen(
        [sys.executable, "-m", "hall_server", "serve", "--port", str(node), "--db",
         f"sqlite:///{tmp / 'hall.sqlite3'}", "--demo", "--no-demo-history", "--now", NOW,
         "--trusted-proxy", "127.0.0.1/32"],
        stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    nginx: subprocess.Popen[str] | None = None
    try:
        assert hall.stdout is not None
        for line in hall.stdout:
            if line.startswith("listening on "):
                break
        else:
            raise AssertionError((tmp / "hall.log").read_text() or "hall did not start")
        threading.Thread(target=hall.stdout.read, daemon=True).start()
        https_port = _free_port()
        # The dead nodes come first: each request meets one before the live node (round robin).
        prefix = _prefix(tmp, [dead[0], node, dead[1]], https_port, _free_port())
        nginx = subprocess.Popen(_nginx(prefix, "-g", "daemon off;"), stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                if nginx.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(nginx.communicate()[0]) from None
                time.sleep(0.1)
        trust = ssl.create_default_context(cafile=str(tmp / "ca.pem"))
        yield Proxied(f"https://127.0.0.1:{https_port}", trust, prefix)
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=20)
        hall.terminate()
        hall.wait(timeout=20)
        log.close()


def test_json_through_the_proxy_over_tls_passes_over_dead_nodes(proxied: Proxied) -> None:
    with httpx.Client(verify=proxied.ca, headers={"Authorization": f"Bearer {DEMO_KIOSK_TOKEN}"},
                      timeout=10) as client:
        for _ in range(6):
            reply = client.get(f"{proxied.url}/api/v1/services", params={"q": "sbcx"})
            assert reply.status_code == 200 and reply.json()["services"]


def test_server_sent_events_arrive_through_the_proxy_as_they_happen(proxied: Proxied) -> None:
    with httpx.Client(verify=proxied.ca, timeout=httpx.Timeout(10, read=15)) as client, \
            client.stream("GET", f"{proxied.url}/api/v1/sites/HQ/calls/stream") as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        first = next(line for line in lines if line.startswith("data:"))
        assert json.loads(first[5:])  # the floor's state comes first
        issued = client.post(f"{proxied.url}/api/v1/tickets", json={"service": "SB-001"},
                             headers={"Authorization": f"Bearer {DEMO_KIOSK_TOKEN}"})
        assert issued.status_code == 201, issued.text
        started = time.monotonic()
        after = next(line for line in lines if line.startswith("data:"))
        # One more waiting person, pushed through at once (a buffering proxy would hold it).
        assert json.loads(after[5:]) and time.monotonic() - started < 5


async def test_the_signaling_websocket_is_upgraded_through_the_proxy(proxied: Proxied) -> None:
    url = proxied.url.replace("https://", "wss://") + "/ws/assist/kiosk"
    async with websockets.connect(url, ssl=proxied.ca, open_timeout=10) as ws:
        await ws.send(json.dumps({"type": "auth", "token": DEMO_KIOSK_TOKEN}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "welcome"


def test_plain_http_is_sent_to_https(proxied: Proxied) -> None:
    site = (proxied.prefix / "conf.d" / "gov-hall.conf").read_text()
    http_port = re.findall(r"listen 127\.0\.0\.1:(\d+);", site)[0]
    reply = httpx.get(f"http://127.0.0.1:{http_port}/display/HQ", timeout=10)
    assert reply.status_code == 301 and reply.headers["location"].startswith("https://")


def test_the_proxy_log_keeps_no_query_strings(proxied: Proxied) -> None:
    httpx.get(f"{proxied.url}/api/v1/services?token=secret-in-a-url", verify=proxied.ca, timeout=10)
    deadline = time.monotonic() + 5
    log = proxied.prefix / "logs" / "proxy-access.log"
    while "/api/v1/services" not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert "/api/v1/services" in text and "secret-in-a-url" not in text
