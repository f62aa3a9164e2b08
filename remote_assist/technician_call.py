"""The technician's headless test call: ``python -m remote_assist.kiosk_peer`` (DESIGN §6.1, contract).

Prints each event of one call, then the set-up times and the frames received; exit 0 when media arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections.abc import Sequence
from typing import Any

from remote_assist import protocol
from remote_assist.call_setup import AssistCallError
from remote_assist.media import LocalMedia, synthetic_media


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m remote_assist.kiosk_peer", description="Headless test call to the hall's video help"
    )
    parser.add_argument("--hall", required=True, help="hall server URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="this kiosk's token")
    parser.add_argument("--ca-file", default="", help="the CA (PEM) that signed an https hall's certificate")
    parser.add_argument("--skill", required=True, help="department or skill to call")
    parser.add_argument("--lang", default="zh-Hans", choices=protocol.LANGS)
    parser.add_argument("--synthetic", action="store_true", help="send the test pattern and tone")
    parser.add_argument("--seconds", type=float, default=20.0, help="talk this long after connecting")
    parser.add_argument("--label", default="kiosk", help="name drawn on the synthetic camera")
    parser.add_argument("--allow-photo", action="store_true", help="answer photo requests with consent")
    parser.add_argument("--gather-timeout", type=float, default=0.8, help="seconds to wait for STUN/TURN")
    return parser


async def _test_call(args: argparse.Namespace) -> int:
    def show(kind: str, data: dict[str, Any]) -> None:
        if kind in ("ping",):
            return
        detail = " ".join(f"{k}={v}" for k, v in data.items() if k not in ("type", "sdp", "ice_servers"))
        print(f"{time.strftime('%H:%M:%S')} {kind} {detail}".rstrip(), flush=True)

    async def consent(_request: dict[str, Any]) -> bool:
        return bool(args.allow_photo)

    async def printer(message: dict[str, Any]) -> str:
        for line in message.get("lines") or [json.dumps(message.get("ticket"), ensure_ascii=False)]:
            print(f"    print| {line}", flush=True)
        return "ok"

    if args.synthetic:

        def media() -> LocalMedia:
            return synthetic_media(args.label)
    else:
        from remote_assist.media import device_media

        def media() -> LocalMedia:
            return device_media()

    # Imported here: kiosk_peer imports this module for its entry point.
    from remote_assist.kiosk_peer import KioskPeer

    peer = KioskPeer(
        args.hall,
        args.token,
        media=media,
        on_event=show,
        consent=consent,
        printer=printer,
        gather_timeout_s=args.gather_timeout,
        ca_file=args.ca_file,
    )

    async def hang_up_later() -> None:
        await peer.connected.wait()
        await asyncio.sleep(args.seconds)
        await peer.hangup()

    timer = asyncio.create_task(hang_up_later())
    try:
        reason = await peer.call(args.skill, args.lang)
    except AssistCallError as exc:
        print(f"error {exc.code}: {exc}", file=sys.stderr)
        return 2
    finally:
        timer.cancel()
    s = peer.stats
    ms = lambda a, b: f"{(b - a) * 1000:.0f} ms" if a is not None and b is not None else "-"  # noqa: E731
    print(f"ended reason={reason}")
    print(
        f"accept→connected {ms(s.accepted_at, s.connected_at)}; accept→first staff frame "
        f"{ms(s.accepted_at, s.first_video_at)}"
    )
    print(
        f"received video frames={sum(x.frames for x in peer.sinks if x.kind == 'video')} "
        f"audio frames={sum(x.frames for x in peer.sinks if x.kind == 'audio')}"
    )
    return 0 if s.first_video_at is not None or s.first_audio_at is not None else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(_test_call(args))
    except KeyboardInterrupt:
        return 130

