"""The slip of a moved booking: it says, in the citizen's language and on both paper widths, which
booking it replaces and that the earlier slip no longer works; a plain slip says nothing of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.printouts.booking_slip import BookingSlipContent, booking_slip

from .test_flows_printouts import PAPER, SLIP, WIDTHS, print_all

WHEN = {"zh_Hans": "2026年11月26日 周四 09:00-09:30", "zh_Hant": "2026年11月26日 週四 09:00-09:30",
        "en": "Thu 26 Nov 2026 09:00-09:30"}
SAID = {"zh_Hans": "本预约替代您原来的预约", "zh_Hant": "本預約取代您原來的預約",
        "en": "Replaces your earlier booking"}
VOID = {"zh_Hans": "原预约凭条和签到码已作废", "zh_Hant": "原預約憑條和簽到碼已作廢",
        "en": "Its slip and check-in code no longer work"}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant", "en"])
def test_a_moved_bookings_slip_says_what_it_replaces(lang: str, width: int, artifacts_dir: Path) -> None:
    content = BookingSlipContent(**{**SLIP.__dict__, "lang": lang, "replaces": WHEN[lang]})
    _, (slip,) = print_all([booking_slip(content, PAPER[width])], width,
                           artifacts_dir / f"printer/moved_slip_{lang}_{width}")
    one_line = "".join(slip.text.split())
    for words in (SAID[lang], WHEN[lang], VOID[lang], SLIP.check_in_code):
        assert "".join(words.split()) in one_line, words
    # The new time is the slip's own; the replaced one is said once, on a line of its own.
    assert one_line.count("".join(WHEN[lang].split())) == 1
    assert WHEN[lang] in [line.strip() for line in slip.text.splitlines()]


def test_a_plain_slip_replaces_nothing(tmp_path: Path) -> None:
    _, (slip,) = print_all([booking_slip(SLIP, PAPER[576])], 576, tmp_path)
    assert "替代" not in slip.text and "作废" not in slip.text
