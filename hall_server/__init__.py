"""The hall's system of record for kiosks: catalogue, calendar, bookings, queue, records, reviews.

Layers, importing downwards only: api (routers: parse, call a use case, answer; errors.py turns a
Refusal into HTTP) and middleware → usecases (raise Refusal with the API's codes) → state (what
outlives a request) and store (typed rows) → domain (pure rules).
"""

__version__ = "0.1.0"
