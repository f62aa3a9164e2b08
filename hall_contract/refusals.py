"""Every error ``code`` the hall can answer, each with what it means; the kiosk has words for those
a citizen can meet.

tests/unit/contract/test_refusal_words.py walks hall_server's source for the codes it raises and
fails on one missing here, or on a kiosk-facing one the kiosk cannot say in every language.
"""

from __future__ import annotations

from types import MappingProxyType

# Codes a kiosk can be answered, with their meaning.
_KIOSK_FACING = {
    # booking a slot
    "unknown_slot": "the slot does not exist (or belongs to another service or site)",
    "cutoff_passed": "booking for the slot has closed",
    "slot_full": "every place of the slot is booked",
    "closed_day": "the hall is closed that day",
    "calendar_unconfirmed": "that year's holiday calendar is not published yet",
    "service_not_offered": "the service is not handled that day or in the current session",
    "beyond_horizon": "the day is further ahead than the site's booking horizon",
    "booking_suspended": "booking is suspended after repeated no-shows",
    "duplicate_booking": "the person already has a booking of this service that day",
    "invalid_id_number": "the ID number is not valid",
    # a person's own bookings (list, cancel, move)
    "not_cancellable": "cancelling a booking that is checked in or missed",
    "same_slot": "moving a booking to the slot it is in already",
    "move_closed": "moving a booking whose own slot is past its booking cut-off (it can still be cancelled)",
    # check-in
    "booking_not_found": "no booking matches (or it is no longer booked)",
    "invalid_qr_payload": "the scanned code is not a booking QR code",
    "already_checked_in": "the booking has its ticket already (``ticket_id`` beside the message)",
    "too_early": "the booking's check-in window has not opened yet",
    "too_late": "the booking's check-in window has passed",
    # tickets
    "queue_closed": "no walk-in tickets now (``next_open`` beside the message)",
    "unknown_service": "no such service",
    "ticket_not_found": "no such ticket",
    # the catalogue and calendar
    "unknown_department": "no such department",
    "unknown_site": "no such site",
    "invalid_range": "a date range ends before it starts",
    "range_too_long": "a calendar range of more than 92 days",
    "date_out_of_range": "a date outside the years the hall plans (2000-2100)",
    # records
    "unknown_kind": "no such kind of record",
    "records_unavailable": "the records system did not answer or does not serve this kind here",
    # certificates
    "signing_not_configured": "the hall has no signing key, so it cannot issue certificates",
    "documents_unavailable": "the hall cannot make certificates right now (its font cache)",
    # proof of presence (DESIGN §4.5)
    "proof_required": "HTTP 403: records need a proof that the person is present (card, code or e-ID)",
    "identity_not_verified": (
        "HTTP 403: wrong name, unknown person, wrong code, or a bad, expired or foreign e-ID: one answer "
        "for all, with no hint which"
    ),
    "challenge_expired": "HTTP 410: the one-time code is past its 5 minutes, used, or out of attempts",
    "sms_unavailable": "HTTP 503: no SMS gateway answers; offer the card or the e-ID",
    "kiosk_quota": "HTTP 429: the kiosk asked about too many distinct people this hour (Retry-After)",
    # reviews
    "invalid_level": "a review level other than 1 to 5",
    "unknown_reason": "a review reason the hall does not know",
    "reason_not_for_level": "a review reason offered for another level",
    "duplicate_reason": "a review reason given twice",
    "too_many_reasons": "more review reasons than allowed",
    "comment_too_long": "a review comment that is too long",
    "subject_not_found": "the reviewed ticket or booking is not of this site",
    # any call
    "unauthorized": "no bearer token, or an unknown or expired one",
    "forbidden": "the caller may not use this endpoint or that site",
    "rate_limited": "too many requests; try again after Retry-After",
    "idempotency_key_reused": "an Idempotency-Key sent again with another request",
    "invalid_idempotency_key": "an Idempotency-Key that is not 1-200 printable ASCII characters",
    "invalid_request": "the request does not match the expected fields",
    "bad_request": "HTTP 400",
    "not_found": "HTTP 404: no such resource",
    "method_not_allowed": "HTTP 405",
    "conflict": "HTTP 409",
    "body_too_large": "HTTP 413: the body is larger than the hall accepts",
    "unsupported_media_type": "HTTP 415: the body is not JSON",
    "http_error": "any other HTTP error",
    "internal_error": "the hall failed to complete the request",
    "database_busy": "HTTP 503: the database is locked by other work; try again after Retry-After",
}

