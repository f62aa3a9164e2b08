"""``hall-server fonts prepare``: cut the certificates' font pieces a hall's start needs, ahead of it.

A hall that starts without them cuts them itself before it listens (``DocumentDesk.warm``): about ten
seconds of CPU, once per machine. ``scripts/setup`` and ``deploy/install.sh`` run this instead, as the
user and with the cache (``$HALL_FONT_CACHE``) the hall will have, so that no start waits for them."""

from __future__ import annotations

import argparse
import time
from typing import Any


class FontsUsageError(ValueError):
    """``hall-server fonts`` could not do its work; one line for the operator."""


def add_fonts_parser(sub: Any) -> None:
    fonts = sub.add_parser("fonts", help="the certificates' fonts").add_subparsers(dest="action",
                                                                                  required=True)
    fonts.add_parser("prepare", help="cut the pieces a hall's start needs into the font cache "
                                     "($HALL_FONT_CACHE), once per machine, so that no start waits for them")


def run_fonts(_args: argparse.Namespace) -> None:
    from hall_server.documents.certificate import CertificateFonts
    from hall_server.documents.desk import font_cache_dir

    cache = font_cache_dir()
    started = time.monotonic()
    try:
        warmed = CertificateFonts(cache).warm()
    except OSError as exc:
        raise FontsUsageError(f"font_cache_unusable: cannot cut the font pieces into {cache}: "
                              f"{exc.strerror or exc}") from exc
    took = time.monotonic() - started
    there = warmed.wanted - warmed.cut
    print(f"font pieces: {warmed.cut} cut, {there} already there, in {cache} ({took:.1f} s)")
