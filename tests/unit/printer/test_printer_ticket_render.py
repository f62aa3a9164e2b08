"""The ticket renderer: text placement, GS ! scaling, real QR symbols, paper width."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from terminal_drivers.sim.ticket_render import (
    Feed,
    PrintedTicket,
    QrBlock,
    TextLine,
    TextRun,
    ticket_image,
    ticket_png,
    ticket_text,
)


def ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    box = Image.eval(image.convert("L"), lambda v: 255 - v).getbbox()
    assert box is not None
    return box


@pytest.mark.parametrize("width", [576, 384])
def test_png_is_the_paper_width(width: int) -> None:
    png = ticket_png(PrintedTicket(width, [TextLine([TextRun("号")])]))
    with Image.open(io.BytesIO(png)) as image:
        assert image.width == width
        assert image.mode == "1"


def test_size_multiplier_scales_the_glyph() -> None:
    small = ticket_image(PrintedTicket(576, [TextLine([TextRun("号")])]))
    large = ticket_image(PrintedTicket(576, [TextLine([TextRun("号", width=3, height=2)])]))
    sx0, sy0, sx1, sy1 = ink_box(small)
    lx0, ly0, lx1, ly1 = ink_box(large)
    assert abs((lx1 - lx0) - 3 * (sx1 - sx0)) <= 3
    assert abs((ly1 - ly0) - 2 * (sy1 - sy0)) <= 3
    assert sx1 - sx0 <= 24 and sy1 - sy0 <= 24


def test_alignment_places_the_line() -> None:
    def left_edge(align: str) -> int:
        return ink_box(ticket_image(PrintedTicket(576, [TextLine([TextRun("一二")], align)])))[0]  # type: ignore[arg-type]

    assert left_edge("left") < 4
    assert abs(left_edge("center") - (576 - 48) // 2) < 4
    assert abs(left_edge("right") - (576 - 48)) < 4


def test_text_places_columns_like_paper() -> None:
    ticket = PrintedTicket(
        384,
        [
            TextLine([TextRun("右")], "right"),
            Feed(60),
            QrBlock(b"abc", 4),
            TextLine([TextRun("c")], "center"),
        ],
    )
    lines = ticket_text(ticket).split("\n")
    assert lines[0] == " " * 30 + "右"
    assert lines[1:3] == ["", ""]
    assert lines[3] == "[QR abc]"
    assert lines[4] == " " * 15 + "c"


@pytest.mark.parametrize(
    ("payload", "module"), [(b"https://hall.example.gov.cn/t/0001", 3), ("预约:482913".encode(), 6)]
)
def test_qr_is_a_real_symbol(payload: bytes, module: int) -> None:
    block = QrBlock(payload, module, "M", "center")
    image = ticket_image(PrintedTicket(576, [TextLine(), block, TextLine()]))
    (result,) = zxingcpp.read_barcodes(image.convert("L"))
    assert result.bytes == payload
    x0, _, x1, _ = ink_box(image)
    assert x1 - x0 == block.dots
    assert len(block.matrix()) * module == block.dots


def test_feed_adds_height() -> None:
    short = ticket_image(PrintedTicket(576, [TextLine([TextRun("a")])]))
    tall = ticket_image(PrintedTicket(576, [TextLine([TextRun("a")]), Feed(90)]))
    assert tall.height - short.height == 90


def test_has_content() -> None:
    assert not PrintedTicket(576, [TextLine(), Feed(30)]).has_content
    assert PrintedTicket(576, [QrBlock(b"x")]).has_content
