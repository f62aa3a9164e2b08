"""The seams of the code base: which package may import which, how large a module may grow, and that
the kiosk writes down no rule the hall owns (DESIGN.md §3, docs/architecture.md).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PROJECT = ("kiosk", "hall_server", "terminal_drivers", "remote_assist", "hall_contract", "citizen_id",
           "gov_fonts")

# What each package may import from the project besides itself. Everything else is forbidden.
ALLOWED: dict[str, set[str]] = {
    "citizen_id": set(),
    "hall_contract": set(),
    "gov_fonts": set(),
    "terminal_drivers": {"citizen_id", "gov_fonts"},
    "remote_assist": {"gov_fonts"},
    "hall_server": {"remote_assist", "hall_contract", "citizen_id", "gov_fonts"},
    "kiosk": {"terminal_drivers", "remote_assist", "hall_contract", "citizen_id", "gov_fonts"},
}
MAX_MODULE_LINES = 450


def _modules(package: str) -> list[Path]:
    base = ROOT / package
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*.py") if "migrations" not in p.relative_to(base).parts)


def _imported_packages(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value.split(".")[0])
    return found


def _dynamic_imports(path: Path) -> set[str]:
    """Names given to importlib.import_module as literals: a lazy import is still a dependency."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_run_one_way(package: str) -> None:
    modules = _modules(package)
    assert modules, f"{package} has no modules"
    allowed = ALLOWED[package] | {package}
    wrong = []
    for path in modules:
        used = (_imported_packages(path) | _dynamic_imports(path)) & set(PROJECT)
        wrong.extend(f"{path.relative_to(ROOT)} imports {name}" for name in sorted(used - allowed))
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from __future__ import annotations\n"
        "def f():\n    from kiosk.session import Session\n    import hall_server.app as a\n"
        "    importlib.import_module('terminal_drivers.diag')\n"
    )
    assert _imported_packages(module) >= {"kiosk", "hall_server"}
    assert _dynamic_imports(module) == {"terminal_drivers"}


def test_no_module_is_a_god_module() -> None:
    long = []
    for package in PROJECT:
        for path in _modules(package):
            lines = len(path.read_text("utf-8").splitlines())
            if lines > MAX_MODULE_LINES:
                long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not long, "\n".join(long)


def _kiosk_text() -> str:
    parts = [p.read_text("utf-8") for p in (ROOT / "kiosk").rglob("*") if p.suffix in {".py", ".kv", ".po"}]
    return "\n".join(parts)


def test_the_kiosk_names_no_session_of_its_own() -> None:
    """Session names are the site's (hall_server/data/sites/*.toml): the kiosk shows what the hall sends."""
    text = _kiosk_text()
    names: set[str] = set()
    for site_file in (ROOT / "hall_server" / "data" / "sites").glob("*.toml"):
        rules = tomllib.loads(site_file.read_text("utf-8"))
        for session in rules["sessions"]:
            if session["kind"] in {"evening", "morning"}:
                names.update(session["name"].values())
    assert len(names) >= 6
    found = sorted(name for name in names if name in text)
    assert not found, f"kiosk/ writes the hall's session names itself: {found}"


def test_the_kiosk_holds_no_booking_rule_of_the_hall() -> None:
    text = _kiosk_text()
    for rule in ("MONTHS_AHEAD", "BOOKING_QR_PREFIX", "GOVBK", "BOOKABLE_SESSIONS", "30 minutes", "30 分钟"):
        assert rule not in text, f"kiosk/ holds the hall's rule {rule!r}"
