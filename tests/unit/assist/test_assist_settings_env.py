"""The relay's settings from the environment: the heartbeat timeout may be longer, never below a ping."""

from __future__ import annotations

import pytest

from remote_assist.settings import signaling_settings_from_env


def test_the_heartbeat_timeout_comes_from_the_environment_and_defaults_to_four_seconds() -> None:
    assert signaling_settings_from_env({}).heartbeat_timeout_s == 4.0
    settings = signaling_settings_from_env({"HALL_ASSIST_HEARTBEAT_TIMEOUT_S": "15",
                                            "HALL_ASSIST_RING_TIMEOUT_S": "60"})
    assert settings.heartbeat_timeout_s == 15.0 and settings.limits.ring_timeout_s == 60.0


def test_a_lost_callers_place_is_kept_30_s_unless_the_environment_says_otherwise() -> None:
    assert signaling_settings_from_env({}).limits.resume_grace_s == 30.0
    assert signaling_settings_from_env({"HALL_ASSIST_RESUME_GRACE_S": "4"}).limits.resume_grace_s == 4.0
    for bad in ("0", "later"):
        with pytest.raises(ValueError):
            signaling_settings_from_env({"HALL_ASSIST_RESUME_GRACE_S": bad})


@pytest.mark.parametrize("value", ["1", "0", "-3", "soon"])
def test_a_heartbeat_timeout_no_longer_than_a_ping_or_not_a_number_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="HALL_ASSIST_HEARTBEAT_TIMEOUT_S"):
        signaling_settings_from_env({"HALL_ASSIST_HEARTBEAT_TIMEOUT_S": value})
