"""A demo certificate authority and the hall's signing certificate, made with ``cryptography``.

Only for the demo and the tests: a deployment configures a key and chain from its own CA.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_YEARS = 10
SIGNER_YEARS = 3


@dataclass(frozen=True)
class DemoIdentity:
    key_path: Path
    chain_path: Path
    ca_path: Path


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ])


def _usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=signer, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=not signer, crl_sign=not signer, encipher_only=False,
        decipher_only=False,
    )


def _write_private(path: Path, data: bytes) -> None:
    # Created owner-readable from the start, not chmod-ed after: the key is never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def make_demo_identity(directory: Path, hall_name: str, now: datetime | None = None) -> DemoIdentity:
    """Write ``ca.pem``, ``signing-chain.pem`` (signer, then CA) and ``signing-key.pem`` (mode 0600)."""
    now = now or datetime.now(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{hall_name} Demo Root CA", hall_name)
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(signer=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    signer_cert = (
        x509.CertificateBuilder().subject_name(_name(f"{hall_name} Document Signing", hall_name))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365 * SIGNER_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(signer=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION,
                                              ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    identity = DemoIdentity(directory / "signing-key.pem", directory / "signing-chain.pem",
                            directory / "ca.pem")
    _write_private(identity.key_path, key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    identity.chain_path.write_bytes(signer_cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    identity.ca_path.write_bytes(ca_cert.public_bytes(pem))
    # The CA's key is thrown away: the demo chain never signs another certificate.
    return identity


def ensure_demo_identity(data_dir: Path, hall_name: str) -> DemoIdentity | None:
    """Make the demo's signing identity under ``<data dir>/signing`` unless the hall already has one."""
    from hall_server.documents.signing_paths import SigningPaths

    if SigningPaths.for_data_dir(data_dir).exist():
        return None
    return make_demo_identity(data_dir / "signing", hall_name)
