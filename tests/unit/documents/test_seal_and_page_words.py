"""The seal's arc, the verification page's language choice and its words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hall_server.documents import seal, verify_page
from hall_server.documents.wording import LANGS, TITLES, WORDS
from hall_server.records.adapter import KINDS
from hall_server.store.documents import IssuedDocument


def test_the_name_runs_left_to_right_over_the_top_symmetrically() -> None:
    placed = seal.arc_positions(9, 10.0, 200.0)
    assert placed[0][0] < 0 < placed[-1][0]
    assert placed[4] == pytest.approx((0.0, -10.0, 0.0))
    for (x1, y1, r1), (x2, y2, r2) in zip(placed, reversed(placed), strict=True):
        assert x1 == pytest.approx(-x2) and y1 == pytest.approx(y2) and r1 == pytest.approx(-r2)
    # Characters lean with the arc: left ones turned anticlockwise, right ones clockwise.
    assert placed[0][2] > 0 > placed[-1][2]


@pytest.mark.parametrize("query, header, lang", [
    ("en", "zh-CN", "en"), (None, "zh-TW,zh;q=0.9", "zh-Hant"), (None, "en-GB,en;q=0.8", "en"),
    (None, "fr-FR, zh-CN;q=0.5", "zh-Hans"), (None, None, "zh-Hans"), ("xx", "de", "zh-Hans"),
])
def test_the_page_language_comes_from_the_query_then_the_browser(query: str | None, header: str | None,
                                                                 lang: str) -> None:
    assert verify_page.pick_lang(query, header) == lang


def test_every_kind_and_word_has_all_three_languages() -> None:
    assert set(TITLES) == set(KINDS)
    for texts in (*TITLES.values(), *WORDS.values()):
        assert set(texts) == set(LANGS) and all(texts.values())


def test_the_page_shows_a_masked_name_and_escapes_what_it_echoes() -> None:
    doc = IssuedDocument("0123456789ABCDEFGHJK", "entry_exit_records", "HQ", datetime(2026, 1, 1, tzinfo=UTC),
                         "ab" * 32, "王**", 1, "kiosk:k1")
    page = verify_page.render("zh-Hans", "示范区政务服务中心", "x", doc,
                              issued_at_text="2026-01-01T08:00:00+08:00")
    assert "王**" in page and "ab" * 32 in page and "出入境记录" in page
    echoed = verify_page.render("en", "Hall", "<script>", None, malformed=True)
    assert "<script>" not in echoed and "&lt;script&gt;" in echoed
