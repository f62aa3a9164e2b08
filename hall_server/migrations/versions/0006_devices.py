"""Floor devices: rating pads and displays with their tokens, reviews tied to a window and a clerk, who
completed a ticket, and the turn notices sent

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-06 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# A window's review is one per ticket; reviews from elsewhere (a kiosk) are not in the rule.
_WINDOW_REVIEW = "window_number IS NOT NULL"


def upgrade() -> None:
    op.create_table('devices',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('window_number', sa.String(length=8), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['site'], ['sites.code'], name=op.f('fk_devices_site_sites')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_devices')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_devices_token_hash'))
    )
    op.create_table('ticket_notices',
    sa.Column('ticket_id', sa.String(length=40), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('people_ahead', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_notices'))
    )
    # Plain ADD COLUMN: no table copy on SQLite, so the tables' other indexes stay as they are.
    op.add_column('reviews', sa.Column('window_number', sa.String(length=8), nullable=True))
    op.add_column('reviews', sa.Column('clerk', sa.String(length=64), nullable=True))
    op.add_column('tickets', sa.Column('completed_by', sa.String(length=64), nullable=True))
    op.create_index('uq_reviews_window_subject', 'reviews', ['subject_type', 'subject_id'], unique=True,
                    sqlite_where=sa.text(_WINDOW_REVIEW), postgresql_where=sa.text(_WINDOW_REVIEW))


def downgrade() -> None:
    op.drop_index('uq_reviews_window_subject', table_name='reviews')
    op.drop_column('tickets', 'completed_by')
    op.drop_column('reviews', 'clerk')
    op.drop_column('reviews', 'window_number')
    op.drop_table('ticket_notices')
    op.drop_table('devices')
