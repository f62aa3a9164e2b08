"""A card read by the real driver from the simulated reader leaves nothing readable once the
kiosk's visit is wiped: the photo and fingerprint the reader handed over are overwritten in place.
"""

from __future__ import annotations

from kiosk.session import Identity, Session
from terminal_drivers.id_card.reader import IdCardReader
from terminal_drivers.sim.test_cards import CARDS

from .conftest import ReaderSim


async def test_a_read_cards_photo_and_fingerprint_are_overwritten_when_the_visit_ends(
    reader_sim: ReaderSim,
) -> None:
    reader_sim.place("zhang_wei")
    async with IdCardReader(reader_sim.url, timeout=3.0, read_timeout=3.0, fingerprint=True) as reader:
        card = await reader.read_once()
    assert card is not None and card == CARDS["zhang_wei"]
    photo, fingerprint = card.photo_wlt, card.fingerprint
    assert len(photo) == 1024 and any(photo)
    assert len(fingerprint) == 1024 and any(fingerprint)

    session = Session(identity=Identity(card.name, card.id_number, "id_card", card=card))
    session.wipe()

    assert session.identity is None
    # The very buffers the driver returned now hold zeros, not the citizen's photo or fingerprint.
    assert bytes(photo) == bytes(1024)
    assert bytes(fingerprint) == bytes(1024)
