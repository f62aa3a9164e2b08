"""The kiosk loads aiortc and PyAV (about 40 MB) only for a call, not with its screens."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import importlib, json, sys
from kiosk.ui.screen_table import SCREENS
for module, _cls in SCREENS.values():
    importlib.import_module(module)
print(json.dumps(sorted(m for m in ("aiortc", "av", "remote_assist.kiosk_peer") if m in sys.modules)))
"""


def test_building_every_screen_module_loads_no_media_stack():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120,
                            env={"KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1", "KIVY_NO_WINDOW": "1",
                                 "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []

