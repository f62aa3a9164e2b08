"""The 好差评 desk: a follow-up case's assignee, answer and closing, each dated and signed by account

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_COLUMNS = (
    ('assignee', sa.String(length=64)),
    ('assigned_at', sa.DateTime(timezone=True)),
    ('answer', sa.Text()),
    ('answered_at', sa.DateTime(timezone=True)),
    ('answered_by', sa.String(length=64)),
    ('closed_at', sa.DateTime(timezone=True)),
    ('closed_by', sa.String(length=64)),
)


def upgrade() -> None:
    for name, kind in _COLUMNS:
        op.add_column('follow_ups', sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('follow_ups') as batch:
        for name, _kind in reversed(_COLUMNS):
            batch.drop_column(name)
