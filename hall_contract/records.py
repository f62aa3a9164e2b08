"""Records about a citizen: the body of ``POST /records/query`` and the table answered."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from hall_contract.base import Answer, Body, Text
from hall_contract.identity import Proof

Lang = Literal["zh-Hans", "zh-Hant", "en"]


class RecordColumn(Answer):
    key: str
    label: str


class RecordsResult(Answer):
    kind: str
    title: str = ""
    columns: tuple[RecordColumn, ...] = ()
    rows: tuple[dict[str, str], ...] = ()
    total_rows: int = 0
    generated_at: str = ""

    @field_validator("rows", mode="before")
    @classmethod
    def _cells_as_text(cls, rows: Any) -> Any:
        # Cells are shown and printed as text; an empty cell may come as null.
        if not isinstance(rows, list | tuple):
            return rows
        return [
            {str(k): "" if v is None else str(v) for k, v in row.items()} if isinstance(row, dict) else row
            for row in rows
        ]


class RecordQueryBody(Body):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    kind: Text = Field(max_length=64)
    id_number: Text = Field(max_length=32)
    name: Text = Field(min_length=1, max_length=60)
    start: dt.date | None = Field(default=None, alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    lang: Lang = "zh-Hans"
    # Who shows that the person is present (DESIGN §4.5); the hall answers 403 proof_required without.
    proof: Proof | None = None


class CertificateBody(RecordQueryBody):
    """``POST /records/certificate``: the same query as ``/records/query``; the answer is an A4 PDF."""
