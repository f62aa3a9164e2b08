"""Issuer keys on disk: the demo issuer's key pair in the hall's data directory, and the trusted
public keys a hall is configured with (PEM files, or directories of them)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DEMO_ISSUER = "demo-eid-issuer"
DEMO_KEY_DIR = "eid-issuer"


class IssuerKeyError(ValueError):
    """A configured key file that is missing or not an Ed25519 public key."""


def _write_owner_only(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, 0o600)


def demo_key_paths(data_dir: Path) -> tuple[Path, Path]:
    folder = data_dir / DEMO_KEY_DIR
    return folder / "demo-issuer.key.pem", folder / "demo-issuer.pub.pem"


def demo_issuer_key(data_dir: Path) -> Ed25519PrivateKey:
    """The demo issuer's private key, made on first use (owner-only files in the data directory)."""
    private_path, public_path = demo_key_paths(data_dir)
    if private_path.is_file():
        key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise IssuerKeyError(f"{private_path} is not an Ed25519 key")
        return key
    key = Ed25519PrivateKey.generate()
    _write_owner_only(private_path, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    _write_owner_only(public_path, key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return key


def load_public_keys(paths: Iterable[Path]) -> list[Ed25519PublicKey]:
    """The Ed25519 public keys of these PEM files and of the ``*.pem`` files of these directories."""
    keys: list[Ed25519PublicKey] = []
    for path in paths:
        files = sorted(path.glob("*.pem")) if path.is_dir() else [path]
        for file in files:
            if file.name.endswith(".key.pem"):
                continue  # a private key beside its public one is not a trusted key
            try:
                key = serialization.load_pem_public_key(file.read_bytes())
            except (OSError, ValueError) as exc:
                raise IssuerKeyError(f"cannot read the issuer key {file}") from exc
            if not isinstance(key, Ed25519PublicKey):
                raise IssuerKeyError(f"{file} is not an Ed25519 public key")
            keys.append(key)
    return keys
