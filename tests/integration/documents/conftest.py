"""Certificate fixtures: the hall integration fixtures (a real hall on loopback with the demo seeded, which
includes a demo signing identity), helpers that find an ID number with enough records, and the PDF tools."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

from citizen_id.id_number import make_id_number
from hall_server.records.adapter import RecordQuery
from hall_server.records.demo import DemoRecordsAdapter

_spec = importlib.util.spec_from_file_location(
    "hall_integration_fixtures", Path(__file__).resolve().parents[1] / "hall" / "conftest.py")
assert _spec is not None and _spec.loader is not None
_hall = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _hall
_spec.loader.exec_module(_hall)

# The hall's own fixtures, shared rather than copied.
db_url = _hall.db_url
database = _hall.database
clock = _hall.clock
ticker = _hall.ticker
hall_with = _hall.hall_with
hall = _hall.hall
Hall = _hall.Hall
DEFAULT_NOW = _hall.DEFAULT_NOW
TODAY = DEFAULT_NOW.date()


def id_with_months(months: int) -> str:
    """A valid ID number whose demo payment history has at least ``months`` months."""
    adapter = DemoRecordsAdapter()
    for sequence in range(100, 999):
        candidate = make_id_number("110105", date(1988, 6, 15), sequence)
        query = RecordQuery("social_insurance_payments", candidate, "x", None, None, "zh-Hans", TODAY)
        if len(adapter.query(query).rows) >= months:
            return candidate
    raise AssertionError("no demo ID number with that many months")


@pytest.fixture(autouse=True)
def _poppler() -> None:
    for tool in ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm", "pdfsig"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: scripts/install-system-deps.sh installs poppler-utils")


_probe_spec = importlib.util.spec_from_file_location(
    "pdf_probe", Path(__file__).resolve().parents[2] / "unit" / "documents" / "pdf_probe.py")
assert _probe_spec is not None and _probe_spec.loader is not None
pdf_probe = importlib.util.module_from_spec(_probe_spec)
sys.modules[_probe_spec.name] = pdf_probe
_probe_spec.loader.exec_module(pdf_probe)
