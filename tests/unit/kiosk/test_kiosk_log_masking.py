"""ID numbers that slip into log text (exception messages) are masked before they are written."""

from __future__ import annotations

import logging

from kiosk.log_masking import MaskingFilter, mask_text


def test_mask_text_masks_18_and_15_digit_numbers_only():
    text = "lookup failed for 43010219650930031X and 440106850312123, ticket A001, port 115200"
    assert mask_text(text) == (
        "lookup failed for 4301**********031X and 4401*******2123, ticket A001, port 115200"
    )
    assert mask_text("order 12345678901234567890123") == "order 12345678901234567890123"


def test_filter_rewrites_the_final_message(caplog):
    logger = logging.getLogger("kiosk.test.masking")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="kiosk.test.masking"):
        logger.info("citizen %s asked for %s", "440106198503121237", "records")
    assert caplog.messages == ["citizen 4401**********1237 asked for records"]
    assert "198503121" not in caplog.text
