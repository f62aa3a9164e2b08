"""GB 11643-1999 ID numbers: check digit, birth date, sex, and reasons for refusal."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citizen_id.id_number import (
    IdNumberError,
    check_character,
    id_number_problem,
    make_id_number,
    parse_id_number,
)

TODAY = date(2026, 11, 23)


def test_published_example_numbers_pass() -> None:
    # The standard's worked example 11010519491231002X and the API documentation's number.
    assert parse_id_number("11010519491231002X", TODAY).sex == "female"
    parsed = parse_id_number("110101199003074477", TODAY)
    assert (parsed.region_code, parsed.birth, parsed.sequence, parsed.sex) == (
        "110101",
        date(1990, 3, 7),
        447,
        "male",
    )


def test_check_character_table() -> None:
    assert check_character("11010519491231002") == "X"
    # 4·7+4·9+0+3·5+0+4·4+1·2+9·1+9·6+0+0+1·9+0+1·5+0+0+1·2 = 176 ≡ 0 (mod 11) → "1"
    assert check_character("44030419900101001") == "1"
    assert check_character("44030419900101002") == "X"


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "length"),
        ("11010519491231002", "length"),
        ("11010519491231002XX", "length"),
        ("1101051949123100AX", "characters"),
        ("11010519491231002Y", "characters"),
        ("１10105194912310023", "characters"),
        ("110105194902300021", "birth_date"),
        ("110105189912310021", "birth_date"),
        ("110105203001010021", "birth_date"),
        ("110105194912310021", "check_digit"),
    ],
)
def test_refusals_name_the_part(text: str, detail: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(text, TODAY)
    assert caught.value.code == "invalid_id_number"
    assert caught.value.detail == detail
    assert id_number_problem(text, TODAY) == detail


def test_born_tomorrow_is_refused_today() -> None:
    tomorrow = make_id_number(birth=date(2026, 11, 24))
    assert id_number_problem(tomorrow, TODAY) == "birth_date"
    assert id_number_problem(tomorrow, date(2026, 11, 24)) is None


def test_lowercase_final_x_is_read_as_uppercase() -> None:
    assert parse_id_number("11010519491231002x", TODAY).value == "11010519491231002X"


def test_repr_masks_the_number() -> None:
    assert "19491231" not in repr(parse_id_number("11010519491231002X", TODAY))


valid_numbers = st.builds(
    make_id_number,
    region=st.sampled_from(["110101", "440305", "310115", "530102", "650102"]),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sequence=st.integers(0, 999),
)


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(valid_numbers)
def test_generated_numbers_pass(number: str) -> None:
    parsed = parse_id_number(number, TODAY)
    assert parsed.value == number
    assert parsed.sex == ("male" if int(number[16]) % 2 else "female")


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(valid_numbers, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_fails(number: str, position: int, replacement: str) -> None:
    if number[position] == replacement:
        return
    changed = number[:position] + replacement + number[position + 1 :]
    assert id_number_problem(changed, TODAY) is not None


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.text(max_size=24))
def test_arbitrary_text_never_crashes(text: str) -> None:
    problem = id_number_problem(text, TODAY)
    assert problem is None or problem in {"length", "characters", "birth_date", "check_digit"}


def test_non_text_is_refused_not_crashed() -> None:
    for value in (110101199003074477, None, b"110101199003074477"):
        assert id_number_problem(value, TODAY) == "characters"  # type: ignore[arg-type]
