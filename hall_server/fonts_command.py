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
        fonts = CertificateFonts(cache)
        first = [fonts.regular.pieces[0], fonts.bold.pieces[0]]
        missing = [piece for piece in first if not piece.path.is_file()]
        fonts.warm()
    except OSError as exc:
        raise FontsUsageError(f"font_cache_unusable: cannot cut the font pieces into {cache}: "
                              f"{exc.strerror or exc}") from exc
    took = time.monotonic() - started
    there = len(first) - len(missing)
    print(f"font pieces: {len(missing)} cut, {there} already there, in {cache} ({took:.1f} s)")
