"""Events: a covering index for the queue reports on SQLite (kind, day, hour, queue, duration, detail)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 12:30:00
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


# PostgreSQL's reports were no faster with it (docs/statistics.md): there it would only cost the writes.
_SQLITE_ONLY = "sqlite"


def upgrade() -> None:
    if op.get_bind().dialect.name == _SQLITE_ONLY:
        op.create_index('ix_events_report', 'events',
                        ['site', 'kind', 'day', 'hour', 'queue', 'span_s', 'detail'], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == _SQLITE_ONLY:
        op.drop_index('ix_events_report', table_name='events')
