"""Widgets built from Python with their data in the constructor, as screens build them."""

from __future__ import annotations

import pytest

from kiosk.ui.widgets.qr import QrCode

pytestmark = pytest.mark.ui

PAYLOAD = "http://127.0.0.1/t/t_1"


def _rectangles(widget: QrCode) -> int:
    return sum(type(i).__name__ == "Rectangle" for i in widget.canvas.children)


def test_qr_code_given_its_data_in_the_constructor_draws_it(kiosk):
    built = QrCode(data=PAYLOAD, size=(300, 300))
    set_later = QrCode(size=(300, 300))
    set_later.data = PAYLOAD
    dark = sum(row.count(True) for row in set_later._matrix)
    assert dark > 100
    assert built._matrix == set_later._matrix
    # One white square, then one rectangle per dark module.
    assert _rectangles(built) == _rectangles(set_later) == dark + 1
