"""Masking of personal data for every log line: ``4401**********123X``."""

from __future__ import annotations


def mask_id_number(value: str) -> str:
    """Keep the first four and last four characters of an ID number; star the rest."""
    value = value.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str) -> str:
    """Keep the first character of a name (the family name in Chinese)."""
    value = value.strip()
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)


def mask_payload(data: bytes | str, keep: int = 4) -> str:
    """Show a scanned payload's length and a few leading characters only."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    head = text[:keep]
    return f"{head}…({len(text)} chars)" if len(text) > keep else "*" * len(text)
