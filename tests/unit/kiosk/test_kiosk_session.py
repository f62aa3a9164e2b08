"""A visit's Session: wiped completely, bytes overwritten, never printed unmasked."""

from __future__ import annotations

from kiosk.session import Identity, Session


def _full_session() -> Session:
    session = Session()
    session.identity = Identity("罗镕", "43010219650930031X", "id_card")
    session.booking = {"id": "b_1", "check_in_code": "482913"}
    session.ticket = {"number": "B007"}
    session.records.append({"month": "2026-10"})
    session.choices["service"] = "SB-001"
    session.results["records"] = [1, 2]
    session.add_photo(b"\xff\xd8\xff\xe0 jpeg")
    return session


def test_wipe_clears_every_field_and_overwrites_photos():
    session = _full_session()
    photo = session.photos[0]
    assert not session.is_empty()
    session.wipe()
    assert session.is_empty() and session.wiped
    assert bytes(photo) == b"\x00" * len(photo)
    assert session.identity is None and session.booking is None and session.ticket is None


def test_wipe_overwrites_a_card_photo_held_as_bytearray():
    class Card:
        photo_wlt = bytearray(b"WL" + bytes(range(100)))

    session = Session()
    card = Card()
    session.identity = Identity("张伟", "440106198503121237", "id_card", card=card)
    session.wipe()
    assert card.photo_wlt == bytearray(len(card.photo_wlt))


def test_repr_masks_personal_data():
    session = _full_session()
    session.identity = Identity("罗镕", "43010219650930031X", "qr", qr_payload="GOVBK1:b_secret:482913")
    text = repr(session)
    assert "罗镕" not in text and "43010219650930031X" not in text and "b_secret" not in text
    assert "4301**********031X" in text and "罗*" in text


def test_each_visit_is_a_new_session():
    first, second = Session(), Session()
    assert first.visit_id != second.visit_id
    first.choices["x"] = 1
    assert second.choices == {}


def test_forgetting_the_person_keeps_the_visit_but_nothing_personal():
    class Card:
        photo_wlt = bytearray(b"WL" + bytes(range(100)))
        fingerprint = bytearray(b"\x43" * 512)

    session = _full_session()
    card = Card()
    session.identity = Identity("罗镕", "43010219650930031X", "id_card", card=card)
    session.challenge = {"challenge_id": "ch_1", "masked_phone": "138****1234"}
    session.proof = {"type": "code", "challenge_id": "ch_1", "code": "123456"}
    photo = session.photos[0]
    visit = session.visit_id
    session.forget_person()
    assert session.identity is None and session.records == [] and session.booking is None
    assert session.challenge is None and session.proof is None and session.results == {}
    assert card.photo_wlt == bytearray(len(card.photo_wlt))
    assert card.fingerprint == bytearray(len(card.fingerprint))
    assert bytes(photo) == bytes(len(photo)) and session.photos == []
    # The visit goes on: its language choices and its (impersonal) ticket number stay.
    assert session.visit_id == visit and session.choices == {"service": "SB-001"}
    assert session.ticket == {"number": "B007"} and not session.wiped


def test_a_challenge_or_proof_alone_is_personal_and_wiped():
    session = Session()
    session.proof = {"type": "eid", "token": "secret"}
    assert not session.is_empty()
    assert "secret" not in repr(session)
    session.wipe()
    assert session.is_empty() and session.proof is None
