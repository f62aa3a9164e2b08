"""TLS towards the hall: a refused certificate in plain words for the operator."""

from __future__ import annotations

import re

# OpenSSL's reason, as it appears inside the nested errors requests and websockets raise: the verify
# message when there is one, else the library's bracketed code and text.
_REASONS = (re.compile(r"certificate verify failed: [^'\")(]+"), re.compile(r"\[SSL[^\]]*\] [^'\")(]+"))


def untrusted_hall(exc: BaseException) -> str:
    """One line for the operator: the hall's certificate was refused, OpenSSL's reason, and what to set."""
    text = str(exc)
    found = next((match for pattern in _REASONS if (match := pattern.search(text))), None)
    reason = found.group(0).strip() if found else type(exc).__name__
    return f"the hall's TLS certificate is not trusted ({reason}); hall.ca_file names the CA that signed it"
