"""Access and data kept: kiosk revocation and last use, disabled staff, erased booking details

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-06 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
# MERGE: down_revision becomes '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kiosks') as batch:
        batch.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('token_changed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('credentials_changed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('bookings') as batch:
        batch.add_column(sa.Column('personal_erased_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('bookings') as batch:
        batch.drop_column('personal_erased_at')
    with op.batch_alter_table('staff') as batch:
        batch.drop_column('credentials_changed_at')
        batch.drop_column('disabled_at')
    with op.batch_alter_table('kiosks') as batch:
        batch.drop_column('token_changed_at')
        batch.drop_column('revoked_at')
        batch.drop_column('last_used_at')
