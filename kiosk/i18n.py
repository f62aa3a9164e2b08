"""Translations read at run time from the .po catalogues (domains kiosk, flows, assist, identity, a4,
bookings, chained).

Python code calls ``_("Take a ticket")`` (current language). kv rules pass the app's language so
the rule re-evaluates when it changes: ``text: _("Take a ticket", app.lang)``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES: tuple[str, ...] = ("zh_Hans", "zh_Hant", "en")
DEFAULT_LANGUAGE = "zh_Hans"
# The first domain that translates a msgid wins.
DOMAINS: tuple[str, ...] = ("kiosk", "flows", "assist", "identity", "a4", "bookings")
# The hall server's spelling of the same languages (docs/api.md).
API_LANGUAGE = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}
# What each language's button says, in that language.
LANGUAGE_NAMES = {"zh_Hans": "简体", "zh_Hant": "繁體", "en": "English"}


class UnknownLanguage(ValueError):
    code = "unknown_language"


def load_catalogue(lang: str, domain: str, locale_dir: Path = LOCALE_DIR) -> dict[str, str]:
    """msgid → msgstr for one language and domain; missing file → empty; empty msgstr skipped."""
    path = locale_dir / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang.replace("_", "-").split("-")[0], domain=domain)
    table: dict[str, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) else (message.string or ("",))[0]
        if msgstr:
            table[msgid] = msgstr
    return table


class Translations:
    """Chained catalogues of every language, loaded once and kept in memory."""

    def __init__(self, locale_dir: Path = LOCALE_DIR, domains: Iterable[str] = DOMAINS) -> None:
        self.locale_dir = locale_dir
        self.domains = tuple(domains)
        self._tables: dict[str, dict[str, str]] = {}
        self.language = DEFAULT_LANGUAGE

    def table(self, lang: str) -> dict[str, str]:
        if lang not in LANGUAGES:
            raise UnknownLanguage(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
        if lang not in self._tables:
            merged: dict[str, str] = {}
            # Later domains must not override earlier ones, so fill in reverse order.
            for domain in reversed(self.domains):
                merged.update(load_catalogue(lang, domain, self.locale_dir))
            self._tables[lang] = merged
        return self._tables[lang]

    def reload(self) -> None:
        self._tables.clear()

    def set_language(self, lang: str) -> None:
        self.table(lang)
        self.language = lang

    def gettext(self, msgid: str, lang: str | None = None) -> str:
        return self.table(lang or self.language).get(msgid, msgid)


translations = Translations()


def _(msgid: str, lang: str | None = None) -> str:
    """Translate ``msgid`` into ``lang`` (default: the kiosk's current language)."""
    return translations.gettext(msgid, lang)


def N_(msgid: str) -> str:
    """Mark a msgid for extraction where it is translated later (tables of labels)."""
    return msgid


def set_language(lang: str) -> None:
    translations.set_language(lang)


def current_language() -> str:
    return translations.language
