"""The hall's system of record for kiosks: catalogue, calendar, bookings, queue, records, reviews."""

__version__ = "0.1.0"
