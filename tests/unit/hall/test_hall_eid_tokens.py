"""The e-ID token: signed and verified with Ed25519; any text that is not a current token of a trusted
issuer is EidInvalid, never another exception (Hypothesis)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from hall_server.identity.eid import EidInvalid, parse_token, sign_token, verify_token

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.generate()


def token(**overrides: object) -> str:
    args: dict[str, object] = {"issuer": "test", "id_number": "440106198503121237", "name": "张伟",
                               "issued_at": NOW, "expires_at": NOW + timedelta(days=1), **overrides}
    return sign_token(KEY, **args)  # type: ignore[arg-type]


def test_a_signed_token_verifies_and_carries_its_claims() -> None:
    claims = verify_token(token(), [Ed25519PrivateKey.generate().public_key(), KEY.public_key()], NOW)
    assert (claims.issuer, claims.id_number, claims.name) == ("test", "440106198503121237", "张伟")
    assert token().startswith("EID1.") and token().isascii()


@pytest.mark.parametrize("when", [NOW + timedelta(days=1), NOW + timedelta(days=400)])
def test_a_token_past_its_life_is_invalid(when: datetime) -> None:
    with pytest.raises(EidInvalid):
        verify_token(token(), [KEY.public_key()], when)


def test_an_untrusted_issuer_or_a_changed_claim_is_invalid() -> None:
    with pytest.raises(EidInvalid):
        verify_token(token(), [Ed25519PrivateKey.generate().public_key()], NOW)
    head, _payload, signature = token().split(".")
    other = token(name="张三").split(".")[1]
    with pytest.raises(EidInvalid):
        verify_token(f"{head}.{other}.{signature}", [KEY.public_key()], NOW)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


pieces = st.one_of(
    st.text(max_size=40),
    st.binary(max_size=120).map(_b64),
    st.sampled_from(['{"iss":"a","sub":"b","name":"c","iat":1,"exp":2}', "[]", "null", '{"iat":true}',
                     '{"iss":1}', "{" * 50]).map(lambda s: _b64(s.encode())),
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(pieces, min_size=1, max_size=4).map(".".join),
                 st.lists(pieces, min_size=2, max_size=2).map(lambda p: "EID1." + ".".join(p))))
def test_any_text_is_invalid_or_parsed_never_another_error(text: str) -> None:
    try:
        parse_token(text)
    except EidInvalid:
        pass
    with pytest.raises(EidInvalid):
        verify_token(text, [KEY.public_key()], NOW)
