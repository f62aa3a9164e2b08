"""The browser files of remote assistance (the cloud seat's call script) and the URL path they are served at.

The hall serves this folder to its staff console, which imports ``{WEB_PATH}/call.js``; remote assistance
keeps its own browser side here so that it needs nothing from the hall.
"""

from __future__ import annotations

from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent / "web"
WEB_PATH = "/assist/web"
