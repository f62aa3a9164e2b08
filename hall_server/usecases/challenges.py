"""One-time-code challenges (``POST /identity/challenge``): a 6-digit code to the phone on file, and the
same answer, in the same work, for an unknown person or a wrong name (then nothing is sent)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from citizen_id.masking import mask_id_number
from hall_server.identity.sms import SmsUnavailable
from hall_server.state.hall_state import HallState
from hall_server.store import presence
from hall_server.usecases.caller import Caller
from hall_server.usecases.id_numbers import valid_id_number
from hall_server.usecases.identity_budget import count_identity
from hall_server.usecases.presence import name_on_file_matches, person_digest
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import site_local

CHALLENGE_LIFE = timedelta(minutes=5)


def masked_phone(phone: str) -> str:
    """Only the last four digits: enough for the citizen to know the phone, little for anyone else."""
    digits = "".join(c for c in phone if c.isdigit())
    return "*" * 7 + digits[-4:]


def _stand_in_mask(hall: HallState, id_number: str) -> str:
    # Deterministic, so asking twice about someone not on file shows the same phone, as for a real one.
    number = int(hall.identity.digest("phone", id_number)[:8], 16) % 10_000
    return masked_phone(f"{number:04d}")


def _sms_text(code: str) -> str:
    return f"【政务服务】验证码 {code}，5分钟内有效，请勿告诉他人。Code {code}, valid 5 min."


def issue_challenge(hall: HallState, caller: Caller, *, id_number: str, name: str) -> dict[str, Any]:
    """Send a one-time code to the phone on file of ``id_number`` (refused sms_unavailable, kiosk_quota,
    invalid_id_number); an unknown person or a wrong name gets a challenge that can never succeed."""
    count_identity(hall, caller, id_number)
    kit = hall.identity
    if not kit.sms.available:
        raise Refusal("sms_unavailable", "no SMS gateway is configured; use a card or an e-ID")
    now = hall.now()
    person_id = valid_id_number(id_number, site_local(caller.site, now).date())
    person = kit.people.find(person_id)
    viable = name_on_file_matches(hall, person_id, name)
    code = f"{secrets.randbelow(1_000_000):06d}"
    challenge_id = "c_" + secrets.token_urlsafe(18)
    with hall.db.write() as conn:
        presence.add_challenge(
            conn, id=challenge_id, kiosk=caller.kiosk.name if caller.kiosk else "", viable=viable,
            person_digest=person_digest(hall, person_id, name),
            code_digest=kit.digest("code", challenge_id, code), now=now, expires_at=now + CHALLENGE_LIFE)
    # The real phone's last digits whenever the person is on file, even under a wrong name: a mask
    # that changed with the name would tell a guesser when the name is right.
    shown = masked_phone(person.phone) if person is not None else _stand_in_mask(hall, person_id)
    if viable and person is not None:
        try:
            kit.sms.send(person.phone, _sms_text(code), at=site_local(caller.site, now),
                         masked_id=mask_id_number(person_id))
        except SmsUnavailable as exc:
            raise Refusal("sms_unavailable", "the SMS gateway refused the message; try again") from exc
    return {"challenge_id": challenge_id, "masked_phone": shown,
            "expires_in_s": int(CHALLENGE_LIFE.total_seconds())}
