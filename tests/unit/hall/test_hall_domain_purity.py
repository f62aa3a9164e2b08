"""The domain package holds pure rules: it imports no I/O, no web or database layer, no other package."""

from __future__ import annotations

import ast
from pathlib import Path

import hall_server.domain

DOMAIN = Path(hall_server.domain.__file__).parent
FORBIDDEN = {
    "asyncio",
    "fastapi",
    "http",
    "kiosk",
    "os",
    "random",
    "remote_assist",
    "requests",
    "shutil",
    "socket",
    "sqlalchemy",
    "starlette",
    "subprocess",
    "terminal_drivers",
    "threading",
    "time",
    "urllib",
    "uvicorn",
}
FORBIDDEN_HALL = (
    "hall_server.api",
    "hall_server.usecases",
    "hall_server.state",
    "hall_server.middleware",
    "hall_server.store",
    "hall_server.records",
    "hall_server.web",
    "hall_server.app",
    "hall_server.cli",
)
FORBIDDEN_CALLS = {"open", "print", "input"}


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_domain_modules_import_no_io() -> None:
    modules = sorted(DOMAIN.glob("*.py"))
    assert len(modules) >= 8
    for path in modules:
        for name in imports_of(path):
            assert name.split(".")[0] not in FORBIDDEN, (path.name, name)
            assert not name.startswith(FORBIDDEN_HALL), (path.name, name)


def test_domain_modules_call_no_file_or_console_functions() -> None:
    for path in sorted(DOMAIN.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in FORBIDDEN_CALLS, (path.name, node.func.id, node.lineno)
            if isinstance(node, ast.Attribute):
                assert node.attr not in {"read_text", "read_bytes", "write_text", "write_bytes"} or (
                    path.name in {"catalogue.py", "holidays.py", "reviews.py", "sites.py"}
                ), (path.name, node.attr, node.lineno)
