"""A kiosk given several addresses of its hall (``hall.urls``) against real hall servers, one of them stopped:
a refused connection moves to the next address, which stays in use; an error answer does not move."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from kiosk.hall_client import HallClient, HallError, HallUnreachable

from .conftest import DEMO_TOKEN, HallProcess

NOW = "2026-11-25T10:00:00+08:00"


def _client(*halls: HallProcess) -> HallClient:
    # No retry: moving to the next address is part of one attempt, not a second try.
    return HallClient([hall.url for hall in halls], DEMO_TOKEN, timeout=20.0, retries=0)


def _refused(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "no connection" in r.getMessage()]


def test_a_stopped_hall_is_passed_over_and_the_one_that_answers_stays_in_use(
    hall_server_factory: Callable[[str], HallProcess], caplog: pytest.LogCaptureFixture
) -> None:
    first, second = hall_server_factory(NOW), hall_server_factory(NOW)
    first.stop()
    caplog.set_level(logging.INFO, "kiosk.hall_addresses")
    with _client(first, second) as hall:
        assert hall.services(q="sbcx").services
        assert hall.base_url == second.url
        assert _refused(caplog) == [f"hall {first.url}: no connection (ConnectionError)"]
        caplog.clear()
        assert hall.service("SB-001").code == "SB-001"
        assert _refused(caplog) == []  # straight to the one that answered
        # The one in use goes down and the first is back: the kiosk comes round to it.
        first.start()
        second.stop()
        assert hall.services(q="sbcx").services
        assert hall.base_url == first.url
        assert _refused(caplog) == [f"hall {second.url}: no connection (ConnectionError)"]


def test_an_error_answer_is_the_halls_word_and_does_not_move_to_the_next_address(
    hall_server_factory: Callable[[str], HallProcess],
) -> None:
    first, second = hall_server_factory(NOW), hall_server_factory(NOW)
    with _client(first, second) as hall, pytest.raises(HallError) as caught:
        hall.get_ticket("t_unknown")
    assert caught.value.status == 404 and not isinstance(caught.value, HallUnreachable)
    assert hall.base_url == first.url


def test_no_address_answering_is_hall_unreachable(
    hall_server_factory: Callable[[str], HallProcess],
) -> None:
    first, second = hall_server_factory(NOW), hall_server_factory(NOW)
    first.stop()
    second.stop()
    with _client(first, second) as hall, pytest.raises(HallUnreachable):
        hall.services()
    assert hall.base_url == first.url
