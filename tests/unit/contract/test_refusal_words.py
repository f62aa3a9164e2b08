"""Every refusal code the hall can answer is declared once in hall_contract.refusals, and the kiosk
can say each one a citizen can meet in all three of its languages.

The codes are collected from hall_server's source with ``ast``, not from a list kept by hand:
string codes given to ApiError and to the domain's and store's errors, ``code = "..."`` class
attributes, the values of the ``*_refusal`` rule functions, and what api/errors.py answers itself.
"""

from __future__ import annotations

import ast
import re
import typing
from pathlib import Path

import pytest

from hall_contract import refusals
from hall_contract.calendar import DayReason
from kiosk.flows.words import DAY_REASONS, DEFAULT_ERROR, day_reason_text, error_text, slot_reason_text
from kiosk.i18n import LANGUAGES, Translations

HALL = Path(__file__).resolve().parents[3] / "hall_server"
# Rule functions whose answer is a calendar day's reason (a DayReason), not an error code.
DAY_RULES = ("day_refusal",)
CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$|^[a-z]+$")


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _text(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
        return node.value
    return None


def _classes_with_a_code(trees: list[ast.AST]) -> set[str]:
    """Errors whose code is a class attribute: what they are given is a detail, not a code."""
    return {
        node.name for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
        and any(isinstance(item, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code"
                                                     for t in item.targets) for item in node.body)
    }


def _codes_of(tree: ast.AST, path: Path, fixed: set[str]) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            args = list(node.args)
            # ApiError(status, code, message) and error_response(status, code, message)
            if name in ("ApiError", "error_response") and len(args) > 1:
                found.add(_text(args[1]) or "")
            # Refusal(code, message): what a use case raises; api/errors.py turns it into HTTP.
            elif args and (name == "Refusal" or (
                    (name.endswith("Error") or name == "fail") and name not in fixed)):
                found.add(_text(args[0]) or "")
            found.update(_text(k.value) or "" for k in node.keywords if k.arg == "code")
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if (isinstance(item, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "code" for t in item.targets)):
                    found.add(_text(item.value) or "")
        elif (isinstance(node, ast.FunctionDef) and node.name.endswith("_refusal")
              and node.name not in DAY_RULES):
            # booking_refusal / timing_refusal / check_in_refusal: the reason returned becomes the
            # error code. (day_refusal says why a calendar day is closed: a DayReason, tested below.)
            for ret in ast.walk(node):
                if isinstance(ret, ast.Return) and ret.value is not None:
                    for leaf in ast.walk(ret.value):
                        found.add(_text(leaf) or "")  # type: ignore[arg-type]
    if path.name == "errors.py" and path.parent.name == "api":
        for node in ast.walk(tree):
            # The codes given for bare HTTP errors, and the fallback for any other status.
            if isinstance(node, ast.Dict):
                found.update(_text(v) or "" for v in node.values)
            if isinstance(node, ast.Call) and _name(node.func) == "get" and len(node.args) == 2:
                found.add(_text(node.args[1]) or "")
    found.discard("")
    return found


def hall_codes() -> dict[str, str]:
    """Every refusal code in hall_server → the first file that can answer it."""
    sources = {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(HALL.rglob("*.py")) if "migrations" not in path.parts
    }
    fixed = _classes_with_a_code(list(sources.values()))
    codes: dict[str, str] = {}
    for path, tree in sources.items():
        for code in _codes_of(tree, path, fixed):
            codes.setdefault(code, str(path.relative_to(HALL.parent)))
    return codes


def test_the_walk_finds_codes_of_every_source() -> None:
    codes = hall_codes()
    # One of each way a code is answered: ApiError, a rule function, a domain error's class
    # attribute, ReviewError, the holiday parser, and the HTTP fallbacks of api/errors.py.
    for code in ("unknown_slot", "beyond_horizon", "invalid_qr_payload", "comment_too_long",
                 "calendar_conflict", "unsupported_media_type", "http_error", "internal_error"):
        assert code in codes, code


def test_every_hall_code_is_declared_in_the_contract() -> None:
    undeclared = {code: where for code, where in hall_codes().items() if code not in refusals.REFUSALS}
    assert undeclared == {}, "declare these in hall_contract/refusals.py"


def test_declared_codes_are_answered_by_the_hall() -> None:
    # A code the hall no longer answers is dead weight in the contract and in the kiosk's words.
    assert sorted(refusals.REFUSALS - set(hall_codes())) == []
    assert not set(refusals.KIOSK_FACING) & set(refusals.STAFF_ONLY)


@pytest.mark.parametrize("code", sorted(refusals.KIOSK_FACING))
def test_the_kiosk_has_words_for_every_kiosk_facing_code(code: str) -> None:
    catalogues = {lang: Translations().table(lang) for lang in LANGUAGES}
    texts = {lang: error_text(code, lang) for lang in LANGUAGES}
    assert texts["en"] != error_text(None, "en"), f"{code} falls back to the generic words"
    for lang in ("zh_Hans", "zh_Hant"):
        assert texts[lang] != texts["en"], f"{code} is not translated into {lang}"
    english = error_text(code, "en")
    msgid = next(m for m, t in catalogues["en"].items() if t == english)
    for lang in LANGUAGES:
        assert catalogues[lang].get(msgid), f"{code}: {msgid!r} has no {lang} entry"
    assert msgid != DEFAULT_ERROR


@pytest.mark.parametrize("reason", typing.get_args(DayReason))
def test_the_kiosk_has_words_for_every_reason_a_day_is_not_bookable(reason: str) -> None:
    assert reason in DAY_REASONS, f"no words for the day reason {reason}"
    if not DAY_REASONS[reason]:
        return  # a past day shows nothing more, a holiday its own name from the hall
    texts = {lang: day_reason_text(reason, lang) for lang in LANGUAGES}
    assert texts["en"] and texts["en"] != "Not bookable"
    assert texts["zh_Hans"] != texts["en"] and texts["zh_Hant"] != texts["en"]


def _returned_by(function: str) -> set[str]:
    tree = ast.parse((HALL / "domain" / "booking.py").read_text(encoding="utf-8"))
    [found] = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function]
    return {leaf.value for ret in ast.walk(found) if isinstance(ret, ast.Return) and ret.value is not None
            for leaf in ast.walk(ret.value) if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str)}


def test_every_reason_the_hall_gives_for_a_day_is_a_declared_day_reason() -> None:
    returned = _returned_by("day_refusal")
    assert {"past", "holiday", "closed_day", "beyond_horizon"} <= returned
    assert returned <= set(typing.get_args(DayReason))


def test_every_reason_a_slot_is_not_bookable_has_its_words() -> None:
    reasons = _returned_by("booking_refusal") | _returned_by("timing_refusal")
    assert "beyond_horizon" in reasons
    for reason in sorted(reasons):
        texts = {lang: slot_reason_text(reason, None, lang) for lang in LANGUAGES}
        assert texts["en"] != "Not bookable", f"no words for the slot reason {reason}"
        assert texts["zh_Hans"] != texts["en"] and texts["zh_Hant"] != texts["en"], reason
