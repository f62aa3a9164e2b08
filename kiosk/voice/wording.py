"""The text voice guidance reads for a screen: its heading and prompt as sentences of one language."""

from __future__ import annotations

from collections.abc import Iterable

# A sentence already ends (a pause follows) after one of these.
_ENDS = frozenset("。！？.!?：:；;…")


def speech_text(parts: Iterable[str], lang: str) -> str:
    """``parts`` (a heading, a prompt, ...) joined into one text, each ending as a sentence so the
    engine pauses between them; empty parts are left out."""
    full_stop = "." if lang == "en" else "。"
    sentences = []
    for part in parts:
        text = " ".join(part.split())
        if not text:
            continue
        if text[-1] not in _ENDS:
            text += full_stop
        sentences.append(text)
    return (" " if lang == "en" else "").join(sentences)
