"""Issued certificates by verification code: kind, site, time, the file's SHA-256 and a masked name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from hall_server.store import models as m


@dataclass(frozen=True)
class IssuedDocument:
    code: str
    kind: str
    site: str | None
    issued_at: datetime
    sha256: str
    masked_name: str
    pages: int
    issued_by: str


def record(conn: Connection, doc: IssuedDocument) -> None:
    conn.execute(insert(m.issued_documents).values(
        code=doc.code, kind=doc.kind, site=doc.site, issued_at=doc.issued_at, sha256=doc.sha256,
        masked_name=doc.masked_name, pages=doc.pages, issued_by=doc.issued_by,
    ))


def find(conn: Connection, code: str) -> IssuedDocument | None:
    t = m.issued_documents
    row = conn.execute(select(t).where(t.c.code == code)).first()
    if row is None:
        return None
    return IssuedDocument(code=row.code, kind=row.kind, site=row.site, issued_at=row.issued_at,
                          sha256=row.sha256, masked_name=row.masked_name, pages=row.pages,
                          issued_by=row.issued_by)
