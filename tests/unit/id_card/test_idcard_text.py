"""The 256-byte text layouts of the four card types, built by hand and parsed."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citizen_id.id_number import check_character, is_valid
from terminal_drivers.errors import CardReadError, DeviceError, ProtocolError
from terminal_drivers.id_card.models import CARD_TYPES, IdCard
from terminal_drivers.id_card.text import build_text, card_type_of, parse_text
from terminal_drivers.sim.test_cards import CARDS, PHOTO_SIZE


def field(value: str, size: int) -> bytes:
    """A UCS-2 LE field padded with spaces, written out independently of the module under test."""
    raw = value.encode("utf-16-le")
    assert len(raw) <= size
    return raw + b" \x00" * ((size - len(raw)) // 2)


def test_idcard_resident_text_is_parsed_field_by_field() -> None:
    text = (
        field("王堃", 30) + field("2", 2) + field("03", 4) + field("19800229", 16)
        + field("宁夏银川市兴庆区解放西街一号", 70) + field("640104198002290029", 36)
        + field("银川市公安局兴庆区分局", 30) + field("20100101", 16) + field("20300101", 16)
        + field("", 36)
    )
    card = parse_text(text, b"P" * 1024)
    assert card.card_type == "resident"
    assert (card.name, card.sex, card.nation, card.nation_code) == ("王堃", "女", "回", "03")
    assert card.birth == date(1980, 2, 29)
    assert card.address == "宁夏银川市兴庆区解放西街一号"
    assert card.id_number == "640104198002290029"
    assert card.authority == "银川市公安局兴庆区分局"
    assert (card.valid_from, card.valid_to) == (date(2010, 1, 1), date(2030, 1, 1))
    assert card.photo_wlt == b"P" * 1024


def test_idcard_long_term_validity_is_none() -> None:
    text = (
        field("赵喆", 30) + field("1", 2) + field("01", 4) + field("19500101", 16) + field("北京", 70)
        + field("110101195001010012", 36) + field("北京市公安局", 30) + field("20100101", 16)
        + field("长期", 16) + field("", 36)
    )
    card = parse_text(text)
    assert card.valid_to is None and card.sex == "男"
    assert not card.is_expired(date(2099, 1, 1))


def test_idcard_hmt_residence_permit() -> None:
    text = (
        field("陈家豪", 30) + field("1", 2) + field("", 4) + field("19950606", 16) + field("深圳", 70)
        + field("810000199506060134", 36) + field("深圳市公安局", 30) + field("20190101", 16)
        + field("20240101", 16) + field("H60123456", 18) + field("03", 4) + field("", 6) + field("J", 2)
        + field("", 6)
    )
    card = parse_text(text)
    assert card.card_type == "hmt_residence"
    assert (card.pass_number, card.issue_count, card.nation) == ("H60123456", 3, "")
    assert card.id_number == "810000199506060134"


def test_idcard_foreign_permanent_2017() -> None:
    text = (
        field("JOHNSON, MICHAEL", 120) + field("1", 2) + field("USA110780920126", 30) + field("USA", 6)
        + field("约翰逊", 30) + field("20170601", 16) + field("20270601", 16) + field("19780920", 16)
        + field("01", 4) + field("1100", 8) + field("I", 2) + field("", 6)
    )
    card = parse_text(text)
    assert card.card_type == "foreign_permanent_2017"
    assert (card.name, card.english_name, card.chinese_name) == ("约翰逊", "JOHNSON, MICHAEL", "约翰逊")
    assert (card.id_number, card.nationality) == ("USA110780920126", "USA")
    assert (card.card_version, card.authority_code, card.birth) == ("01", "1100", date(1978, 9, 20))


def test_idcard_foreign_permanent_2023_joins_the_split_english_name() -> None:
    english = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH" + " " + "LONGNAME"  # a space at character 35
    text = (
        field("", 30) + field("2", 2) + field("01", 4) + field("19850312", 16) + field(english[:35], 70)
        + field("931124198503120023", 36) + field("国家移民管理局", 30) + field("20231201", 16)
        + field("20331201", 16) + field(english[35:], 22) + field("CAN", 6) + field("Y", 2)
        + field("126", 6)
    )
    card = parse_text(text)
    assert card.card_type == "foreign_permanent_2023"
    assert card.english_name == english
    assert card.name == english  # no Chinese name on this card
    assert (card.renewal_count, card.previous_number_link, card.nationality) == (1, "126", "CAN")
    assert card.authority == "国家移民管理局"


def test_idcard_unknown_type_flag_is_unsupported_card() -> None:
    text = bytearray(build_text(CARDS["zhang_wei"]))
    text[248:250] = "Q".encode("utf-16-le")
    with pytest.raises(CardReadError) as info:
        card_type_of(bytes(text))
    assert info.value.code == "card_type_unsupported"


@pytest.mark.parametrize(
    ("offset", "value"),
    [(30, "7"), (32, "99"), (36, "1985AB12"), (36, "19850231"), (188, "2015060X")],
)
def test_idcard_bad_field_values_are_clean_errors(offset: int, value: str) -> None:
    text = bytearray(build_text(CARDS["zhang_wei"]))
    raw = value.encode("utf-16-le")
    text[offset : offset + len(raw)] = raw
    with pytest.raises(ProtocolError) as info:
        parse_text(bytes(text))
    assert info.value.code == "card_text_invalid"


@pytest.mark.parametrize("name", sorted(CARDS))
def test_idcard_every_test_card_round_trips(name: str) -> None:
    card = CARDS[name]
    text = build_text(card)
    assert len(text) == 256
    assert parse_text(text, card.photo_wlt) == card
    assert len(card.photo_wlt) == PHOTO_SIZE


def test_idcard_test_cards_cover_the_brief() -> None:
    cards = CARDS.values()
    assert {c.card_type for c in cards} == set(CARD_TYPES)
    assert {"男", "女"} <= {c.sex for c in cards}
    assert any(c.valid_to is None for c in cards)
    names = "".join(c.name for c in cards)
    assert all(ch in names for ch in "堃喆镕")
    assert max(len(c.address) for c in cards) == 35  # the whole 70-byte field
    assert len({c.id_number[:2] for c in cards if c.card_type == "resident"}) >= 4
    for card in cards:
        if card.card_type != "foreign_permanent_2017":
            assert is_valid(card.id_number), card.id_number
            # The 17th digit is odd for men and even for women.
            assert (int(card.id_number[16]) % 2 == 1) == (card.sex == "男")


def test_idcard_repr_masks_personal_data() -> None:
    card = CARDS["luo_rong"]
    for text in (repr(card), str(card), repr([card])):
        assert "罗镕" not in text and card.id_number not in text
        assert "4301**********031X" in text


def test_idcard_check_digit() -> None:
    assert check_character("11010519491231002") == "X"
    assert is_valid("11010519491231002X")
    assert not is_valid("110105194912310021")
    assert not is_valid("110105194913310028")  # month 13
    with pytest.raises(ValueError):
        check_character("123")


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=256, max_size=256))
def test_idcard_random_text_gives_a_card_or_a_coded_error(text: bytes) -> None:
    try:
        card = parse_text(text)
    except DeviceError as exc:
        assert exc.code in ("card_text_invalid", "card_type_unsupported")
    else:
        assert isinstance(card, IdCard)
