"""Events: the SQLite report index reordered (kind, day, queue, detail, span_s, hour) so report groupings stream

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 16:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


# Still SQLite only, as in 0010 (docs/statistics.md).
_SQLITE_ONLY = "sqlite"


def upgrade() -> None:
    # Queue before detail before duration: the counts by (kind, day, queue, detail) and the histograms by
    # (day, queue, detail, span_s) then read the index in group order, with no sort of every event in range.
    if op.get_bind().dialect.name == _SQLITE_ONLY:
        op.drop_index('ix_events_report', table_name='events')
        op.create_index('ix_events_report', 'events',
                        ['site', 'kind', 'day', 'queue', 'detail', 'span_s', 'hour'], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == _SQLITE_ONLY:
        op.drop_index('ix_events_report', table_name='events')
        op.create_index('ix_events_report', 'events',
                        ['site', 'kind', 'day', 'hour', 'queue', 'span_s', 'detail'], unique=False)
