"""Where the hall's signing key and chain live, and the refusal while there is none (no PDF library:
a hall names them from its start; ``signing`` loads pyHanko with the first certificate)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class SigningNotConfigured(Exception):
    """No usable key and chain: the hall cannot issue certificates until one is configured."""


@dataclass(frozen=True)
class SigningPaths:
    key: Path
    chain: Path

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> SigningPaths:
        key = os.environ.get("HALL_SIGNING_KEY")
        chain = os.environ.get("HALL_SIGNING_CHAIN")
        if key and chain:
            return cls(Path(key).expanduser(), Path(chain).expanduser())
        return cls(data_dir / "signing" / "signing-key.pem", data_dir / "signing" / "signing-chain.pem")

    def exist(self) -> bool:
        return self.key.is_file() and self.chain.is_file()
