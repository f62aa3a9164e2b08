"""``/v/{code}``: the page a phone opens from a certificate's QR code, in the reader's language."""

from __future__ import annotations

from html import escape

from hall_server.documents.codes import grouped
from hall_server.documents.wording import LANGS, title, word
from hall_server.store.documents import IssuedDocument

PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{heading}</title>
<link rel="stylesheet" href="/static/hall.css">
<style>
 /* A phone-sized card on the hall's shared look; green for a certificate the hall issued, red if not. */
 main {{ padding: 18px; max-width: 480px; margin: auto; }}
 header {{ background: #b3261e; }}
 .card {{ border-radius: 12px; padding: 20px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }}
 .verdict {{ font-size: 20px; font-weight: 700; margin: 0 0 14px; color: {colour}; }}
 dl {{ display: grid; grid-template-columns: auto 1fr; gap: 10px 12px; margin: 0; }}
 dt {{ color: var(--muted, #666); }}
 dd {{ margin: 0; font-weight: 600; overflow-wrap: anywhere; }}
 .sha {{ font-family: monospace; font-size: 12px; font-weight: 400; }}
 nav {{ text-align: center; margin-top: 14px; font-size: 13px; }}
 nav a {{ margin: 0 6px; }}
</style>
</head>
<body>
<header><h1>{hall}</h1></header>
<main>
<h2>{heading}</h2>
<div class="card">
<p class="verdict">{verdict}</p>
{details}
</div>
<nav>{languages}</nav>
</main>
</body>
</html>
"""

LANG_NAMES = {"zh-Hans": "简体", "zh-Hant": "繁體", "en": "English"}


def pick_lang(query: str | None, accept_language: str | None) -> str:
    """``?lang=`` if it names one of ours, else the first fitting entry of Accept-Language, else zh-Hans."""
    if query in LANGS:
        return query
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith(("zh-hant", "zh-tw", "zh-hk", "zh-mo")):
            return "zh-Hant"
        if tag.startswith("zh"):
            return "zh-Hans"
        if tag.startswith("en"):
            return "en"
    return "zh-Hans"


def render(lang: str, hall_name: str, code_text: str, doc: IssuedDocument | None, *,
           malformed: bool = False, too_many: bool = False, issued_at_text: str = "") -> str:
    if doc is not None:
        verdict, colour = word("valid", lang), "#1b7f3b"
        rows = [
            (word("code", lang), grouped(doc.code), ""),
            (word("kind", lang), title(doc.kind, lang), ""),
            (word("issued_at", lang), issued_at_text, ""),
            (word("holder", lang), doc.masked_name, ""),
            (word("sha256", lang), doc.sha256, "sha"),
        ]
        details = "<dl>" + "".join(
            f'<dt>{escape(label)}</dt><dd class="{cls}">{escape(value)}</dd>' for label, value, cls in rows
        ) + f"</dl><p>{escape(word('compare', lang))}</p>"
    else:
        verdict = word("too_many" if too_many else "malformed" if malformed else "invalid", lang)
        colour = "#b3261e"
        details = f"<p>{escape(code_text[:64])}</p>"
    languages = " ".join(
        f'<a href="?lang={code}">{escape(name)}</a>' for code, name in LANG_NAMES.items() if code != lang
    )
    return PAGE.format(lang=lang, hall=escape(hall_name), heading=escape(word("verify_title", lang)),
                       verdict=escape(verdict), colour=colour, details=details, languages=languages)
