"""What the services import at run time comes with the project's own dependencies, not with the test
tools: a hall installed by ``deploy/install.sh`` (``pip install`` without the ``dev`` extra) must start.

It once did not: greenlet, which SQLAlchemy's asyncio bridge needs for every write on PostgreSQL, came
into the development environment only with Playwright, and SQLAlchemy 2.1 no longer brings it."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "gov-kiosk"
# What the hall server and the cloud-hall relay load as they serve: the app, the command line, the
# PostgreSQL and Redis pieces of several nodes, and the modules SQLAlchemy loads only when an engine opens.
SERVICE_IMPORTS = (
    "hall_server.cli", "hall_server.app", "hall_server.state.redis_pieces", "remote_assist.redis_exchange",
    # Loaded with a hall's first certificate, not at its start (the PDF layout and the signature).
    "hall_server.documents.layout", "hall_server.documents.signing",
    "sqlalchemy.ext.asyncio", "sqlalchemy.dialects.postgresql.psycopg", "sqlalchemy.dialects.sqlite.pysqlite",
)


def _installed_without_extras() -> set[str]:
    """The distributions ``pip install gov-kiosk`` brings: the project's requirements without its extras,
    and theirs, with the extras each asks for (as the environment's markers decide)."""
    found: dict[str, set[str]] = {}
    wanted: list[tuple[str, frozenset[str]]] = [(PROJECT, frozenset())]
    while wanted:
        name, extras = wanted.pop()
        key = canonicalize_name(name)
        if key in found and extras <= found[key]:
            continue
        found.setdefault(key, set()).update(extras)
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue  # not for this platform or Python, or optional: then nothing imports it here either
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is not None and not any(
                    requirement.marker.evaluate({"extra": extra}) for extra in (extras or {""})):
                continue
            wanted.append((requirement.name, frozenset(requirement.extras)))
    return set(found)


def _distributions_loaded_by(modules: tuple[str, ...]) -> dict[str, list[str]]:
    """The third-party distributions (by name) that importing ``modules`` loads, in a fresh interpreter,
    with the top-level modules that came from each."""
    program = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.partition('.')[0] for m in sys.modules})))\n"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", program], check=True, capture_output=True,
                                       text=True, timeout=120).stdout)
    owners = metadata.packages_distributions()
    by_distribution: dict[str, list[str]] = {}
    for top in loaded:
        if top in sys.stdlib_module_names or top.startswith("_"):
            continue
        for distribution in owners.get(top, []):
            by_distribution.setdefault(canonicalize_name(distribution), []).append(top)
    return by_distribution


def test_what_the_services_load_is_installed_without_the_dev_extra() -> None:
    installed = _installed_without_extras()
    loaded = _distributions_loaded_by(SERVICE_IMPORTS)
    assert "greenlet" in loaded  # the bridge the writes run on is among what they load
    missing = {name: modules for name, modules in loaded.items() if name not in installed}
    assert missing == {}, f"loaded by the services but only installed for development: {missing}"


def test_the_closure_follows_extras_and_leaves_the_dev_tools_out() -> None:
    installed = _installed_without_extras()
    # uvicorn[standard] brings uvloop and httptools; psycopg[binary] its compiled driver.
    assert {"uvloop", "httptools", "psycopg-binary"} <= installed
    assert not {"pytest", "playwright", "ruff", "mypy"} & installed
