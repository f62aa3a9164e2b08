"""The packaged catalogue: every service complete in three languages, validation, and search."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall_server.domain.calendar import SiteCalendar
from hall_server.domain.catalogue import (
    LANGUAGES,
    Catalogue,
    CatalogueError,
    build_catalogue,
    default_catalogue,
    parse_department_text,
)
from hall_server.domain.holidays import HolidayCalendar
from hall_server.domain.sites import Site

SEED_DEPARTMENTS = {"AMR", "TAX", "HRSS", "HSA", "CIVIL", "HEALTH", "EXIT", "PSB", "REAL", "HPF", "VEH"}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return default_catalogue()


def department_file(code: str) -> str:
    return resources.files("hall_server.data.catalogue").joinpath(f"{code}.toml").read_text("utf-8")


def test_catalogue_covers_the_seed_departments(catalogue: Catalogue) -> None:
    assert len(catalogue.services) >= 30
    assert set(catalogue.departments) == SEED_DEPARTMENTS
    assert {s.department for s in catalogue.services} == SEED_DEPARTMENTS
    assert len({s.code for s in catalogue.services}) == len(catalogue.services)
    assert {s.queue for s in catalogue.services} == {"A", "B", "C", "D", "E", "F"}


def test_every_service_is_complete_in_every_language(catalogue: Catalogue) -> None:
    for service in catalogue.services:
        for lang in LANGUAGES:
            guide = service.guide(lang)
            assert service.name(lang).strip(), (service.code, lang)
            assert guide.materials and guide.steps, (service.code, lang)
            assert all(m.name and m.copies for m in guide.materials)
            assert guide.time_limit and guide.fee and guide.where and guide.legal_basis
            # The three languages describe the same list item by item.
            assert len(guide.materials) == len(service.guide("zh-Hans").materials)
            assert len(guide.steps) == len(service.guide("zh-Hans").steps)
        assert service.name("zh-Hans") != service.name("en")
        assert service.pinyin_initials.isupper() and service.pinyin_initials.isalpha()


def test_traditional_text_is_stored_not_simplified(catalogue: Catalogue) -> None:
    marriage = catalogue.get("MZ-001")
    assert marriage is not None
    assert marriage.name("zh-Hant") == "內地居民結婚登記"
    assert catalogue.get("HJ-001").guide("zh-Hant").materials[0].name == "居民戶口簿"  # type: ignore[union-attr]
    # Common simplified-only characters never appear in zh-Hant text.
    simplified_only = set("证书办户区号发关务护龙门这时会对说")
    for service in catalogue.services:
        hant = service.text("zh-Hant")
        text = hant.name + "".join(hant.guide.steps) + "".join(m.name + m.note for m in hant.guide.materials)
        assert not simplified_only & set(text), (service.code, simplified_only & set(text))


def test_api_example_service(catalogue: Catalogue) -> None:
    service = catalogue.get("sb-001")
    assert service is not None
    assert (service.name("zh-Hans"), service.department, service.queue, service.bookable) == (
        "社会保险参保缴费记录查询",
        "HRSS",
        "B",
        True,
    )
    assert service.pinyin_initials == "SHBXCBJFJLCX"
    assert catalogue.departments["HRSS"].name("zh-Hans") == "人力资源和社会保障局"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("SB-001", "SB-001"),
        ("sb-001", "SB-001"),
        ("shebao", "SB-001"),
        ("sbcx", "SB-001"),
        ("SHBX", "SB-001"),
        ("社会保险参保缴费记录查询", "SB-001"),
        ("护照", "CR-001"),
        ("護照", "CR-001"),
        ("passport", "CR-001"),
        ("huzhao", "CR-001"),
        ("hu zhao", "CR-001"),
        ("jiehun", "MZ-001"),
        ("jhdj", "MZ-001"),
        ("结婚", "MZ-001"),
        ("gjjtq", "GJ-002"),
        ("不动产登记资料", "BD-001"),
        ("二手房", "BD-002"),
    ],
)
def test_search_finds_the_expected_service_first(catalogue: Catalogue, query: str, first: str) -> None:
    found = catalogue.search(query)
    assert found and found[0].code == first, [s.code for s in found[:5]]


def test_search_ranking(catalogue: Catalogue) -> None:
    # An exact code beats everything; initials prefix beats a later substring match.
    assert [s.code for s in catalogue.search("hj-00")][:5] == [
        "HJ-001",
        "HJ-002",
        "HJ-003",
        "HJ-004",
        "HJ-005",
    ]
    sfz = [s.code for s in catalogue.search("sfz")]
    assert set(sfz[:2]) == {"HJ-001", "HJ-002"}
    assert catalogue.search("公安局出入境")[0].department == "EXIT"
    assert catalogue.search("zzzzqqq") == []
    assert len(catalogue.search("")) == len(catalogue.services)
    assert {s.department for s in catalogue.search("", department="PSB")} == {"PSB"}


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.text(max_size=20))
def test_search_never_fails(query: str) -> None:
    found = default_catalogue().search(query, "en")
    assert len({s.code for s in found}) == len(found)


def test_calendar_uses_the_catalogue_for_departments(hq: Site) -> None:
    calendar = SiteCalendar(hq, HolidayCalendar())
    wednesday = date(2025, 10, 15)
    assert any(s.session.kind == "evening" for s in calendar.slots("MZ-001", wednesday))
    assert not any(s.session.kind == "evening" for s in calendar.slots("BD-002", wednesday))
    assert calendar.slots("NO-SUCH", wednesday) and all(
        s.session.kind == "regular" for s in calendar.slots("NO-SUCH", wednesday)
    )


GOOD = department_file("HEALTH")


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (GOOD.replace('code = "HEALTH"', 'code = "health"'), "department code"),
        (GOOD.replace('queue = "D"', 'queue = "DD"'), "queue"),
        (GOOD.replace('code = "WJ-001"', 'code = "WJ1"'), "service code"),
        (GOOD.replace("bookable = true", 'bookable = "yes"'), "bookable"),
        (GOOD.replace("[services.en]", "[services.fr]"), "unknown field"),
        (GOOD.replace('fee = "Free of charge"', 'fee = ""'), "fee"),
        (GOOD.replace('legal_basis = "《中华人民共和国人口与计划生育法》"\n', ""), "legal_basis"),
        (GOOD.replace("[[services]]", "colour = 1\n[[services]]"), "unknown field"),
        (GOOD.replace(', en = "Health Commission"', ""), "name"),
        (GOOD + '\n[[services]]\ncode = "WJ-002"\nbookable = true\n', "WJ-002.zh-Hans"),
        (GOOD.replace("steps = [", "steps = [ 1,", 1), "steps"),
        ("code = ", "Invalid"),
    ],
)
def test_bad_department_files_are_refused(broken: str, message: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_department_text(broken, "HEALTH.toml")
    assert caught.value.code == "catalogue_invalid"
    assert caught.value.path == "HEALTH.toml"
    assert message in caught.value.message


def test_duplicate_codes_are_refused() -> None:
    with pytest.raises(CatalogueError, match="defined twice"):
        build_catalogue([(GOOD, "a.toml"), (GOOD, "b.toml")])


# Corrections made by hand after converting with OpenCC s2tw (its phrase table gets these wrong here).
REVIEWED_CORRECTIONS = {
    "換髮": "換發",
    "簽註": "簽注",
    "籤注": "簽注",
    "彙算": "匯算",
    "刻制": "刻製",
    "賬": "帳",
    "制卡": "製卡",
    "制證": "製證",
}


def test_traditional_text_matches_the_simplified_text(catalogue: Catalogue) -> None:
    """zh-Hant was generated from zh-Hans once; an edit to one language alone shows up here."""
    from opencc import OpenCC

    converter = OpenCC("s2tw")

    def convert(text: str) -> str:
        out = converter.convert(text)
        for wrong, right in REVIEWED_CORRECTIONS.items():
            out = out.replace(wrong, right)
        return out

    for service in catalogue.services:
        hans, hant = service.text("zh-Hans"), service.text("zh-Hant")
        assert convert(hans.name) == hant.name
        assert [convert(a) for a in hans.aliases] == list(hant.aliases)
        assert [convert(s) for s in hans.guide.steps] == list(hant.guide.steps)
        assert [convert(n) for n in hans.guide.notes] == list(hant.guide.notes)
        for field in ("time_limit", "fee", "where", "legal_basis"):
            assert convert(getattr(hans.guide, field)) == getattr(hant.guide, field), (service.code, field)
        for simplified, traditional in zip(hans.guide.materials, hant.guide.materials, strict=True):
            assert (convert(simplified.name), convert(simplified.copies), convert(simplified.note)) == (
                traditional.name,
                traditional.copies,
                traditional.note,
            )
