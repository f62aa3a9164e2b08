"""The whole kiosk app in a video call under software GL: CPU, frame rates both ways, chat latency.

    python bench/kiosk_call.py [--seconds 60] [--cpu-hog]

Runs a demo hall server, the kiosk application (``KioskApp``, real Kivy window under Xvfb with
``LIBGL_ALWAYS_SOFTWARE=1``) in its own process, driven by touches through the window to a video
call, and the headless staff peer (``remote_assist.staff_peer``, aiortc, 320x240@30) in this
process. The staff sends a chat every second (the kiosk echoes it back) and hangs up after
``--seconds``; ``--cpu-hog`` keeps one core busy with a spinning process during the call. Prints
the kiosk's CPU (% of one core, all its threads), frame rates both ways (sent by the kiosk /
received by the staff; sent by the staff / received and drawn by the kiosk), how late the kiosk's
event loop comes back to a 10 ms sleep (what every packet of the call waits on top of its own
work), the kiosk's sent format steps, data-channel latency each way, and whether the call lasted
its full length, against budgets; exits 1 when a figure is over. ``--verbose`` prints the kiosk's
counts every second. Other jobs on the machine make the figures noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.kiosk_start import find_id, kiosk_config, start_hall, start_xvfb, tap, until  # noqa: E402

BUDGET_CPU_PCT = 100.0  # of one core: a call must leave the kiosk's second core to everything else
BUDGET_SENT_FPS = 5.0  # the ladder's lowest step
BUDGET_DRAWN_FPS = 5.0
BUDGET_DC_P95_MS = 1000.0
BUDGET_LOOP_LAG_MS = 50.0  # every packet of the call waits this on top of its own work
WARM_UP_S = 3.0  # past the first key frames and bitrate ramp-up


# -- the kiosk process ------------------------------------------------------------------------------


def emit(kind: str, **data: Any) -> None:
    # Straight to the descriptor: Kivy may have put its own writer in place of sys.stdout.
    os.write(1, (json.dumps({"kind": kind, "t": time.time(), **data}) + "\n").encode())


async def child(hall_url: str, limit_s: float) -> None:
    from kiosk.app import KioskApp
    from kiosk.kivy_setup import configure_kivy

    # The call's warnings (and why it ended) on the kiosk's log, past Kivy's own redirections.
    handler = logging.StreamHandler(os.fdopen(os.dup(2), "w", buffering=1))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    for name in ("kiosk.flows.assist", "remote_assist", "aiortc", "aioice"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    config = kiosk_config(hall_url)
    configure_kivy(config)
    app = KioskApp(config)
    runner = asyncio.ensure_future(app.async_run(async_lib="asyncio"))

    async def progress() -> None:
        # Where the kiosk stands, on its log, should a step never come.
        while True:
            await asyncio.sleep(2)
            screen = app.current
            os.write(2, f"kiosk on {app.current_screen} ({getattr(screen, 'state', '-')})\n".encode())

    lags: list[float] = []

    async def probe() -> None:
        # How late the kiosk's event loop comes back to a 10 ms sleep: the wait every network
        # packet, chat line and frame of the call has on top of its own work.
        while True:
            asked = time.monotonic()
            await asyncio.sleep(0.01)
            lags.append(time.monotonic() - asked - 0.01)

    from kivy.core.window import Window

    draws: list[float] = []
    drawing: dict[str, float] = {}
    # A window redraw (render and swap) blocks the kiosk's one thread: how long each takes.
    Window.bind(on_draw=lambda *_: drawing.__setitem__("at", time.monotonic()))
    Window.bind(on_flip=lambda *_: draws.append(time.monotonic() - drawing.get("at", time.monotonic())))

    watcher = asyncio.ensure_future(progress())
    prober = asyncio.ensure_future(probe())
    await until(lambda: app.root is not None and app.current_screen == "attract")
    for target, then in (("start", "home"), ("tile_video_help", "video_call")):
        # A moment for the screen to settle (a clock in its top bar keeps it redrawing).
        await asyncio.sleep(0.5)
        tap(find_id(app.current, target))
        await until(lambda then=then: app.current_screen == then)
    screen = app.current
    await asyncio.sleep(0.5)
    emit("calling")
    tap(find_id(screen, "allow_call"))
    await until(lambda: screen.state == "in_call" and screen.has_staff_video, limit_s)
    call = screen.call
    emit("in_call", pid=os.getpid())
    seen = 0
    next_report = time.monotonic()
    deadline = time.monotonic() + limit_s
    while screen.state == "in_call" and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        staff_lines = [line.text for line in call.view.chat if not line.mine]
        for text in staff_lines[seen:]:
            arrived = time.time()
            if text.startswith("ping "):
                _, n, sent = text.split()
                emit("chat", n=int(n), latency_s=arrived - float(sent))
                app.run_task(call.say(f"echo {n} {time.time()}"))
        seen = len(staff_lines)
        if time.monotonic() >= next_report:
            next_report += 1.0
            sending = call.peer.sending
            received = sum(s.frames for s in call.peer.sinks if s.kind == "video")
            emit("counts", sent=sending.sent if sending else 0, drawn=screen.staff_frames_drawn,
                 received=received, step=sending.step.label if sending else "-",
                 lag_max_s=max(lags, default=0.0), lag_mean_s=sum(lags) / max(1, len(lags)),
                 redraws=len(draws), redraw_s=sum(draws))
            lags.clear()
            draws.clear()
    await until(lambda: screen.state in ("ended", "failed", "unavailable"), 30)
    end = call.ended
    sending = call.peer.sending
    steps = [] if sending is None else [
        {"at": at, "step": step.label} for at, step in sending.adapter.changes
    ]
    emit("ended", code=end.code if end else None, reason=end.reason if end else None,
         duration_s=end.duration_s if end else None, steps=steps, started=time.monotonic())
    watcher.cancel()
    prober.cancel()
    app.stop()
    await runner
    await app.aclose()


# -- the parent: hall, staff peer, hog, table -------------------------------------------------------


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def staff_token(hall_url: str) -> str:
    import httpx

    from hall_server.demo import DEMO_PASSWORD

    login = {"username": "agent1", "password": DEMO_PASSWORD}
    reply = httpx.post(f"{hall_url}/api/v1/auth/login", json=login)
    reply.raise_for_status()
    return str(reply.json()["token"])


async def parent(options: argparse.Namespace) -> int:
    from remote_assist.staff_peer import StaffPeer

    xvfb = start_xvfb()
    hog: subprocess.Popen[bytes] | None = None
    with tempfile.TemporaryDirectory(prefix="kiosk-call-") as tmp:
        hall, hall_url = start_hall(Path(tmp))
        env = {**os.environ, "LIBGL_ALWAYS_SOFTWARE": "1", "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1",
               "KIOSK_CACHE_DIR": str(Path(tmp) / "cache"), "PYTHONPATH": str(ROOT)}
        env.pop("KIOSK_ASSIST_CAMERA", None)  # the kiosk's own default: the synthetic 640x480@30
        ws_url = hall_url.replace("http://", "ws://") + f"/ws/assist/staff?token={staff_token(hall_url)}"
        staff = await StaffPeer.connect(ws_url, ["general"])
        kiosk_log = Path(tmp) / "kiosk.log"
        kiosk = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--child", "--hall", hall_url, "--seconds", str(options.seconds + 60),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=kiosk_log.open("wb"),
        )
        lines: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        async def read() -> None:
            assert kiosk.stdout is not None
            async for raw in kiosk.stdout:
                if raw.startswith(b"{"):
                    lines.put_nowait(json.loads(raw))

        reader = asyncio.ensure_future(read())

        kiosk_chats: list[dict[str, Any]] = []
        counts: list[dict[str, Any]] = []
        ends: list[dict[str, Any]] = []

        def take(line: dict[str, Any]) -> None:
            {"chat": kiosk_chats, "counts": counts, "ended": ends}.get(line["kind"], []).append(line)
            if options.verbose and line["kind"] == "counts":
                print("  ", {k: v for k, v in line.items() if k not in ("kind", "t")}, flush=True)

        async def next_line(kind: str) -> dict[str, Any]:
            while True:
                line = await asyncio.wait_for(lines.get(), 90)
                take(line)
                if line["kind"] == kind:
                    return line

        try:
            print("calling", flush=True)
            await staff.take_call()
            await next_line("in_call")
            await staff.channel_open.wait()
            if options.cpu_hog:
                hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])  # noqa: ASYNC220
            print(f"in call for {options.seconds:.0f} s{' with a CPU hog' if options.cpu_hog else ''}",
                  flush=True)
            echoes: list[float] = []
            staff_camera = next(s.track for s in staff.pc.getSenders() if s.track and s.track.kind == "video")
            staff_video = next(s for s in staff.sinks if s.kind == "video")

            async def stamp_echoes() -> None:
                # Stamped as they arrive: the loop below wakes only once a second.
                while True:
                    message = await staff.next_dc("chat")
                    if message["text"].startswith("echo "):
                        echoes.append(time.time() - float(message["text"].split()[2]))

            stamper = asyncio.ensure_future(stamp_echoes())
            started = time.monotonic()
            window: dict[str, float] = {}
            cpu_now = (started, cpu_s(kiosk.pid))
            n = 0
            while time.monotonic() - started < options.seconds and not ends and kiosk.returncode is None:
                await asyncio.sleep(1.0)
                with contextlib.suppress(FileNotFoundError):
                    cpu_now = (time.monotonic(), cpu_s(kiosk.pid))
                if not window and time.monotonic() - started >= WARM_UP_S:
                    window = {"t": cpu_now[0], "cpu": cpu_now[1], "rx": staff_video.frames,
                              "tx": staff_camera._count, "counts": len(counts)}
                while not lines.empty():
                    take(lines.get_nowait())
                if staff.channel is None or staff.channel.readyState != "open":
                    into = time.monotonic() - started
                    print(f"the data channel closed {into:.0f} s into the call", flush=True)
                    break
                n += 1
                staff.push({"type": "chat", "text": f"ping {n} {time.time()}"})
            span = cpu_now[0] - window["t"]
            cpu = 100 * (cpu_now[1] - window["cpu"]) / span
            staff_rx = (staff_video.frames - window["rx"]) / span
            staff_tx = (staff_camera._count - window["tx"]) / span
            first, last = counts[int(window["counts"])], counts[-1]
            count_span = max(1e-3, last["t"] - first["t"])
            kiosk_tx = (last["sent"] - first["sent"]) / count_span
            kiosk_rx = (last["received"] - first["received"]) / count_span
            kiosk_drawn = (last["drawn"] - first["drawn"]) / count_span
            in_window = counts[int(window["counts"]) + 1 :] or counts[-1:]
            lag_mean = 1000 * statistics.mean(c["lag_mean_s"] for c in in_window)
            lag_max = 1000 * max(c["lag_max_s"] for c in in_window)
            stamper.cancel()
            if not ends:
                await staff.hang_up()
            ended = ends[0] if ends else await next_line("ended")
            if ended["code"] != "staff_hangup":
                print("the kiosk's log ends:\n" + "\n".join(kiosk_log.read_text().splitlines()[-15:]))
        except BaseException:
            print("the kiosk's log ends:\n" + "\n".join(kiosk_log.read_text().splitlines()[-25:]))
            raise
        finally:
            if hog is not None:
                hog.kill()
                hog.wait()
            await staff.close()
            if kiosk.returncode is None:
                try:
                    await asyncio.wait_for(kiosk.wait(), 30)
                except TimeoutError:
                    kiosk.kill()
                    await kiosk.wait()
            reader.cancel()
            hall.terminate()
            hall.wait(10)
            if xvfb is not None:
                xvfb.terminate()
                xvfb.wait(10)

    in_ms = sorted(1000 * c["latency_s"] for c in kiosk_chats)
    out_ms = sorted(1000 * e for e in echoes)
    full = ended["code"] == "staff_hangup" and (ended["duration_s"] or 0) >= options.seconds - 1
    call_start = ended["started"] - (ended["duration_s"] or 0)
    steps = ", ".join(f"{s['step']} at {s['at'] - call_start:.0f} s" for s in ended["steps"]) or "none"
    rows: list[tuple[str, float, str, float | None, bool]] = [
        ("kiosk CPU (all threads)", cpu, "% of one core", BUDGET_CPU_PCT, False),
        ("kiosk video sent", kiosk_tx, "fps", BUDGET_SENT_FPS, True),
        ("kiosk video received by the staff", staff_rx, "fps", BUDGET_SENT_FPS, True),
        ("staff video sent", staff_tx, "fps", None, True),
        ("staff video received by the kiosk", kiosk_rx, "fps", None, True),
        ("staff video drawn by the kiosk", kiosk_drawn, "fps", BUDGET_DRAWN_FPS, True),
        ("kiosk event loop lag, mean", lag_mean, "ms", BUDGET_LOOP_LAG_MS, False),
        ("kiosk event loop lag, worst", lag_max, "ms", None, False),
        ("chat staff → kiosk p95", _p95(in_ms), "ms", BUDGET_DC_P95_MS, False),
        ("chat kiosk → staff p95", _p95(out_ms), "ms", BUDGET_DC_P95_MS, False),
        ("call length", ended["duration_s"] or 0.0, "s", options.seconds - 1, True),
    ]
    print(f"\nkiosk call, {options.seconds:.0f} s{', CPU hog on one core' if options.cpu_hog else ''}; "
          f"{os.cpu_count()} cores shared with other jobs, so the figures are noisy")
    ok = full
    for name, value, unit, budget, higher in rows:
        good = budget is None or (value >= budget if higher else value <= budget)
        ok = ok and good
        mark = "" if budget is None else f"{'≥' if higher else '≤'} {budget:g}  {'ok' if good else 'OVER'}"
        print(f"  {name:<36} {value:8.1f} {unit:<14} {mark}")
    print(f"  sent format steps: {steps}")
    print(f"  chats: {len(in_ms)} in (median {_median(in_ms):.0f} ms), {len(out_ms)} echoed "
          f"(median {_median(out_ms):.0f} ms)")
    print(f"  call ended: {ended['code']} ({ended['reason']}) after {ended['duration_s'] or 0:.1f} s; "
          f"full length: {'yes' if full else 'NO'}")
    return 0 if ok else 1


def _p95(values: list[float]) -> float:
    return values[min(len(values) - 1, int(len(values) * 0.95))] if values else float("inf")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the call")
    parser.add_argument("--cpu-hog", action="store_true", help="spin one core during the call")
    parser.add_argument("--verbose", action="store_true", help="print the kiosk's counts every second")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--hall", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        asyncio.run(child(options.hall, options.seconds))
        sys.stdout.flush()
        os._exit(0)
    if options.seconds < 10:
        parser.error("--seconds must be ≥ 10")
    return asyncio.run(parent(options))


if __name__ == "__main__":
    sys.exit(main())
