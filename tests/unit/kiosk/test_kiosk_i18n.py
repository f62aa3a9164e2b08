"""Translations: every msgid used in kiosk/ (.py and .kv, all domains) is translated in zh_Hans,
zh_Hant and en; the chained catalogues and the live language switch."""

from __future__ import annotations

from pathlib import Path
from string import Formatter

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_python

from kiosk import i18n
from kiosk.i18n import LANGUAGES, Translations, UnknownLanguage, load_catalogue

KIOSK = Path(__file__).resolve().parents[3] / "kiosk"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}


def used_msgids() -> dict[str, list[str]]:
    """msgid → where it is used, extracted with Babel's Python extractor from .py and .kv files
    (kv property values are Python expressions, so the same extractor reads them)."""
    found: dict[str, list[str]] = {}
    for path in sorted([*KIOSK.rglob("*.py"), *KIOSK.rglob("*.kv")]):
        with path.open("rb") as handle:
            for lineno, _func, message, _comments in extract_python(handle, KEYWORDS, [], {}):
                msgid = message[0] if isinstance(message, tuple) else message
                if msgid:
                    found.setdefault(msgid, []).append(f"{path.relative_to(KIOSK.parent)}:{lineno}")
    return found


def test_extraction_finds_kv_and_python_messages():
    used = used_msgids()
    assert "Touch to start" in used  # attract.kv
    assert "This ID number is not valid. Please check it and try again." in used  # identify.py
    assert len(used) > 50


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_msgid_is_translated(lang):
    table = Translations().table(lang)
    missing = {msgid: where[0] for msgid, where in used_msgids().items() if msgid not in table}
    assert missing == {}, f"{len(missing)} msgids have no {lang} translation"


def _fields(text: str) -> list[str]:
    """The names of a str.format template's fields (a translation may change their format spec)."""
    return sorted(field for _lit, field, _spec, _conv in Formatter().parse(text) if field is not None)


def test_placeholders_survive_translation():
    for lang in LANGUAGES:
        table = Translations().table(lang)
        for msgid in used_msgids():
            if "{" in msgid and msgid in table:
                assert _fields(table[msgid]) == _fields(msgid), (lang, msgid)


def test_chained_domains_first_wins(tmp_path):
    for domain, text in (("kiosk", "甲"), ("flows", "乙")):
        folder = tmp_path / "zh_Hans" / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{domain}.po").write_text(
            f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            f'msgid "Shared"\nmsgstr "{text}"\n\nmsgid "Only {domain}"\nmsgstr "{text}{text}"\n',
            encoding="utf-8",
        )
    chain = Translations(tmp_path)
    assert chain.gettext("Shared", "zh_Hans") == "甲"
    assert chain.gettext("Only flows", "zh_Hans") == "乙乙"
    assert chain.gettext("Untranslated", "zh_Hans") == "Untranslated"
    assert load_catalogue("zh_Hant", "kiosk", tmp_path) == {}


def test_language_switch_and_unknown_language():
    before = i18n.current_language()
    try:
        i18n.set_language("en")
        assert i18n._("Touch to start") == "Touch to start"
        i18n.set_language("zh_Hant")
        assert i18n._("Touch to start") == "點擊螢幕開始"
        assert i18n._("Touch to start", "zh_Hans") == "点击屏幕开始"
        with pytest.raises(UnknownLanguage):
            i18n.set_language("fr")
        assert i18n.current_language() == "zh_Hant"
    finally:
        i18n.set_language(before)
