"""The hall's own TLS: the certificate and key ``serve --tls-cert/--tls-key`` are checked before listening."""

from __future__ import annotations

import ssl
from pathlib import Path

from hall_server.config import ConfigError


def check_tls_files(cert: Path | None, key: Path | None) -> tuple[Path, Path] | None:
    """The pair to serve with (None: plain HTTP), loaded once here so that a bad file is one clear line
    before the port opens rather than a traceback from inside uvicorn. Each ConfigError's message starts
    with its stable code, as the command's other errors do (an operator's fault, not an HTTP refusal)."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise ConfigError("tls_pair_incomplete: --tls-cert and --tls-key go together")
    for option, path in (("--tls-cert", cert), ("--tls-key", key)):
        if not path.is_file():
            raise ConfigError(f"tls_file_missing: {option}: no such file: {path}")
        try:
            path.read_bytes()
        except OSError as exc:
            message = f"{option}: cannot read {path}: {exc.strerror}"
            raise ConfigError(f"tls_file_unreadable: {message}") from exc
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    asked: list[bool] = []

    def no_password() -> bytes:
        # A service has no one to type a passphrase: OpenSSL would otherwise prompt on the terminal.
        asked.append(True)
        return b""

    try:
        context.load_cert_chain(cert, key, password=no_password)
    except ssl.SSLError as exc:
        if asked:
            raise ConfigError(f"tls_key_encrypted: {key} is protected by a passphrase; a service needs "
                              "the key without one (readable by the hall's user only)") from exc
        # OpenSSL names a key that does not belong to the certificate; anything else is a bad PEM file.
        if "KEY_VALUES_MISMATCH" in str(exc) or "key values mismatch" in str(exc):
            raise ConfigError(f"tls_key_mismatch: {key} is not the key of {cert}") from exc
        raise ConfigError(f"tls_file_invalid: {cert} and {key} must be a PEM certificate (chain) and its "
                          f"private key ({exc.reason or exc})") from exc
    return cert, key
