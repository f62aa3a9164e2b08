"""The demo people directory: valid ID numbers, the README's person and the simulator's cards on file;
names compared after normalising, in constant time."""

from __future__ import annotations

from citizen_id.id_number import is_valid
from hall_server.people.adapter import same_name
from hall_server.people.demo import demo_directory


def test_every_demo_person_has_a_valid_id_number_a_name_and_a_phone() -> None:
    people = demo_directory()
    assert len(people) >= 10
    zhang = people.find("440106198503121237")
    assert zhang is not None and zhang.name == "张伟" and zhang.phone.isdigit()
    # The simulator's test cards (terminal_drivers/sim/test_cards.py) name people on file.
    for id_number in ("110105199007074568", "43010219650930031x", "650102198811200547"):
        person = people.find(id_number)
        assert person is not None and is_valid(person.id_number) and len(person.phone) == 11
    assert people.find("110101199003074477") is None


def test_names_compare_after_normalising_width_spaces_dots_and_case() -> None:
    assert same_name(" 张伟 ", "张伟")
    assert same_name("古丽娜尔・艾买提", "古丽娜尔·艾买提")
    assert same_name("smith,  jane", "SMITH, JANE")
    assert same_name("ＺＨＡＮＧ", "zhang")
    assert not same_name("张三", "张伟") and not same_name("张", "张伟")
