"""The hall's JSON API as typed models, declared once: the hall answers with them, the kiosk reads them.

Imports nothing of kiosk, hall_server, terminal_drivers or remote_assist.
"""

from hall_contract.assist import AssistStatus
from hall_contract.bookings import Booking, BookingBody, CheckInBody, Citizen, MaskedCitizen, ServiceRef
from hall_contract.calendar import Calendar, CalendarDay, DayReason, SessionTime, Slot, SlotList
from hall_contract.catalogue import Catalogue, Department, Guide, Material, Service
from hall_contract.errors import ErrorBody, ErrorDetail
from hall_contract.fleet import DeviceState, HeartbeatBody, HeartbeatReply
from hall_contract.identity import CardProof, Challenge, ChallengeBody, CodeProof, EidProof, Proof
from hall_contract.own_bookings import HeldBooking, MoveBody, MovedBooking, OwnBookings, OwnerBody
from hall_contract.records import CertificateBody, RecordColumn, RecordQueryBody, RecordsResult
from hall_contract.refusals import KIOSK_FACING, REFUSALS, STAFF_ONLY
from hall_contract.reviews import (
    FollowUp,
    ReviewBody,
    ReviewLevel,
    ReviewLevels,
    ReviewReason,
    ReviewResult,
    Subject,
)
from hall_contract.sites import Site, SiteKind, SiteList, Window, WindowList
from hall_contract.tickets import PublicTicket, Ticket, TicketBody

__all__ = [
    "KIOSK_FACING",
    "REFUSALS",
    "STAFF_ONLY",
    "AssistStatus",
    "Booking",
    "BookingBody",
    "Calendar",
    "CalendarDay",
    "CardProof",
    "Catalogue",
    "CertificateBody",
    "Challenge",
    "ChallengeBody",
    "CheckInBody",
    "Citizen",
    "CodeProof",
    "DayReason",
    "Department",
    "DeviceState",
    "EidProof",
    "ErrorBody",
    "ErrorDetail",
    "FollowUp",
    "Guide",
    "HeartbeatBody",
    "HeartbeatReply",
    "HeldBooking",
    "MaskedCitizen",
    "Material",
    "MoveBody",
    "MovedBooking",
    "OwnBookings",
    "OwnerBody",
    "Proof",
    "PublicTicket",
    "RecordColumn",
    "RecordQueryBody",
    "RecordsResult",
    "ReviewBody",
    "ReviewLevel",
    "ReviewLevels",
    "ReviewReason",
    "ReviewResult",
    "Service",
    "ServiceRef",
    "SessionTime",
    "Site",
    "SiteKind",
    "SiteList",
    "Slot",
    "SlotList",
    "Subject",
    "Ticket",
    "TicketBody",
    "Window",
    "WindowList",
]
