"""Health: the three states and their reason codes."""

from __future__ import annotations

import pytest

from terminal_drivers.devices import Health


def test_health_json_and_validation() -> None:
    assert Health.degraded("paper_near_end").as_json() == {"state": "degraded", "reason": "paper_near_end"}
    assert Health.ok().as_json() == {"state": "ok", "reason": None}
    with pytest.raises(ValueError):
        Health("offline")
    with pytest.raises(ValueError):
        Health("broken", "x")  # type: ignore[arg-type]
