"""Remote assistance on the hall server: ``GET /assist/status`` and the signaling WebSockets.

``install(app)`` is called by the app factory; it mounts what remote assistance needs.
"""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Mount the assist routes on ``app`` (filled in by the remote-assistance work)."""
