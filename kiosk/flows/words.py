"""Words the flows show for codes and times (cut-offs, reasons, waits), in any language.

The msgids are English and live in the ``flows`` catalogue; every function takes the language so a
screen can re-render live when the citizen switches language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from kiosk.i18n import N_, _

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
# Month names as dates use them on screen and paper; Chinese dates give the month's number instead.
MONTHS = (
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
)

SLOT_REASONS = {
    "cutoff_passed": N_("Booking for this time closed at {time}"),
    "slot_full": N_("Fully booked"),
    "closed_day": N_("The hall is closed that day"),
    "calendar_unconfirmed": N_("That year's holiday calendar is not published yet"),
    "service_not_offered": N_("This service is not offered in this session"),
    "booking_suspended": N_("Booking is suspended"),
    "beyond_horizon": N_("Not open for booking yet"),
}

# Why a day of the calendar cannot be booked (the hall's reason), in a word under the day's number;
# a holiday shows its name instead and a past day nothing.
DAY_REASONS = {
    "past": "",
    "holiday": "",
    "closed_day": N_("Closed"),
    "beyond_horizon": N_("Not open yet"),
    "unconfirmed": N_("Unconfirmed"),
    "cutoff_passed": N_("Booking closed"),
}

# Codes only a fault of this kiosk or of the hall's set-up can cause: the citizen can only ask staff.
_KIOSK_FAULT = N_("This kiosk cannot do that right now. Please ask staff.")
_FAULT_CODES = (
    "unknown_department", "unknown_site", "invalid_range", "range_too_long", "date_out_of_range",
    "invalid_level", "unknown_reason", "reason_not_for_level", "duplicate_reason", "too_many_reasons",
    "subject_not_found", "unauthorized", "forbidden", "idempotency_key_reused", "invalid_idempotency_key",
    "invalid_request",
    "bad_request", "not_found", "method_not_allowed", "conflict", "body_too_large", "unsupported_media_type",
    "http_error", "bad_response",
)

# Error codes of the hall server and the printer, in plain words.
ERRORS = {
    "slot_full": N_("Sorry, that time has just been fully booked. Please choose another time."),
    "duplicate_booking": N_("You already have a booking for this service on that day."),
    "cutoff_passed": N_("Booking for that time has closed. Please choose a later time."),
    "closed_day": N_("The hall is closed that day."),
    "calendar_unconfirmed": N_("That year's holiday calendar is not published yet, so it cannot be booked."),
    "invalid_id_number": N_("The ID number is not valid."),
    "booking_suspended": N_("Booking is suspended after several missed appointments. Please ask staff."),
    "queue_closed": N_("Tickets for this service are not issued now."),
    "too_early": N_("It is too early to check in for your booking."),
    "too_late": N_("The check-in time for your booking has passed. Please take a ticket."),
    "booking_not_found": N_("No booking for today was found."),
    "already_checked_in": N_("This booking has already been checked in."),
    "hall_unreachable": N_("The service centre's system cannot be reached right now. We keep trying."),
    "unknown_kind": N_("This kind of record cannot be queried here."),
    "paper_out": N_("The printer is out of paper."),
    "paper_near_end": N_("The printer is nearly out of paper."),
    "cover_open": N_("The printer cover is open."),
    "cutter_error": N_("The printer's cutter is jammed."),
    "printer_offline": N_("The printer is offline."),
    "printer_status_unknown": N_("The printer does not answer."),
    "printer_missing": N_("This kiosk has no printer."),
    "printer_timeout": N_("The printer did not finish in time."),
    "device_disconnected": N_("The printer is disconnected."),
    "device_not_found": N_("The printer is disconnected."),
    "beyond_horizon": N_("That day is too far ahead to book yet. Please choose an earlier day."),
    "service_not_offered": N_("This service is not offered in this session"),
    "unknown_slot": N_("That time can no longer be booked. Please choose another time."),
    "unknown_service": N_("This service is not available here. Please ask staff."),
    "invalid_qr_payload": N_("This code is not a booking QR code."),
    "ticket_not_found": N_("That ticket was not found."),
    "records_unavailable": N_("The records system is not answering right now. Please try again later."),
    "signing_not_configured": N_("Certificates cannot be printed here yet. Please ask at the service desk."),
    "documents_unavailable": N_("Certificates cannot be made right now. Please try again later."),
    "comment_too_long": N_("The comment is too long."),
    "rate_limited": N_("The system is busy. Please wait a moment and try again."),
    "sms_unavailable": N_("Text messages cannot be sent right now. Please use your ID card or e-ID."),
    "database_busy": N_("The system is busy. Please wait a moment and try again."),
    "internal_error": N_("The service centre's system had a problem. Please try again or ask staff."),
    **dict.fromkeys(_FAULT_CODES, _KIOSK_FAULT),
    # proof of presence for records (DESIGN §4.5); wrong_code is the kiosk's own word for
    # identity_not_verified answered to a typed one-time code
    "proof_required": N_("Your records are private. Please show it is you: place your ID card on the reader, "
                         "or use a code sent to your phone or your electronic ID."),
    "identity_not_verified": N_("We could not confirm who you are. Please check what you entered and try "
                                "again, or ask staff."),
    "challenge_expired": N_("This code has expired. Please ask for a new code."),
    "kiosk_quota": N_("This kiosk cannot look up more people right now. Please try again later or ask "
                      "staff."),
    "wrong_code": N_("That code is not right. Please check it and enter it again."),
    # a citizen's own bookings
    "not_cancellable": N_("This booking has been checked in or has passed, so it cannot be cancelled."),
    "same_slot": N_("Your booking is already at that time. Please choose another time."),
    "move_closed": N_("It is too late to change the time of this booking. You can still cancel it."),
}
DEFAULT_ERROR = N_("Sorry, something went wrong. Please try again or ask staff.")


def error_text(code: str | None, lang: str | None = None) -> str:
    return _(ERRORS.get(code or "", DEFAULT_ERROR), lang)


def weekday_name(day: date, lang: str | None = None) -> str:
    return _(WEEKDAYS[day.weekday()], lang)


def hhmm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def month_name(day: date, lang: str | None = None) -> str:
    return _(MONTHS[day.month - 1], lang)


def day_text(day: date, lang: str | None = None) -> str:
    """``11月25日 周三`` / ``Wed 25 Nov``: the printed date without its year, so screen and paper
    write a date the same way."""
    return _("{weekday} {day} {month}", lang).format(
        weekday=weekday_name(day, lang), day=day.day, month=month_name(day, lang)
    )


def cutoff_text(session_day: date, cutoff: datetime, lang: str | None = None) -> str:
    """When booking for a session closes, said the way a person would."""
    cut_day = cutoff.date()
    if cut_day == session_day:
        return _("Book by {time} the same day", lang).format(time=hhmm(cutoff))
    if (session_day - cut_day).days == 1:
        return _("Book by {time} the day before ({weekday})", lang).format(
            time=hhmm(cutoff), weekday=weekday_name(cut_day, lang)
        )
    return _("Book by {time} on {day}", lang).format(time=hhmm(cutoff), day=day_text(cut_day, lang))


def slot_reason_text(reason: str | None, cutoff: datetime | None, lang: str | None = None) -> str:
    if reason is None:
        return ""
    text = _(SLOT_REASONS.get(reason, N_("Not bookable")), lang)
    return text.format(time=hhmm(cutoff) if cutoff else "")


def day_reason_text(reason: str | None, lang: str | None = None) -> str:
    if reason is None:
        return ""
    # A reason this kiosk does not know yet: the greyed cell says enough.
    msgid = DAY_REASONS.get(reason, "")
    return _(msgid, lang) if msgid else ""


def wait_text(seconds: int, lang: str | None = None) -> str:
    minutes = max(0, round(seconds / 60))
    if minutes == 0:
        # The same words as the printed ticket.
        return _("very soon", lang)
    if minutes < 60:
        return _("About {minutes} min", lang).format(minutes=minutes)
    return _("About {hours} h {minutes} min", lang).format(hours=minutes // 60, minutes=minutes % 60)


def check_in_window_text(
    code: str | None, details: Mapping[str, Any], today: date | None, lang: str | None = None
) -> str:
    """When a booking's check-in opens (refused too early) or closed (too late), from the hall's
    ``check_in_opens`` / ``check_in_closes`` (hall time); the date only when it is not today."""
    key = {"too_early": "check_in_opens", "too_late": "check_in_closes"}.get(code or "")
    value = details.get(key) if key else None
    if not isinstance(value, str):
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return ""
    same_day = today is not None and moment.date() == today
    if code == "too_early":
        if same_day:
            return _("Check-in opens at {time}.", lang).format(time=hhmm(moment))
        return _("Check-in opens on {day} at {time}.", lang).format(
            day=day_text(moment.date(), lang), time=hhmm(moment))
    if same_day:
        return _("Check-in closed at {time}.", lang).format(time=hhmm(moment))
    return _("Check-in closed on {day} at {time}.", lang).format(
        day=day_text(moment.date(), lang), time=hhmm(moment))
