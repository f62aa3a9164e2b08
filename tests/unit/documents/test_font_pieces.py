"""The CJK font's pieces: every character in exactly one piece, the common ones first, rare ones drawn."""

from __future__ import annotations

from pathlib import Path

from fontTools.ttLib import TTFont

from hall_server.documents.font_pieces import REGULAR_FONT, PiecedFont, cut_plan
from hall_server.documents.wording import every_text

RARE = "镕堃喆䶮"


def test_every_code_point_is_in_one_piece_and_the_first_holds_the_common_ones() -> None:
    covered = set(range(0x20, 0x7F)) | set(range(0x4E00, 0x9FFF)) | set(range(0x3400, 0x4DBF))
    plan = cut_plan(covered)
    assert sum(len(piece) for piece in plan) == len(covered)
    assert set().union(*plan) == covered
    assert {ord(c) for c in "社会保险缴费证明0123456789ABC"} <= plan[0]
    assert all(len(piece) <= 1000 for piece in plan[1:])


def test_fixed_words_are_all_in_the_first_piece() -> None:
    fixed = {ord(c) for c in every_text()}
    plan = cut_plan(set(range(0x20, 0x10000)), extra_common=fixed)
    assert fixed <= plan[0]


def test_a_rare_name_pulls_in_the_pieces_that_draw_it(tmp_path: Path) -> None:
    from hall_server.documents.desk import font_cache_dir

    font = PiecedFont(REGULAR_FONT, font_cache_dir())
    assert all(font.covers(c) for c in RARE)
    pieces = font.pieces_for("王" + RARE)
    assert pieces[0].index == 0 and len(pieces) >= 2
    drawn: set[int] = set()
    for piece in pieces:
        cut = TTFont(str(piece.path), lazy=True)
        drawn |= set(cut.getBestCmap())
        cut.close()
    assert {ord(c) for c in "王" + RARE} <= drawn


def test_the_cache_is_the_fonts_content_not_its_path_or_time(tmp_path: Path) -> None:
    """A fresh checkout or an upgrade installs the same font again, with a new path and mtime: its pieces
    are found, not cut again; a different font gets pieces of its own."""
    import os
    import shutil

    cache = tmp_path / "pieces"
    copy = tmp_path / "elsewhere" / REGULAR_FONT.name
    copy.parent.mkdir()
    shutil.copyfile(REGULAR_FONT, copy)
    os.utime(copy, ns=(1, 1))
    assert PiecedFont(copy, cache).cache_dir == PiecedFont(REGULAR_FONT, cache).cache_dir
    with copy.open("r+b") as changed:  # one byte of the name table's tail: still a font, another one
        changed.seek(-1, os.SEEK_END)
        last = changed.read(1)
        changed.seek(-1, os.SEEK_END)
        changed.write(bytes([last[0] ^ 0xFF]))
    assert PiecedFont(copy, cache).cache_dir != PiecedFont(REGULAR_FONT, cache).cache_dir
