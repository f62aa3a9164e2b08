"""Identity: one-time-code challenges, the kiosks' identity budget and the fleet view's kiosk flags

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-06 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('identity_challenges',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('kiosk', sa.String(length=64), nullable=False),
    sa.Column('person_digest', sa.String(length=64), nullable=False),
    sa.Column('code_digest', sa.String(length=64), nullable=False),
    sa.Column('viable', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_challenges'))
    )
    with op.batch_alter_table('identity_challenges', schema=None) as batch_op:
        batch_op.create_index('ix_identity_challenges_expires_at', ['expires_at'], unique=False)

    op.create_table('identity_asks',
    sa.Column('kiosk', sa.String(length=64), nullable=False),
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('person_digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('kiosk', 'hour', 'person_digest', name=op.f('pk_identity_asks'))
    )
    op.create_table('kiosk_flags',
    sa.Column('kiosk', sa.String(length=64), nullable=False),
    sa.Column('flag', sa.String(length=32), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kiosk', 'flag', name=op.f('pk_kiosk_flags'))
    )


def downgrade() -> None:
    op.drop_table('kiosk_flags')
    op.drop_table('identity_asks')
    with op.batch_alter_table('identity_challenges', schema=None) as batch_op:
        batch_op.drop_index('ix_identity_challenges_expires_at')
    op.drop_table('identity_challenges')
