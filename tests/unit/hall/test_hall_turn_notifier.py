"""The turn notifier adapters and the event-stream framing: what reaches a log or a wire, exactly."""

from __future__ import annotations

import logging

import pytest

from hall_server.api.event_stream import frame
from hall_server.domain.sites import load_site
from hall_server.notices.notifier import DemoNotifier, TurnNotice, notifier_for

NOTICE = TurnNotice(site="HQ", ticket="B005", people_ahead=3, phone="13800138005",
                    tracking_url="http://hall.test/t/t_secret")


def test_the_demo_notifier_logs_the_ticket_number_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hall_server.notices")
    notifier = DemoNotifier()
    notifier.notify(NOTICE)
    assert [r.getMessage() for r in caplog.records] == [
        "turn notice: ticket B005 at HQ has 3 ahead; sent to the phone on file"]
    # Neither the phone nor the ticket's secret id (its tracking link) is written.
    assert "13800138005" not in caplog.text and "t_secret" not in caplog.text
    assert notifier.sent == ["B005"]


def test_the_adapter_is_chosen_by_the_setting() -> None:
    assert notifier_for("demo").available and not notifier_for("none").available
    assert notifier_for("none").notify(NOTICE) is None


def test_the_notice_threshold_is_a_site_setting_with_a_default_of_three() -> None:
    assert load_site("HQ").settings.notice_people_ahead == 3
    assert load_site("ST01").settings.notice_people_ahead == 3


def test_an_event_is_one_json_data_line_and_a_ping_is_a_comment() -> None:
    assert frame("review", {"ticket": "B001", "area": "一楼B区"}) == (
        'event: review\ndata: {"ticket":"B001","area":"一楼B区"}\n\n')
    assert frame("ping", {}) == ": ping\n\n"
