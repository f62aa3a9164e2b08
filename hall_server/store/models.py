"""The hall server's tables (SQLAlchemy 2); the Alembic migrations create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """An aware instant stored in UTC; SQLite hands back naive values, which are UTC by construction."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime reached the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Every instant is stored as an aware UTC datetime; days are the site's local dates.
Instant = UtcDateTime()

sites = Table(
    "sites", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("created_at", Instant, nullable=False),
)

staff = Table(
    "staff", metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("created_at", Instant, nullable=False),
    # A disabled account cannot sign in; a change here ends the account's sessions and sockets.
    Column("disabled_at", Instant, nullable=True),
    Column("credentials_changed_at", Instant, nullable=True),
)

staff_sessions = Table(
    "staff_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), ForeignKey("staff.username", ondelete="CASCADE"), nullable=False),
    Column("created_at", Instant, nullable=False),
    Column("expires_at", Instant, nullable=False),
)

kiosks = Table(
    "kiosks", metadata,
    Column("name", String(64), primary_key=True),
    Column("site", String(32), ForeignKey("sites.code"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Instant, nullable=False),
    Column("last_seen", Instant, nullable=True),
    Column("app_version", String(40), nullable=True),
    Column("uptime_s", Integer, nullable=True),
    Column("devices", JSON, nullable=True),
    Column("screen", String(40), nullable=True),
    # Written at most once a minute per kiosk (state.token_use), not on every request.
    Column("last_used_at", Instant, nullable=True),
    Column("revoked_at", Instant, nullable=True),
    Column("token_changed_at", Instant, nullable=True),
)

# One row per bookable slot of a service: the atomic counter that keeps capacity from being exceeded.
slot_counters = Table(
    "slot_counters", metadata,
    Column("slot_id", String(120), primary_key=True),
    Column("site", String(32), nullable=False),
    Column("service", String(32), nullable=False),
    Column("start", Instant, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("booked", Integer, nullable=False, server_default=text("0")),
)

bookings = Table(
    "bookings", metadata,
    Column("id", String(40), primary_key=True),
    Column("site", String(32), nullable=False),
    Column("service", String(32), nullable=False),
    Column("slot_id", String(120), nullable=False),
    Column("day", Date, nullable=False),
    Column("start", Instant, nullable=False),
    Column("end", Instant, nullable=False),
    Column("session", String(20), nullable=False),
    Column("id_number", String(18), nullable=False),
    Column("name", String(100), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("channel", String(10), nullable=False),
    Column("status", String(16), nullable=False),
    Column("check_in_code", String(6), nullable=False),
    Column("ticket_id", String(40), nullable=True),
    Column("created_by", String(80), nullable=False),
    Column("created_at", Instant, nullable=False),
    Column("cancelled_at", Instant, nullable=True),
    # Set when id_number (then masked), name and phone were erased: on cancel, or days after the slot.
    Column("personal_erased_at", Instant, nullable=True),
    Index("ix_bookings_id_number_day", "id_number", "day"),
    # The last line of defence for "one active booking per person per service per day".
    # Erased rows hold masked ID numbers, which two people can share: they are out of the rule.
    Index("uq_bookings_active_person", "site", "service", "id_number", "day", unique=True,
          sqlite_where=text("status IN ('booked', 'checked_in') AND personal_erased_at IS NULL"),
          postgresql_where=text("status IN ('booked', 'checked_in') AND personal_erased_at IS NULL")),
    Index("uq_bookings_active_code", "site", "day", "check_in_code", unique=True,
          sqlite_where=text("status = 'booked'"), postgresql_where=text("status = 'booked'")),
)

CURRENT_AT_COUNTER = "status IN ('called', 'serving')"

# One row per site, queue and day: the atomic counter behind ticket numbers.
ticket_counters = Table(
    "ticket_counters", metadata,
    Column("site", String(32), primary_key=True),
    Column("queue", String(8), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last_number", Integer, nullable=False),
)

tickets = Table(
    "tickets", metadata,
    Column("id", String(40), primary_key=True),
    Column("site", String(32), nullable=False),
    Column("queue", String(8), nullable=False),
    Column("day", Date, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(16), nullable=False),
    Column("service", String(32), nullable=False),
    Column("priority", String(16), nullable=True),
    Column("booking_id", String(40), nullable=True),
    Column("slot_start", Instant, nullable=True),
    Column("status", String(16), nullable=False),
    Column("counter", String(32), nullable=True),
    Column("issued_at", Instant, nullable=False),
    Column("called_at", Instant, nullable=True),
    Column("started_at", Instant, nullable=True),
    Column("finished_at", Instant, nullable=True),
    Column("transferred_to", String(40), nullable=True),
    # A ticket transferred to a window waits for that window alone, ahead of its queues (DESIGN §4.6).
    Column("for_window", String(8), nullable=True),
    # The staff account that completed the ticket: its window's rating pad ties the review to that clerk.
    Column("completed_by", String(64), nullable=True),
    UniqueConstraint("site", "queue", "day", "seq"),
    Index("ix_tickets_site_day_queue_status", "site", "day", "queue", "status"),
    # The last line of defence for "one current ticket per window": concurrent call-nexts of one window
    # are serialised by the lock on its window_states row; this index refuses whatever slips past.
    Index("uq_tickets_current_at_counter", "site", "counter", unique=True,
          sqlite_where=text(CURRENT_AT_COUNTER), postgresql_where=text(CURRENT_AT_COUNTER)),
)

# A window's live state: who is signed in there (one clerk per window, one window per clerk), paused or
# not, and since when. Rows appear at a window's first sign-in; the plan itself is the site rules'.
window_states = Table(
    "window_states", metadata,
    Column("site", String(32), primary_key=True),
    Column("number", String(8), primary_key=True),
    Column("clerk", String(64), nullable=True),
    Column("paused", Integer, nullable=False, server_default=text("0")),
    Column("pause_reason", String(200), nullable=True),
    Column("since", Instant, nullable=True),
    Index("uq_window_states_clerk", "clerk", unique=True,
          sqlite_where=text("clerk IS NOT NULL"), postgresql_where=text("clerk IS NOT NULL")),
)

# What a clerk did out of the ordinary at a window (a number called out of turn, a pause), with the reason.
counter_audit = Table(
    "counter_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Instant, nullable=False),
    Column("clerk", String(64), nullable=False),
    Column("site", String(32), nullable=False),
    Column("window", String(8), nullable=False),
    Column("action", String(32), nullable=False),
    Column("ticket_id", String(40), nullable=True),
    Column("number", String(16), nullable=True),
    Column("reason", String(200), nullable=True),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("scope", String(120), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Instant, nullable=False),
)

reviews = Table(
    "reviews", metadata,
    Column("id", String(40), primary_key=True),
    Column("site", String(32), nullable=False),
    Column("level", Integer, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("comment", Text, nullable=True),
    Column("subject_type", String(32), nullable=False),
    Column("subject_id", String(80), nullable=False),
    # Who rated stays here: it is never returned by any endpoint.
    Column("rater", String(80), nullable=False),
    Column("created_at", Instant, nullable=False),
    # A review from a window's rating pad: the window and the clerk who served (never the citizen).
    Column("window_number", String(8), nullable=True),
    Column("clerk", String(64), nullable=True),
    # One review per ticket from a window's pad; a second answer is refused (already_reviewed).
    Index("uq_reviews_window_subject", "subject_type", "subject_id", unique=True,
          sqlite_where=text("window_number IS NOT NULL"), postgresql_where=text("window_number IS NOT NULL")),
)

follow_ups = Table(
    "follow_ups", metadata,
    Column("id", String(40), primary_key=True),
    Column("review_id", String(40), ForeignKey("reviews.id"), nullable=False),
    Column("site", String(32), nullable=False),
    Column("due", Date, nullable=False),
    # open → answered (整改反馈 written) → closed; the assignee may change while the case is open.
    Column("status", String(16), nullable=False),
    Column("created_at", Instant, nullable=False),
    Column("assignee", String(64), nullable=True),
    Column("assigned_at", Instant, nullable=True),
    Column("answer", Text, nullable=True),
    Column("answered_at", Instant, nullable=True),
    Column("answered_by", String(64), nullable=True),
    Column("closed_at", Instant, nullable=True),
    Column("closed_by", String(64), nullable=True),
)

record_audit = Table(
    "record_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Instant, nullable=False),
    Column("caller", String(80), nullable=False),
    Column("site", String(32), nullable=True),
    Column("kind", String(40), nullable=False),
    Column("id_number_masked", String(24), nullable=False),
    Column("rows", Integer, nullable=False),
)

# Operator holiday files (calendar/<year>.toml) as loaded; they override the built-in years.
calendar_years = Table(
    "calendar_years", metadata,
    Column("year", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("loaded_at", Instant, nullable=False),
)

# Certificates the hall issued, for GET /verify/{code}: what a verifier may learn, never the rows, the
# full name or the ID number.
issued_documents = Table(
    "issued_documents", metadata,
    Column("code", String(20), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("site", String(32), nullable=True),
    Column("issued_at", Instant, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("masked_name", String(100), nullable=False),
    Column("pages", Integer, nullable=False),
    Column("issued_by", String(80), nullable=False),
)

# One-time-code challenges (DESIGN §4.5). The ID number and the code are kept only as keyed digests; a
# challenge for an unknown person or a wrong name is stored too, ``viable`` false, so it fails alike.
identity_challenges = Table(
    "identity_challenges", metadata,
    Column("id", String(40), primary_key=True),
    Column("kiosk", String(64), nullable=False),
    Column("person_digest", String(64), nullable=False),
    Column("code_digest", String(64), nullable=False),
    Column("viable", Integer, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("created_at", Instant, nullable=False),
    Column("expires_at", Instant, nullable=False),
    Column("used_at", Instant, nullable=True),
    Index("ix_identity_challenges_expires_at", "expires_at"),
)

# The distinct identities each kiosk asked about per clock hour (keyed digests), for its budget.
identity_asks = Table(
    "identity_asks", metadata,
    Column("kiosk", String(64), primary_key=True),
    Column("hour", Instant, primary_key=True),
    Column("person_digest", String(64), primary_key=True),
)

# What technicians see flagged on a kiosk in the fleet view (e.g. its identity budget spent).
kiosk_flags = Table(
    "kiosk_flags", metadata,
    Column("kiosk", String(64), primary_key=True),
    Column("flag", String(32), primary_key=True),
    Column("raised_at", Instant, nullable=False),
)

# Rating pads and window displays (DESIGN §4.6): a token per device, bound to a site and maybe a window.
devices = Table(
    "devices", metadata,
    Column("name", String(64), primary_key=True),
    Column("site", String(32), ForeignKey("sites.code"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("window_number", String(8), nullable=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Instant, nullable=False),
    Column("revoked_at", Instant, nullable=True),
    Column("token_changed_at", Instant, nullable=True),
)

# The "your turn is near" notice sent for a ticket: at most one per ticket, whichever node sends it.
ticket_notices = Table(
    "ticket_notices", metadata,
    Column("ticket_id", String(40), primary_key=True),
    Column("site", String(32), nullable=False),
    Column("people_ahead", Integer, nullable=False),
    Column("sent_at", Instant, nullable=False),
)

# The append-only event log (store/events.py): every transition with its time, written in the transaction
# of the transition; statistics are aggregations over it. ``day`` and ``hour`` are the site's local ones.
events = Table(
    "events", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("site", String(32), nullable=False),
    Column("at", Instant, nullable=False),
    Column("day", Date, nullable=False),
    Column("hour", Integer, nullable=False),
    Column("queue", String(8), nullable=True),
    Column("service", String(32), nullable=True),
    Column("department", String(32), nullable=True),
    Column("window", String(32), nullable=True),
    Column("clerk", String(64), nullable=True),
    Column("kiosk", String(64), nullable=True),
    Column("subject", String(80), nullable=True),
    Column("related", String(80), nullable=True),
    Column("detail", String(40), nullable=True),
    Column("value", Integer, nullable=True),
    # The whole seconds this transition closes (docs/statistics.md): a first call the wait since issue, a
    # completion the service, a no-show or transfer the time held at the window. Kept on the event so a
    # report is one indexed scan of one kind, with no per-ticket pivot.
    Column("span_s", Integer, nullable=True),
    # Simulated history (--demo): kept apart so a real hall can drop it in one statement.
    Column("demo", Integer, nullable=False, server_default=text("0")),
    Index("ix_events_site_day_kind", "site", "day", "kind"),
    Index("ix_events_subject", "subject"),
    # Covering for the queue reports (counts by kind, day, queue and detail; histograms of span_s by day,
    # queue and detail): SQLite answers them from the index alone, without a table row per event, and in
    # this column order reads the rows in group order, without sorting them (docs/statistics.md). SQLite
    # only: PostgreSQL's reports were no faster with it, and every event would pay for it.
    Index("ix_events_report", "site", "kind", "day", "queue", "detail", "span_s", "hour").ddl_if(
        dialect="sqlite"),
)

# Administration (store/overrides.py): the management web's edits over what the package ships (a service's
# texts or its being offered, a window's queues, name and open state, a calendar day), one JSON body per
# thing; a null body is an override withdrawn. ``revision`` grows with every write, so the sum over the
# table changes whenever any row does: the mark each process checks before rebuilding its view.
admin_overrides = Table(
    "admin_overrides", metadata,
    Column("kind", String(16), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("body", Text, nullable=True),
    Column("revision", BigInteger, nullable=False),
    Column("changed_at", Instant, nullable=False),
    Column("changed_by", String(64), nullable=False),
)

# Who changed what in the administration, and when (store/audit.py); ``detail`` is JSON, never a secret.
admin_audit = Table(
    "admin_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Instant, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("area", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", String(80), nullable=False),
    Column("detail", Text, nullable=False),
)
