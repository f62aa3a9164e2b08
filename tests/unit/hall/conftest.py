"""Fixtures of the hall domain tests: the demo site HQ on the real holiday calendar."""

from __future__ import annotations

import pytest

from hall_server.domain.calendar import SiteCalendar
from hall_server.domain.holidays import HolidayCalendar
from hall_server.domain.sites import Site, load_site


@pytest.fixture
def hq() -> Site:
    return load_site("HQ")


@pytest.fixture
def holidays() -> HolidayCalendar:
    return HolidayCalendar()


@pytest.fixture
def calendar(hq: Site, holidays: HolidayCalendar) -> SiteCalendar:
    departments = {"SB-001": "HRSS", "MA-001": "AMR", "RE-001": "REAL", "VM-001": "VEH"}
    return SiteCalendar(hq, holidays, department_of=departments.get)
