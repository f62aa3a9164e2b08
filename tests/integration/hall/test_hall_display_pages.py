"""The calling screens' pages and voice clips as a browser asks for them: public, refused when unknown, and
no clip route that climbs out of its pack."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Hall

pytestmark = pytest.mark.db


@pytest.mark.parametrize(("path", "status", "kind"), [
    ("/display/HQ", 200, "text/html"),
    ("/display/HQ?area=一楼B区", 200, "text/html"),
    ("/display/HQ/window/15", 200, "text/html"),
    ("/display/NOPE", 404, "text/html"),
    ("/display/HQ/window/99", 404, "text/html"),
    ("/display/ST01/window/1", 404, "text/html"),
    ("/display/files/display.js", 200, "text/javascript"),
    ("/display/voice/default/chime.opus", 200, "audio/ogg"),
    ("/display/voice/default/yue/hao_chuangkou_banli.opus", 200, "audio/ogg"),
])
def test_pages_and_clips(hall: Hall, path: str, status: int, kind: str) -> None:
    reply = httpx.get(hall.url + path, timeout=10)
    assert reply.status_code == status and reply.headers["content-type"].startswith(kind)


@pytest.mark.parametrize("path", [
    "/display/voice/default/manifest.json",
    "/display/voice/default/LICENSE",
    "/display/voice/default/%2e%2e/default/chime.opus",
    "/display/voice/default/zh-Hans/%2e%2e/chime.opus",
    "/display/voice/default/zh-Hans%2F..%2F..%2F..%2Fconfig.py",
    "/display/voice/default/%2Fetc%2Fpasswd",
    "/display/voice/default/..%5C..%5Capp.py",
    "/display/voice/nope/chime.opus",
])
def test_nothing_but_a_packs_own_clips_is_served(hall: Hall, path: str) -> None:
    # Sent as written: httpx would otherwise resolve the dots itself.
    reply = httpx.Client(timeout=10).send(httpx.Request("GET", hall.url + path))
    assert reply.status_code == 404, path
    assert b"OggS" not in reply.content and b"import" not in reply.content


def test_the_pages_carry_no_data_of_their_own(hall: Hall) -> None:
    page = httpx.get(hall.url + "/display/HQ", timeout=10).text
    assert 'src="/display/files/display.js"' in page and "innerHTML" not in page
    for script in ("display.js", "window.js", "floor.js", "announcer.js"):
        assert "innerHTML" not in httpx.get(f"{hall.url}/display/files/{script}", timeout=10).text
