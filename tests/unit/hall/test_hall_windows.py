"""Windows and the calling-screen settings in the site rules: HQ's data, its catalogue, and bad entries."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from hall_server.domain.catalogue import default_catalogue
from hall_server.domain.sites import Site, SiteRulesError, load_site, parse_site_text

HQ_TEXT = resources.files("hall_server.data.sites").joinpath("HQ.toml").read_text("utf-8")
NAMES = '{ zh-Hans = "甲", zh-Hant = "甲", en = "A" }'


def with_windows(block: str) -> str:
    """HQ's rules with its windows and floor replaced by ``block``."""
    head = HQ_TEXT.split("\n[floor]", 1)[0]
    return head + "\n" + block


def test_hq_windows_are_its_plan() -> None:
    hq = load_site("HQ")
    numbers = [w.number for w in hq.windows]
    assert numbers == [str(n) for n in range(1, 53)]
    assert hq.window("1") is not None and hq.window("1").queues == ("A",)  # type: ignore[union-attr]
    assert hq.window("33").queues == ("C",)  # type: ignore[union-attr]
    assert hq.window("33").area("en") == "Floor 2, Zone C"  # type: ignore[union-attr]
    assert [w.number for w in hq.windows if not w.open] == ["48"]
    assert hq.window("53") is None
    assert hq.floor.announce == ("zh-Hans", "yue", "en")
    assert hq.floor.notice("zh-Hant").startswith("請留意叫號")


def test_every_staffed_queue_has_an_open_window() -> None:
    hq = load_site("HQ")
    staffed = {queue for rule in hq.sessions for queue in rule.counters}
    served = {queue for w in hq.windows if w.open for queue in w.queues}
    assert staffed == served


def _window_span(where: str) -> set[str]:
    match = re.search(r"(\d+)(?:-(\d+))?号窗口", where)
    assert match, where
    first, last = int(match[1]), int(match[2] or match[1])
    return {str(n) for n in range(first, last + 1)}


def test_catalogue_where_names_the_windows_of_the_services_queue() -> None:
    """A ticket's paper sends people to the windows that will call it, for every service."""
    hq = load_site("HQ")
    catalogue = default_catalogue()
    services = catalogue.search("")
    assert services
    for service in services:
        windows = {w.number for w in hq.windows if service.queue in w.queues}
        where = service.guide("zh-Hans").where
        assert _window_span(where) == windows, (service.code, where)


def test_a_site_without_windows_has_none() -> None:
    assert load_site("ST01").windows == ()


@pytest.mark.parametrize(
    ("block", "fragment"),
    [
        (f'[[windows]]\nnumber = "1"\narea = {NAMES}\nname = {NAMES}\nqueues = ["Z"]\n', "not staffed"),
        (f'[[windows]]\nnumber = "1"\narea = {NAMES}\nname = {NAMES}\nqueues = []\n', "queues must"),
        (f'[[windows]]\nnumber = "1"\narea = {NAMES}\nname = {NAMES}\nqueues = ["A", "A"]\n', "queues must"),
        (f'[[windows]]\nnumber = "01"\narea = {NAMES}\nname = {NAMES}\nqueues = ["A"]\n', "must be digits"),
        (f'[[windows]]\nnumbers = "9-3"\narea = {NAMES}\nname = {NAMES}\nqueues = ["A"]\n', "range"),
        (f'[[windows]]\nnumber = "1"\nnumbers = "1-2"\narea = {NAMES}\nname = {NAMES}\nqueues = ["A"]\n',
         "needs number"),
        (f'[[windows]]\nnumbers = "1-3"\narea = {NAMES}\nname = {NAMES}\nqueues = ["A"]\n'
         f'[[windows]]\nnumber = "2"\narea = {NAMES}\nname = {NAMES}\nqueues = ["B"]\n', "listed twice"),
        (f'[[windows]]\nnumber = "1"\narea = {NAMES}\nname = {NAMES}\nqueues = ["A"]\nopen = "yes"\n',
         "open must"),
        (f'[[windows]]\nnumber = "1"\narea = {NAMES}\nname = {NAMES}\nqueues = ["A"]\ncolour = 1\n',
         "unknown window field"),
        (f'[[windows]]\nnumber = "1"\narea = {{ zh-Hans = "甲" }}\nname = {NAMES}\nqueues = ["A"]\n',
         "needs zh-Hans, zh-Hant and en"),
        ('[floor]\nannounce = ["fr"]\n', "announce"),
        ('[floor]\nannounce = []\n', "announce"),
        ('[floor]\nvoice_pack = "../etc"\n', "voice_pack"),
        ('[floor]\nsound = 1\n', "[floor] takes"),
    ],
)
def test_bad_windows_are_refused_with_a_stable_code(block: str, fragment: str) -> None:
    with pytest.raises(SiteRulesError) as caught:
        parse_site_text(with_windows(block), "bad.toml")
    assert caught.value.code == "site_rules_invalid"
    assert fragment in caught.value.message


def test_windows_that_are_not_tables_are_refused() -> None:
    with pytest.raises(SiteRulesError, match="array of tables"):
        parse_site_text("windows = 3\n" + with_windows(""), "bad.toml")


@given(st.text(max_size=40))
@example("15\n")  # "$" in a pattern also matches before a final newline
def test_any_window_number_text_is_parsed_or_refused(number: str) -> None:
    text = with_windows(
        f'[[windows]]\nnumber = "{number.encode("unicode_escape").decode().replace(chr(34), "")}"\n'
        f'area = {NAMES}\nname = {NAMES}\nqueues = ["A"]\n'
    )
    try:
        site: Site = parse_site_text(text, "fuzz.toml")
    except SiteRulesError as exc:
        assert exc.code in {"site_rules_invalid", "site_rules_syntax_error"}
    else:
        assert len(site.windows) == 1 and re.fullmatch(r"[1-9][0-9]{0,3}", site.windows[0].number)


@pytest.mark.parametrize(
    ("old", "new"), [('code = "HQ"', 'code = "HQ\\n"'), ('start = "09:00"', 'start = "09:00\\n"')]
)
def test_a_trailing_newline_is_not_a_site_code_or_a_time(old: str, new: str) -> None:
    with pytest.raises(SiteRulesError) as caught:
        parse_site_text(HQ_TEXT.replace(old, new, 1), "bad.toml")
    assert caught.value.code == "site_rules_invalid"
