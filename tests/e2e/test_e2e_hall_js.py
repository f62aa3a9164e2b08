"""The hall pages' shared /static/hall.js in headless Chromium: the API's error shape, the event stream."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from hall_server.web import pages

pytestmark = [pytest.mark.e2e]


def _app() -> FastAPI:
    app = FastAPI()
    pages.install(app)
    opened: list[int] = []

    @app.get("/blank")
    def blank() -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>blank</title>")

    @app.get("/api/v1/refused")
    def refused() -> JSONResponse:
        return JSONResponse({"error": {"code": "queue_empty", "message": "Nobody waiting"}}, status_code=409)

    @app.get("/api/v1/broken")
    def broken() -> PlainTextResponse:
        return PlainTextResponse("upstream down", status_code=502)

    @app.post("/api/v1/echo")
    async def echo(request: Request) -> dict[str, Any]:
        return {"authorization": request.headers.get("authorization"), "body": await request.json()}

    @app.get("/calls/stream")
    def calls_stream() -> Response:
        # The first connection is refused, which a browser's EventSource never retries by itself.
        opened.append(1)
        if len(opened) == 1:
            return PlainTextResponse("starting", status_code=503)
        event = f'id: {len(opened)}\ndata: {{"type": "called", "ticket": "B00{len(opened)}"}}\n\n'
        return Response(event, media_type="text/event-stream")

    return app


@pytest.fixture
def site() -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(uvicorn.Config(_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the test server did not start")
        threading.Event().wait(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
async def page(site: str, browser: Any) -> AsyncIterator[Any]:
    tab = await browser.new_page()
    await tab.goto(f"{site}/blank")
    try:
        yield tab
    finally:
        await tab.close()


async def test_api_throws_the_error_code_and_sends_the_token(page: Any) -> None:
    result = await page.evaluate(
        """async () => {
            const { api } = await import("/static/hall.js");
            const caught = async (path) => {
              try { await api(path); return null; } catch (e) { return [e.code, e.message, e.status]; }
            };
            return {
              refused: await caught("/refused"),
              broken: await caught("/broken"),
              echo: await api("/echo", { method: "POST", body: { n: 1 }, token: "tok" }),
            };
        }"""
    )
    assert result["refused"] == ["queue_empty", "Nobody waiting", 409]
    assert result["broken"][0] == "http_502" and result["broken"][2] == 502
    assert result["echo"] == {"authorization": "Bearer tok", "body": {"n": 1}}


async def test_stream_reopens_after_a_refused_connection_and_parses_json(page: Any) -> None:
    async with asyncio.timeout(30):
        events = await page.evaluate(
            """() => new Promise(async (resolve) => {
                const { stream } = await import("/static/hall.js");
                const seen = [];
                const link = stream("/calls/stream", (type, data, id) => {
                  seen.push([type, data.ticket, id]);
                  if (seen.length === 2) { link.close(); resolve(seen); }
                }, { retryMs: 200 });
            })"""
        )
    # Connection 1 is refused (503); 2 and 3 deliver one event each (3 after the server ended 2).
    assert events == [["message", "B002", "2"], ["message", "B003", "3"]]


async def test_languages_are_named_in_themselves(page: Any) -> None:
    names = await page.evaluate(
        """async () => {
            const { languageName } = await import("/static/hall.js");
            return ["zh-Hans", "zh-Hant", "en", "fr"].map(languageName);
        }"""
    )
    assert names == ["简体中文", "繁體中文", "English", "fr"]
