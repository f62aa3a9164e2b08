"""Windows live: who is signed in at which window, paused or not; one current ticket per window; tickets
sent to a window; the counter audit

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 08:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

CURRENT = "status IN ('called', 'serving')"


def upgrade() -> None:
    op.create_table('window_states',
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('number', sa.String(length=8), nullable=False),
    sa.Column('clerk', sa.String(length=64), nullable=True),
    sa.Column('paused', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('pause_reason', sa.String(length=200), nullable=True),
    sa.Column('since', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('site', 'number', name=op.f('pk_window_states'))
    )
    op.create_index('uq_window_states_clerk', 'window_states', ['clerk'], unique=True,
                    sqlite_where=sa.text('clerk IS NOT NULL'), postgresql_where=sa.text('clerk IS NOT NULL'))
    op.create_table('counter_audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('clerk', sa.String(length=64), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('window', sa.String(length=8), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('ticket_id', sa.String(length=40), nullable=True),
    sa.Column('number', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_audit'))
    )
    # Plain ADD COLUMN (no table copy on SQLite, so the ticket indexes stay as they are).
    op.add_column('tickets', sa.Column('for_window', sa.String(length=8), nullable=True))
    # Before the index that forbids it: a window that raced into several called tickets (the bug this
    # index closes) keeps its latest; the others were never served and go back to the line.
    op.execute(
        "UPDATE tickets SET status = 'waiting', counter = NULL, called_at = NULL "
        "WHERE status = 'called' AND EXISTS (SELECT 1 FROM tickets AS later "
        "WHERE later.site = tickets.site AND later.counter = tickets.counter "
        "AND later.status IN ('called', 'serving') AND later.id <> tickets.id "
        "AND (later.status = 'serving' OR later.called_at > tickets.called_at "
        "OR (later.called_at = tickets.called_at AND later.id > tickets.id)))"
    )
    op.create_index('uq_tickets_current_at_counter', 'tickets', ['site', 'counter'], unique=True,
                    sqlite_where=sa.text(CURRENT), postgresql_where=sa.text(CURRENT))


def downgrade() -> None:
    op.drop_index('uq_tickets_current_at_counter', table_name='tickets')
    op.drop_column('tickets', 'for_window')
    op.drop_table('counter_audit')
    op.drop_index('uq_window_states_clerk', table_name='window_states')
    op.drop_table('window_states')
