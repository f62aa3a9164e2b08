"""hall_contract is a leaf both sides import: it imports only the standard library and pydantic."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

CONTRACT = Path(__file__).resolve().parents[3] / "hall_contract"


def test_the_contract_imports_only_the_standard_library_and_pydantic() -> None:
    imported: set[str] = set()
    for path in CONTRACT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    outside = imported - set(sys.stdlib_module_names) - {"pydantic", "hall_contract", "__future__"}
    assert outside == set()
    assert "pydantic" in imported
