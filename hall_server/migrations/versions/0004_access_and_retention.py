"""Access and data kept: kiosk revocation and last use, disabled staff, erased booking details

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-06 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy on SQLite, so the partial indexes stay as they are).
    for table, column in (('kiosks', 'last_used_at'), ('kiosks', 'revoked_at'), ('kiosks', 'token_changed_at'),
                          ('staff', 'disabled_at'), ('staff', 'credentials_changed_at'),
                          ('bookings', 'personal_erased_at')):
        op.add_column(table, sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    _active_person_index("status IN ('booked', 'checked_in') AND personal_erased_at IS NULL")


def _active_person_index(where: str) -> None:
    # Erased rows hold masked ID numbers, which two people can share: they leave the uniqueness rule.
    op.drop_index('uq_bookings_active_person', table_name='bookings')
    op.create_index('uq_bookings_active_person', 'bookings', ['site', 'service', 'id_number', 'day'],
                    unique=True, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def downgrade() -> None:
    _active_person_index("status IN ('booked', 'checked_in')")
    op.drop_column('bookings', 'personal_erased_at')
    # SQLite (3.35+) drops a column in place; these have no index or constraint.
    for table, column in (('staff', 'credentials_changed_at'), ('staff', 'disabled_at'),
                          ('kiosks', 'token_changed_at'), ('kiosks', 'revoked_at'), ('kiosks', 'last_used_at')):
        op.drop_column(table, column)
