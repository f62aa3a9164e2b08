"""Temporary TURN credentials (coturn REST form) and ICE servers from configuration only."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from remote_assist.ratelimit import TokenBucket
from remote_assist.turn import IceConfig, turn_credentials


def test_coturn_rest_credentials() -> None:
    creds = turn_credentials("s3cret", "kiosk-01", now_unix=1_800_000_000.7, ttl_s=600)
    assert creds.username == "1800000600:kiosk-01"
    mac = hmac.new(b"s3cret", b"1800000600:kiosk-01", "sha1").digest()
    assert base64.b64decode(creds.password) == mac
    assert len(mac) == hashlib.sha1().digest_size
    assert creds.expires_at == 1800000600


def test_no_servers_by_default_and_none_invented() -> None:
    assert IceConfig().servers_for("kiosk-01", 0) == []


def test_turn_urls_get_credentials_stun_urls_do_not() -> None:
    config = IceConfig(urls=("stun:10.0.0.1:3478", "turn:10.0.0.1:3478?transport=udp"), turn_secret="k")
    stun, turn = config.servers_for("agent1", 100)
    assert stun == {"urls": ["stun:10.0.0.1:3478"]}
    assert turn["urls"] == ["turn:10.0.0.1:3478?transport=udp"]
    assert turn["username"] == "3700:agent1" and turn["credential"]


def test_turn_without_secret_has_no_credentials() -> None:
    (turn,) = IceConfig(urls=("turns:t.example:5349?transport=tcp",)).servers_for("k", 0)
    assert "username" not in turn


@pytest.mark.parametrize("bad", [{"urls": ("http://x",)}, {"turn_ttl_s": 0}])
def test_bad_ice_config_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        IceConfig(**bad)  # type: ignore[arg-type]


def test_credentials_need_a_secret() -> None:
    with pytest.raises(ValueError):
        turn_credentials("", "k", 0)


def test_token_bucket_allows_burst_then_rate() -> None:
    bucket = TokenBucket(rate=2, burst=3, now=0)
    assert [bucket.take(0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.5) and not bucket.take(0.5)
    assert bucket.take(10) and bucket.take(10) and bucket.take(10) and not bucket.take(10)
