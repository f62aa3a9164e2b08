"""Looking into a PDF from the outside: poppler's tools (pdfinfo, pdffonts, pdftotext, pdftoppm) and
pyHanko's validator, as a reader of the certificate would."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext


def _run(args: list[str], pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        done = subprocess.run([*args, handle.name, *(["-"] if args[0] == "pdftotext" else [])],
                              capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8")


@dataclass(frozen=True)
class Info:
    pages: int
    width_pt: float
    height_pt: float


def info(pdf: bytes) -> Info:
    out = _run(["pdfinfo"], pdf)
    pages = int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)
    assert size is not None, out
    return Info(pages, float(size.group(1)), float(size.group(2)))


@dataclass(frozen=True)
class Font:
    name: str
    type: str
    embedded: bool
    subset: bool
    unicode: bool


def fonts(pdf: bytes) -> list[Font]:
    lines = _run(["pdffonts"], pdf).splitlines()[2:]
    found = []
    for line in lines:
        parts = line.split()
        # name, type words..., encoding, emb, sub, uni, object, id
        emb, sub, uni = parts[-5:-2]
        found.append(Font(parts[0], " ".join(parts[1:-6]), emb == "yes", sub == "yes", uni == "yes"))
    return found


def text(pdf: bytes, page: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return _run(args, pdf)


def render(pdf: bytes, prefix: Path, dpi: int = 80) -> list[Path]:
    """Every page as ``<prefix>-<n>.png``."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", handle.name, str(prefix)], check=True,
                       timeout=120)
    return sorted(prefix.parent.glob(prefix.name + "-*.png"))


def signature_status(pdf: bytes, chain_pem: bytes) -> PdfSignatureStatus:
    """The first signature validated with the chain's last certificate (its root) as the only trust anchor."""
    chain = list(load_certs_from_pemder_data(chain_pem))
    context = ValidationContext(trust_roots=[chain[-1]], other_certs=chain[:-1])
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    return validate_pdf_signature(reader.embedded_signatures[0], context)


def pdfsig(pdf: bytes) -> str:
    """poppler's own reading of the signature (NSS): 'Signature is Valid.' when the bytes are intact."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        done = subprocess.run(["pdfsig", handle.name], capture_output=True, timeout=60)
    return done.stdout.decode("utf-8", "replace")
