"""Querying and printing a citizen's records: kind → query with the identity → pages → printout."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from citizen_id.masking import mask_id_number
from hall_contract import RecordsResult
from kiosk.hall_client import HallClient
from kiosk.i18n import N_
from kiosk.session import Identity

log = logging.getLogger(__name__)

# The record kinds of the contract (DESIGN §4.3), with their tile labels.
KINDS: dict[str, str] = {
    "social_insurance_payments": N_("Social insurance payments"),
    "medical_insurance_certificate": N_("Medical insurance certificate"),
    "entry_exit_records": N_("Exit-entry records"),
    "real_estate_records": N_("Real estate records"),
    "application_progress": N_("Application progress"),
}

PAGE_SIZE = 8


@dataclass(frozen=True)
class RecordPage:
    number: int  # from 1
    count: int
    rows: tuple[dict[str, str], ...]


def pages(result: RecordsResult, page_size: int = PAGE_SIZE) -> list[RecordPage]:
    """The rows cut into screen pages; an empty result is one empty page."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    rows = result.rows
    chunks = [rows[i : i + page_size] for i in range(0, len(rows), page_size)] or [()]
    return [RecordPage(i + 1, len(chunks), tuple(chunk)) for i, chunk in enumerate(chunks)]


class RecordsFlow:
    def __init__(self, hall: HallClient) -> None:
        self.hall = hall

    async def query(self, kind: str, identity: Identity, lang: str = "zh_Hans") -> RecordsResult:
        if kind not in KINDS:
            raise ValueError(f"unknown record kind {kind!r}")
        log.info("records query %s for %s", kind, mask_id_number(identity.id_number))
        return await self.hall.call(
            self.hall.query_records, kind, identity.id_number, identity.name, lang=lang
        )
