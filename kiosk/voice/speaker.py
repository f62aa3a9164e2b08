"""What voice guidance asks of an engine (espeak-ng today, the hall's recorded voice pack later)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Speaker(Protocol):
    """Says one text at a time, never holding up the caller (the kiosk's UI thread)."""

    @property
    def available(self) -> bool:
        """The engine can speak here (False: its program or files are missing)."""
        ...

    def say(self, text: str, lang: str) -> None:
        """Start saying ``text`` in kiosk language ``lang`` (zh_Hans, zh_Hant, en) and return at once;
        whatever was being said stops first."""
        ...

    def stop(self) -> None:
        """Stop speaking now (a no-op when silent)."""
        ...

    def close(self) -> None:
        """Stop and let go of anything still running (the kiosk is shutting down)."""
        ...


class SilentSpeaker:
    """``[voice] engine = "off"``: a kiosk without voice guidance (the switch says so)."""

    @property
    def available(self) -> bool:
        return False

    def say(self, text: str, lang: str) -> None:
        pass

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass
