"""What screens read from the kiosk's configuration: where the catalogue is cached, the printer's
paper width and text encoding."""

import os
from pathlib import Path
from typing import Any


def cache_dir(app: Any) -> Path:
    """Where the catalogue is cached: the config's cache directory, else the user cache."""
    configured = getattr(app.kiosk_config, "cache_dir", None) or os.environ.get("KIOSK_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gov-kiosk"


def paper_width(app: Any) -> int:
    """The configured printer's paper width in dots (80 mm paper when no printer is configured)."""
    printer = getattr(app.kiosk_config.devices, "printer", None)
    return int(getattr(printer, "paper_width_dots", 576) or 576)


def printer_encoding(app: Any) -> str:
    """The configured printer's text encoding (its font decides which characters it can print)."""
    printer = getattr(app.kiosk_config.devices, "printer", None)
    return str(getattr(printer, "encoding", "gb18030") or "gb18030")
