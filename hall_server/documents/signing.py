"""The hall's signing identity (its key and certificate chain) and the PAdES signature it puts on a PDF.

Where the key and chain live: ``$HALL_SIGNING_KEY`` and ``$HALL_SIGNING_CHAIN`` (PEM; the chain starts
with the signing certificate), else ``<data dir>/signing/`` where ``hall-server signing init`` puts the
demo's. The key may be encrypted, its passphrase in ``$HALL_SIGNING_KEY_PASSPHRASE``.
"""

from __future__ import annotations

import os
from io import BytesIO

from asn1crypto import pem as asn1_pem
from pyhanko.keys import load_certs_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from hall_server.documents.signing_paths import SigningNotConfigured, SigningPaths

SIGNATURE_FIELD = "HallSignature"


class HallSigner:
    """Signs PDFs with the hall's key: PAdES baseline B-B (no time-stamp authority is assumed)."""

    def __init__(self, paths: SigningPaths) -> None:
        if not paths.exist():
            raise SigningNotConfigured(f"no signing key and chain at {paths.key} and {paths.chain}")
        passphrase = os.environ.get("HALL_SIGNING_KEY_PASSPHRASE")
        try:
            key = load_private_key_from_pemder(str(paths.key), passphrase.encode() if passphrase else None)
            chain = list(load_certs_from_pemder([str(paths.chain)]))
        except (OSError, ValueError, TypeError) as exc:
            raise SigningNotConfigured(f"cannot load the signing key or chain: {exc}") from exc
        if not chain:
            raise SigningNotConfigured(f"{paths.chain} holds no certificate")
        self.certificate = chain[0]
        self.chain_pem = b"".join(asn1_pem.armor("CERTIFICATE", cert.dump()) for cert in chain)
        self._signer = signers.SimpleSigner(
            signing_cert=chain[0], signing_key=key, cert_registry=SimpleCertificateStore.from_certs(chain),
        )

    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        """``pdf`` with an invisible PAdES signature over every byte but the signature itself."""
        meta = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason, location=location,
        )
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        out = signers.sign_pdf(writer, meta, signer=self._signer)
        return out.getvalue()
