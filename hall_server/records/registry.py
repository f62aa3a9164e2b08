"""Which adapter answers which kind of record: a deployment plugs a department's system in per kind."""

from __future__ import annotations

from collections.abc import Iterable

from hall_server.records.adapter import KINDS, RecordQuery, RecordsAdapter, RecordTable
from hall_server.records.demo import DemoRecordsAdapter


class RecordsRegistry:
    def __init__(self, adapters: Iterable[RecordsAdapter] = ()) -> None:
        self._by_kind: dict[str, RecordsAdapter] = {}
        for adapter in adapters:
            self.register(adapter)

    def register(self, adapter: RecordsAdapter, kinds: Iterable[str] | None = None) -> None:
        """Let ``adapter`` answer ``kinds`` (default: every kind it declares), replacing earlier ones."""
        for kind in kinds if kinds is not None else adapter.kinds():
            if kind not in KINDS:
                raise ValueError(f"unknown record kind {kind!r}")
            self._by_kind[kind] = adapter

    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in KINDS if k in self._by_kind)

    def query(self, query: RecordQuery) -> RecordTable:
        return self._by_kind[query.kind].query(query)


def demo_registry() -> RecordsRegistry:
    """Every kind answered by the deterministic demo adapter."""
    return RecordsRegistry([DemoRecordsAdapter()])
