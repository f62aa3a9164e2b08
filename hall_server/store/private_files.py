"""Files and directories the hall creates, readable by their owner only (database, token files)."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) owner-only; a directory that already exists is left as it is."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        directory.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(directory, DIR_MODE)  # mkdir's mode is cut by the umask


def private_file(path: Path) -> None:
    """Make sure ``path`` exists and only its owner can read or write it (before anything is written)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(fd)
    os.chmod(path, FILE_MODE)


def write_private_text(path: Path, text: str) -> None:
    private_file(path)
    path.write_text(text, "utf-8")
