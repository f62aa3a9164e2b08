"""``/t/{ticket_id}``: a small page for a phone showing a ticket's number, state, people ahead and wait.

With scripting it follows ``/api/v1/tickets/{id}/stream`` live and, when the ticket is called, fills the
screen with the window to go to, chimes and vibrates (``/phone/phone.js``); without, it refreshes itself.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hall_server.api.auth import hall_of
from hall_server.usecases import tickets
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site

router = APIRouter(include_in_schema=False)
REFRESH_S = 20

STATES = {
    "waiting": ("等候中", "Waiting"),
    "called": ("请到窗口办理", "Please go to the counter"),
    "serving": ("正在办理", "Being served"),
    "done": ("已办结", "Completed"),
    "no_show": ("已过号", "Missed"),
    "transferred": ("已转至其他队列", "Transferred to another queue"),
}

PAGE = """<!doctype html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{refresh}
<title>{title}</title>
<link rel="stylesheet" href="/static/hall.css">
<link rel="stylesheet" href="/phone/phone.css">
<style>
 /* On top of the hall's shared look: a phone-sized card, the red of the printed ticket, large figures. */
 header {{ display: block; background: #b3261e; padding: 14px 18px; font-size: 18px; }}
 header small {{ display: block; color: #fff; opacity: .85; font-size: 13px; }}
 main {{ padding: 18px; max-width: 480px; margin: auto; }}
 .card {{ border: 0; border-radius: 12px; padding: 20px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }}
 .number {{ font-size: 64px; font-weight: 700; text-align: center; letter-spacing: 2px; margin: 6px 0; }}
 .state {{ text-align: center; font-size: 20px; font-weight: 600; color: {state_colour}; }}
 .state small, dt small {{ display: block; font-size: 13px; }}
 dl {{ display: grid; grid-template-columns: 1fr auto; gap: 12px 8px; margin: 22px 0 0; }}
 dd {{ margin: 0; font-size: 22px; font-weight: 600; text-align: right; }}
 footer {{ color: var(--muted); font-size: 12px; text-align: center; margin-top: 16px; }}
</style>
</head>
<body data-ticket="{ticket_id}" data-status="{status}">
<header>{site_name}<small>{service}</small></header>
<main>
<div class="card">
 <div class="number">{number}</div>
 <div class="state">{state_zh}<small>{state_en}</small></div>
 <dl>{details}</dl>
</div>
<footer>{footer}</footer>
</main>
{script}
</body>
</html>
"""

NOT_FOUND = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/hall.css">
<title>未找到 / Not found</title></head>
<body><main class="card" style="margin: 24px auto; max-width: 480px">
<h1>未找到该号票</h1><p>Ticket not found. Please check the QR code on your ticket.</p></main></body></html>
"""


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"约 {minutes} 分钟 / ~{minutes} min"


def render(ticket: dict[str, Any], site_name: str, now_text: str) -> str:
    zh, en = STATES.get(ticket["status"], (ticket["status"], ticket["status"]))
    rows: list[tuple[str, str, str]] = []
    if ticket["status"] == "waiting":
        rows.append(("前面还有", "People ahead", str(ticket["people_ahead"])))
        wait = ticket["estimated_wait_s"]
        rows.append(("预计等候", "Estimated wait", _minutes(wait) if wait else "即将叫号 / soon"))
    if ticket["counter"] and ticket["status"] in ("called", "serving"):
        rows.append(("办理窗口", "Counter", str(ticket["counter"])))
    if ticket.get("where"):
        rows.append(("办理地点", "Where", str(ticket["where"])))
    details = "".join(
        f"<dt>{escape(a)}<small>{escape(b)}</small></dt><dd>{escape(c)}</dd>" for a, b, c in rows
    )
    live = ticket["status"] in ("waiting", "called", "serving")
    colour = {"called": "#b3261e", "serving": "#1b7f3b"}.get(ticket["status"], "inherit")
    footer = (
        f"每 {REFRESH_S} 秒自动刷新 · Refreshes every {REFRESH_S} s · {now_text}"
        if live
        else f"更新于 Updated {now_text}"
    )
    return PAGE.format(
        # Inside <noscript>: a phone running the live script is not reloaded under it.
        refresh=f'<noscript><meta http-equiv="refresh" content="{REFRESH_S}"></noscript>' if live else "",
        ticket_id=escape(ticket["id"]),
        status=escape(ticket["status"]),
        script='<script type="module" src="/phone/phone.js"></script>' if live else "",
        title=escape(f"{ticket['number']} · {zh}"),
        site_name=escape(site_name),
        service=escape(ticket["service"]["name"]),
        number=escape(ticket["number"]),
        state_zh=escape(zh),
        state_en=escape(en),
        state_colour=colour,
        details=details,
        footer=escape(footer),
    )


@router.get("/t/{ticket_id}", response_class=HTMLResponse)
def tracking_page(ticket_id: str, request: Request) -> HTMLResponse:
    """The page the QR code on a printed ticket opens (public: the id is unguessable)."""
    hall = hall_of(request)
    now = hall.now()
    if not (3 <= len(ticket_id) <= 40 and ticket_id.startswith("t_")):
        return HTMLResponse(NOT_FOUND, status_code=404)
    try:
        ticket = tickets.ticket_answer(hall, ticket_id, now, "zh-Hans", str(request.base_url))
    except Refusal:
        return HTMLResponse(NOT_FOUND, status_code=404)
    profile = known_site(ticket["site"])
    local = now.astimezone(profile.tz)
    return HTMLResponse(
        render(ticket, profile.name("zh-Hans"), f"{local:%H:%M:%S}"), headers={"Cache-Control": "no-store"}
    )
