"""Fixtures every layer of the suite shares."""

from __future__ import annotations

import functools
import os
import ssl
from pathlib import Path

import httpx._transports.default as httpx_transports
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _one_default_tls_context() -> None:
    """Every default-verifying httpx client of the suite shares one TLS context.

    httpx reads the whole CA bundle again for each client it makes (80 ms of CPU each, measured), and
    the suite makes thousands of short-lived clients against loopback halls (the authorisation matrix
    alone some 1,800): that was most of the CPU of the slowest hall tests. httpx's own advice is to pass
    one context; clients given ``verify=`` (the TLS tests' own CA) are left as they are.
    """
    made = httpx_transports.create_ssl_context

    @functools.cache
    def default(_bundle: tuple[str | None, str | None]) -> ssl.SSLContext:  # one per CA bundle named
        return made(verify=True)

    def create_ssl_context(verify: ssl.SSLContext | str | bool = True, cert: object = None,
                           trust_env: bool = True) -> ssl.SSLContext:
        if verify is True and cert is None and trust_env:
            return default((os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")))
        return made(verify=verify, cert=cert, trust_env=trust_env)  # type: ignore[arg-type]

    httpx_transports.create_ssl_context = create_ssl_context


_one_default_tls_context()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave screenshots and rendered tickets for a person to look at."""
    path = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path
