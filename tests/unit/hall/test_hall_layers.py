"""The hall server's layers import one way: routers (api) call use cases, use cases know no HTTP, the
state and the store know neither, and no module of the hall imports itself back through another."""

from __future__ import annotations

import ast
from pathlib import Path

import hall_server

ROOT = Path(hall_server.__file__).parent
HTTP = ("fastapi", "starlette", "uvicorn")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Modules a module imports, those under ``if TYPE_CHECKING:`` too (a cycle hidden there is one)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def layer_imports(layer: str) -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted((ROOT / layer).glob("*.py"))}


def test_use_cases_know_no_http_and_no_router() -> None:
    modules = layer_imports("usecases")
    assert len(modules) >= 10
    for name, imported in modules.items():
        for other in imported:
            assert not other.startswith(HTTP), (name, other)
            assert not other.startswith(("hall_server.api", "hall_server.middleware", "hall_server.web")), (
                name,
                other,
            )


def test_state_and_store_import_no_router_and_no_use_case_but_the_refusal_and_the_sites() -> None:
    allowed = {"hall_server.usecases.refusal", "hall_server.usecases.sites"}
    for layer in ("state", "store"):
        for name, imported in layer_imports(layer).items():
            for other in imported:
                assert not other.startswith(HTTP), (name, other)
                assert not other.startswith(("hall_server.api", "hall_server.middleware")), (name, other)
                if other.startswith("hall_server.usecases."):
                    assert other.rsplit(".", 1)[0] in allowed or other in allowed, (name, other)


def test_routers_reach_the_store_only_through_use_cases() -> None:
    for name, imported in layer_imports("api").items():
        assert not any(other.startswith("hall_server.store") for other in imported), name


def test_no_import_cycle_between_hall_modules() -> None:
    known = {module_name(p) for p in ROOT.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        name = module_name(path)
        if name in known:
            graph[name] = {m for m in imports_of(path) if m in known and m != name}
    done: set[str] = set()

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            raise AssertionError("import cycle: " + " -> ".join([*trail[trail.index(node):], node]))
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*trail, node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])
