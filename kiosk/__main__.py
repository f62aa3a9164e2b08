"""``kiosk --config FILE``: run the kiosk application (exit 2 with one line on a bad config)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from kiosk.config import ConfigError, KioskConfig, load_config


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Self-service kiosk of a government service centre"
    )
    parser.add_argument("--config", help="TOML configuration file (see kiosk/config.example.toml)")
    parser.add_argument("--windowed", action="store_true", help="a window instead of full screen (testing)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser.parse_args(argv)


def setup_logging(level: str) -> None:
    from kiosk.log_masking import MaskingFilter

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)


async def run(config: KioskConfig) -> None:
    from kiosk.app import KioskApp

    app = KioskApp(config)
    loop = asyncio.get_running_loop()
    # Ctrl-C and a service manager's SIGTERM end the kiosk cleanly (devices closed, port freed).
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, app.stop)
    try:
        await app.async_run(async_lib="asyncio")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await app.aclose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = load_config(args.config) if args.config else KioskConfig()
    except ConfigError as exc:
        # A fault with its own code (a missing token, plain http to another machine) names it for the
        # operator's search; the general one says enough with the key.
        code = f" [{exc.code}]" if exc.code != ConfigError.code else ""
        print(f"kiosk: bad config: {exc}{code}", file=sys.stderr)
        return 2
    if args.windowed:
        from dataclasses import replace

        config = replace(config, screen=replace(config.screen, fullscreen=False, show_cursor=True))
    # Kivy must not parse our command line, and logs through our handler.
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    # Kivy logs through the root logger we set up and leaves sys.stderr alone.
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    # SDL would turn SIGINT/SIGTERM into a window-close request, which a kiosk swallows.
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    setup_logging(args.log_level)
    from kiosk.kivy_setup import configure_kivy

    configure_kivy(config)
    try:
        asyncio.run(run(config))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
