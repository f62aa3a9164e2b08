"""Events: the append-only log of every transition, the source of the statistics

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-06 08:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
# Re-chained after the windows (0005) and rating pads (0006) when those land.
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('queue', sa.String(length=8), nullable=True),
    sa.Column('service', sa.String(length=32), nullable=True),
    sa.Column('department', sa.String(length=32), nullable=True),
    sa.Column('window', sa.String(length=32), nullable=True),
    sa.Column('clerk', sa.String(length=64), nullable=True),
    sa.Column('kiosk', sa.String(length=64), nullable=True),
    sa.Column('subject', sa.String(length=80), nullable=True),
    sa.Column('related', sa.String(length=80), nullable=True),
    sa.Column('detail', sa.String(length=40), nullable=True),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('span_s', sa.Integer(), nullable=True),
    sa.Column('demo', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    op.create_index('ix_events_site_day_kind', 'events', ['site', 'day', 'kind'], unique=False)
    op.create_index('ix_events_subject', 'events', ['subject'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_events_subject', table_name='events')
    op.drop_index('ix_events_site_day_kind', table_name='events')
    op.drop_table('events')
