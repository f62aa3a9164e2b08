"""The hall's time in the top bar: its words in each language, its zone, the next minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk.hall_site import _zone
from kiosk.hall_time import clock_text, hall_now, seconds_to_next_minute

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("lang", "text"), [
    ("zh_Hans", "2026年12月6日 星期日 08:35"),
    ("zh_Hant", "2026年12月6日 星期日 08:35"),
    ("en", "Sun 6 Dec 2026 08:35"),
])
def test_clock_text_in_each_language(lang, text):
    assert clock_text(datetime(2026, 12, 6, 8, 35, 59, tzinfo=SHANGHAI), lang) == text


def test_every_weekday_and_month_has_its_name():
    monday = datetime(2026, 11, 30, 21, 5, tzinfo=SHANGHAI)
    zh = [clock_text(monday + timedelta(days=n), "zh_Hans").split()[1] for n in range(7)]
    assert zh == ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]
    months = [clock_text(datetime(2027, m, 1, tzinfo=SHANGHAI), "en").split()[2] for m in range(1, 13)]
    assert months == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def test_hall_now_uses_the_halls_offset_and_zone():
    machine = datetime(2026, 12, 6, 0, 35, tzinfo=UTC)
    # The kiosk's own clock says UTC 00:35; the hall is in Shanghai and its clock runs a day ahead.
    moment = hall_now(timedelta(days=1), None, SHANGHAI, now=machine)
    assert (moment.date().isoformat(), moment.hour, moment.minute) == ("2026-12-07", 8, 35)
    # What the heartbeat learned wins over the site's zone name.
    learned = timezone(timedelta(hours=9))
    assert hall_now(timedelta(0), learned, SHANGHAI, now=machine).hour == 9
    assert hall_now(timedelta(0), None, None, now=machine).tzinfo is not None


def test_the_clock_ticks_just_after_the_minute_changes():
    assert seconds_to_next_minute(datetime(2026, 12, 6, 8, 35, 59, 500000)) == pytest.approx(0.55)
    assert seconds_to_next_minute(datetime(2026, 12, 6, 8, 35, 0)) == pytest.approx(60.05)


def test_an_unknown_zone_name_falls_back():
    assert _zone("Asia/Shanghai") == SHANGHAI
    assert _zone("Mars/Olympus") is None
    assert _zone("../etc") is None
