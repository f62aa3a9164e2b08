"""Initial schema of the hall database

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 13:15:57.082251
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('bookings',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('slot_id', sa.String(length=120), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('session', sa.String(length=20), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('check_in_code', sa.String(length=6), nullable=False),
    sa.Column('ticket_id', sa.String(length=40), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_id_number_day', ['id_number', 'day'], unique=False)
        batch_op.create_index('uq_bookings_active_code', ['site', 'day', 'check_in_code'], unique=True, sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.create_index('uq_bookings_active_person', ['site', 'service', 'id_number', 'day'], unique=True, sqlite_where=sa.text("status IN ('booked', 'checked_in')"), postgresql_where=sa.text("status IN ('booked', 'checked_in')"))

    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.create_table('idempotency_keys',
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('record_audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('caller', sa.String(length=80), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('id_number_masked', sa.String(length=24), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_audit'))
    )
    op.create_table('reviews',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.String(length=80), nullable=False),
    sa.Column('rater', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews'))
    )
    op.create_table('sites',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_sites'))
    )
    op.create_table('slot_counters',
    sa.Column('slot_id', sa.String(length=120), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('slot_id', name=op.f('pk_slot_counters'))
    )
    op.create_table('staff',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_staff'))
    )
    op.create_table('ticket_counters',
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('queue', sa.String(length=8), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('site', 'queue', 'day', name=op.f('pk_ticket_counters'))
    )
    op.create_table('tickets',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('queue', sa.String(length=8), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=True),
    sa.Column('booking_id', sa.String(length=40), nullable=True),
    sa.Column('slot_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('counter', sa.String(length=32), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('transferred_to', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('site', 'queue', 'day', 'seq', name=op.f('uq_tickets_site_queue_day_seq'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_site_day_queue_status', ['site', 'day', 'queue', 'status'], unique=False)

    op.create_table('follow_ups',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('review_id', sa.String(length=40), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_follow_ups_review_id_reviews')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    op.create_table('kiosks',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('app_version', sa.String(length=40), nullable=True),
    sa.Column('uptime_s', sa.Integer(), nullable=True),
    sa.Column('devices', sa.JSON(), nullable=True),
    sa.Column('screen', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['site'], ['sites.code'], name=op.f('fk_kiosks_site_sites')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_kiosks')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_kiosks_token_hash'))
    )
    op.create_table('staff_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['username'], ['staff.username'], name=op.f('fk_staff_sessions_username_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_staff_sessions'))
    )



def downgrade() -> None:

    op.drop_table('staff_sessions')
    op.drop_table('kiosks')
    op.drop_table('follow_ups')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_site_day_queue_status')

    op.drop_table('tickets')
    op.drop_table('ticket_counters')
    op.drop_table('staff')
    op.drop_table('slot_counters')
    op.drop_table('sites')
    op.drop_table('reviews')
    op.drop_table('record_audit')
    op.drop_table('idempotency_keys')
    op.drop_table('calendar_years')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_bookings_active_person', sqlite_where=sa.text("status IN ('booked', 'checked_in')"), postgresql_where=sa.text("status IN ('booked', 'checked_in')"))
        batch_op.drop_index('uq_bookings_active_code', sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.drop_index('ix_bookings_id_number_day')

    op.drop_table('bookings')

