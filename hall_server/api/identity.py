"""Identity routes: ``POST /identity/challenge`` sends a one-time code to the phone on file."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from hall_contract.identity import Challenge, ChallengeBody
from hall_server.api.auth import KIOSK_ONLY, Caller, hall_of
from hall_server.usecases import challenges

router = APIRouter(tags=["identity"])


@router.post("/identity/challenge", response_model=Challenge)
def identity_challenge(
    body: ChallengeBody, request: Request, caller: Caller = Depends(KIOSK_ONLY)
) -> dict[str, Any]:
    """A one-time code to the phone on file (kiosk); the same answer whether or not anyone is on file."""
    return challenges.issue_challenge(hall_of(request), caller, id_number=body.id_number, name=body.name)
