"""ASGI guards and request plumbing around the routers: body size, request rates, Idempotency-Key."""
