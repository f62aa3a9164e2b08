"""No kiosk module loads kv rules when imported; KioskApp.build() loads every kv file, once."""

from __future__ import annotations

import json
import subprocess
import sys

ENV = {"KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1", "KIVY_NO_WINDOW": "1", "PATH": "/usr/bin:/bin"}

# Kivy's own modules may bring their rules (attract's behaviours do); the kiosk's classes may not.
IMPORT_EVERYTHING = """
import importlib, json, pkgutil
from kivy.lang import Builder
import kiosk.ui
before = len(Builder.rules)
modules = [importlib.import_module(info.name)
           for info in pkgutil.walk_packages(kiosk.ui.__path__, "kiosk.ui.")]
modules.append(importlib.import_module("kiosk.app"))
ours = {value.__name__.lower() for module in modules for value in vars(module).values()
        if isinstance(value, type) and value.__module__.startswith("kiosk")}
added = {selector.key for selector, _rule in Builder.rules[before:]}
print(json.dumps([sorted(added & ours), sorted(f for f in Builder.files if "kiosk" in f), len(ours)]))
"""

LOAD_TWICE = """
import json
from pathlib import Path
from kivy.lang import Builder
from kiosk.ui.kv_files import KV_DIR, load_kv
load_kv()
first = len(Builder.rules)
load_kv()
kv = sorted(str(p) for p in KV_DIR.glob("*.kv"))
loaded = [f for f in Builder.files if "kiosk" in f]
print(json.dumps([first, len(Builder.rules), kv, loaded]))
"""


def _run(code: str) -> list:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env=ENV)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_app_and_every_ui_module_loads_no_kv():
    our_rules, kiosk_files, our_classes = _run(IMPORT_EVERYTHING)
    assert (our_rules, kiosk_files) == ([], []) and our_classes > 20


def test_load_kv_loads_every_kv_file_once_the_shell_first():
    first, again, kv, loaded = _run(LOAD_TWICE)
    assert first == again > 0
    assert sorted(loaded) == kv and len(loaded) == len(set(loaded))
    names = [path.rsplit("/", 1)[-1] for path in loaded]
    assert names[:4] == ["widgets.kv", "base.kv", "flow_screen.kv", "name_keyboard.kv"]
