"""Verification codes: 100 random bits, printed in groups, read back however a person types them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall_server.documents import codes


def test_a_code_has_twenty_characters_of_the_alphabet_and_codes_differ() -> None:
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000
    assert all(len(code) == 20 and set(code) <= set(codes.ALPHABET) for code in made)
    # 32 symbols, 20 of them: 100 bits, beyond any guessing at the verification rate limit.
    assert len(codes.ALPHABET) ** codes.LENGTH >= 2**100


def test_the_printed_form_reads_back_as_the_stored_form() -> None:
    code = codes.new_code()
    printed = codes.grouped(code)
    assert printed.count("-") == 4 and all(len(group) == 4 for group in printed.split("-"))
    assert codes.normalise(printed) == code
    assert codes.normalise(printed.lower().replace("-", " ")) == code


def test_look_alike_letters_read_as_digits() -> None:
    assert codes.normalise("OOOO-IIII-LLLL-0000-1111") == "00001111111100001111"


@pytest.mark.parametrize("text", ["", "ABC", "K7QD-2M9X-AB3F-QQ7Z-9XYZ-1", "K7QD-2M9X-AB3F-QQ7Z-9XYU",
                                  "K7QD_2M9X_AB3F_QQ7Z_9XYZ", "x" * 65])
def test_what_cannot_be_a_code_is_refused(text: str) -> None:
    with pytest.raises(codes.MalformedCode):
        codes.normalise(text)


@given(st.text(max_size=80))
def test_normalise_either_answers_a_valid_code_or_refuses(text: str) -> None:
    try:
        code = codes.normalise(text)
    except codes.MalformedCode:
        return
    assert len(code) == codes.LENGTH and set(code) <= set(codes.ALPHABET)
