"""The kiosk's kv rules (kiosk/ui/kv/*.kv), loaded once into Kivy's Builder when the app builds."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

KV_DIR = Path(__file__).resolve().parent / "kv"
# Loaded first, in this order: a widget takes its classes' rules in the order they were loaded, so
# the shell's widgets and the screen base come before the rules that build on them.
FIRST = ("widgets", "base", "flow_screen", "name_keyboard")

_loaded: set[str] = set()


def load_kv() -> None:
    """Load every kv file once (the Builder is global: a second load would apply rules twice)."""
    rest = sorted(path.stem for path in KV_DIR.glob("*.kv") if path.stem not in FIRST)
    for name in (*FIRST, *rest):
        if name in _loaded:
            continue
        path = KV_DIR / f"{name}.kv"
        if path.is_file():
            Builder.load_file(str(path))
        _loaded.add(name)