# Codes only staff, administrators, the hall's own command line or a certificate's reader meet: why a
# kiosk never does.
_STAFF_ONLY = {
    "invalid_credentials": "staff login",
    "site_required": "staff name the site of a ticket or check-in; a kiosk's token names its own",
    "capacity_below_booked": "changing a slot's capacity (counter staff)",
    "no_current_ticket": "counter calls",
    "unknown_queue": "counter calls",
    "queue_empty": "counter calls",
    "wrong_ticket_state": "counter calls",
    "same_queue": "counter transfers",
    "counter_busy": "counter calls, and signing out of a window with a ticket called or served there",
    "unknown_window": (
        "HTTP 404: a window number the site's plan does not have (counter staff, a rating pad, "
        "registering a device at a window)"
    ),
    "window_closed": "HTTP 409: signing in or transferring to a window closed on the site's plan",
    "window_taken": "HTTP 409: signing in at a window where another clerk is signed in",
    "signed_in_elsewhere": "HTTP 409: signing in while signed in at another window (``window`` beside it)",
    "not_signed_in": "HTTP 409: a counter or window action by a clerk not signed in at that window",
    "window_paused": "HTTP 409: a call at a window paused (暂停服务) by its clerk",
    "same_window": "counter transfers to the window the ticket is at",
    "follow_up_not_found": "HTTP 404: a review follow-up case that does not exist (the 好差评 desk)",
    "follow_up_closed": "HTTP 409: assigning or answering a follow-up case that is closed (the 好差评 desk)",
    "follow_up_already_answered": "HTTP 409: assigning or answering a follow-up case answered already (desk)",
    "follow_up_not_answered": "HTTP 409: closing a follow-up case before it is answered (the 好差评 desk)",
    "invalid_cursor": "HTTP 422: a page cursor that no page of the list gave (the 好差评 desk's list)",
    "answer_required": "an empty answer to a follow-up case (the 好差评 desk)",
    "answer_too_long": "an answer to a follow-up case over its length (the 好差评 desk)",
    "stats_range_too_long": "a statistics report over more than 366 days (managers)",
    "calendar_not_utf8": "loading a holiday file (admin)",
    "calendar_syntax_error": "loading a holiday file (admin)",
    "calendar_unknown_field": "loading a holiday file (admin)",
    "calendar_missing_field": "loading a holiday file (admin)",
    "calendar_bad_value": "loading a holiday file (admin)",
    "calendar_year_mismatch": "loading a holiday file (admin)",
    "calendar_date_outside_year": "loading a holiday file (admin)",
    "calendar_bad_range": "loading a holiday file (admin)",
    "calendar_conflict": "loading a holiday file (admin)",
    "catalogue_invalid": "the packaged catalogue fails to load at start",
    "site_rules_syntax_error": "the packaged site rules fail to load at start",
    "site_rules_invalid": "the packaged site rules fail to load at start",
    "invalid_name": "creating a kiosk or staff account (command line)",
    "invalid_role": "creating a staff account (command line)",
    "weak_password": "creating a staff account (command line)",
    "kiosk_exists": "creating a kiosk (command line)",
    "staff_exists": "creating a staff account (command line)",
    "invalid_verification_code": "checking a certificate's code (anyone holding the paper, on a phone)",
    "unknown_verification_code": "checking a certificate's code (anyone holding the paper, on a phone)",
    "unknown_kiosk": "revoking or rotating a kiosk's token (command line)",
    "unknown_staff": (
        "disabling an account or setting its password (command line); assigning a follow-up case to an "
        "account that does not exist or is disabled (the 好差评 desk)"
    ),
    "already_reviewed": "HTTP 409: a window's rating pad answering a ticket already rated",
    "review_closed": "HTTP 409: a window's rating pad answering after the time to rate has passed",
    "invalid_device_kind": "registering a device (command line)",
    "device_exists": "registering a device (command line)",
    "unknown_device": "revoking a device's token (command line)",
    "empty_change": "an administration change that names nothing to change (admin)",
    "duplicate_queue": "a window's queues naming one queue twice (admin)",
    "unknown_day_override": "HTTP 404: withdrawing a calendar day the administration did not decide (admin)",
    "own_account": "an administrator demoting or disabling their own account (admin)",
}

KIOSK_FACING: MappingProxyType[str, str] = MappingProxyType(_KIOSK_FACING)
STAFF_ONLY: MappingProxyType[str, str] = MappingProxyType(_STAFF_ONLY)
REFUSALS: frozenset[str] = frozenset(_KIOSK_FACING) | frozenset(_STAFF_ONLY)
