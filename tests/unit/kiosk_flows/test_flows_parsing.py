"""The hall's JSON parsed into typed values: any malformed body is one clear error, and the
on-disk catalogue cache survives corruption and is written atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall_contract import (
    AssistStatus,
    Booking,
    Calendar,
    CalendarDay,
    Catalogue,
    HeartbeatReply,
    RecordsResult,
    ReviewLevel,
    ReviewLevels,
    ReviewResult,
    Service,
    SlotList,
    Ticket,
)
from kiosk.flows.catalogue_cache import CatalogueCache
from kiosk.hall_client import HallError, parse_answer

PARSERS = [
    AssistStatus,
    Booking,
    Calendar,
    CalendarDay,
    Catalogue,
    HeartbeatReply,
    RecordsResult,
    ReviewLevel,
    ReviewLevels,
    ReviewResult,
    Service,
    SlotList,
    Ticket,
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
# Bodies shaped like the real ones, with values of any type in their fields.
field_names = st.sampled_from(
    [
        "code",
        "name",
        "department",
        "date",
        "sessions",
        "slots",
        "id",
        "start",
        "end",
        "number",
        "check_in_code",
        "qr_payload",
        "rows",
        "columns",
        "kind",
        "level",
        "reasons",
        "guide",
        "services",
        "service",
        "next_open",
        "booking_cutoff",
        "people_ahead",
        "remaining",
    ]
)
bodies = st.dictionaries(field_names, json_values, max_size=12)


@settings(max_examples=300, deadline=None)
@given(body=bodies, parser=st.sampled_from(PARSERS))
def test_any_body_parses_or_is_a_bad_response(body: dict[str, Any], parser: Any) -> None:
    try:
        parse_answer(parser, body, parser.__name__)
    except HallError as exc:
        assert exc.code == "bad_response"


def _catalogue() -> Catalogue:
    return Catalogue.model_validate(
        {
            "services": [
                {
                    "code": "SB-001",
                    "name": "社保查询",
                    "pinyin_initials": "SBCX",
                    "department": {"code": "HRSS", "name": "人社局"},
                }
            ],
            "departments": [{"code": "HRSS", "name": "人社局"}],
        }
    )


def test_cache_round_trip_and_corruption(tmp_path: Path) -> None:
    cache = CatalogueCache(tmp_path)
    assert cache.load("zh_Hans") is None
    guide = Service.model_validate(
        {
            "code": "SB-001",
            "name": "社保查询",
            "department": {"code": "HRSS", "name": "人社局"},
            "guide": {"materials": [{"name": "居民身份证"}], "fee": "不收费"},
        }
    )
    cache.save("zh_Hans", _catalogue(), {"SB-001": guide})
    loaded = cache.load("zh_Hans")
    assert loaded is not None and loaded.catalogue == _catalogue() and loaded.guides["SB-001"] == guide
    assert cache.load("en") is None
    assert [p.name for p in tmp_path.iterdir()] == ["catalogue.zh_Hans.json"], "no temporary files left"

    cache.path("zh_Hans").write_text("{not json", encoding="utf-8")
    assert cache.load("zh_Hans") is None
    cache.path("zh_Hans").write_text(json.dumps({"version": 99}), encoding="utf-8")
    assert cache.load("zh_Hans") is None


def test_failed_save_keeps_the_previous_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = CatalogueCache(tmp_path)
    cache.save("zh_Hans", _catalogue(), {})

    def broken_dump(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(json, "dump", broken_dump)
    with pytest.raises(OSError):
        cache.save("zh_Hans", Catalogue(), {})
    monkeypatch.undo()
    loaded = cache.load("zh_Hans")
    assert loaded is not None and loaded.catalogue == _catalogue()
    assert [p.name for p in tmp_path.iterdir()] == ["catalogue.zh_Hans.json"]
