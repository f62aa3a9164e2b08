"""Records by touch: identify first, choose a kind, page through the list, print every sheet."""

from __future__ import annotations

import asyncio

import pytest
import requests

from kiosk.flows.records import KINDS
from kiosk.flows.slips import record_jobs

pytestmark = pytest.mark.ui


def _open_records(kiosk, h, card="zhang_wei"):
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="tile_records"))
    h.identify_with_card(kiosk, "records", card=card)
    screen = kiosk.app.current
    kiosk.wait_until(lambda: screen.kind_buttons, what="record kinds")
    return screen


def test_records_page_and_print_across_sheets(kiosk, flow_helpers):
    screen = _open_records(kiosk, flow_helpers)
    identity = kiosk.app.session.identity
    assert identity.id_number not in " ".join(kiosk.texts())
    assert identity.id_number_masked in " ".join(kiosk.texts())
    flow_helpers.shots(kiosk, "records_kinds", screen.render)
    kiosk.tap(screen.kind_buttons["social_insurance_payments"])
    kiosk.wait_until(lambda: screen.step == "list" and not screen.busy, timeout=15, what="the records")
    result = screen.result
    assert len(kiosk.app.session.records) == len(result.rows) > 8
    first_month = result.rows[0][result.columns[0].key]
    assert first_month in [c.text for c in screen.cell_labels]
    assert screen.prev_button.disabled and not screen.next_button.disabled
    flow_helpers.shots(kiosk, "records_list", screen.render)
    kiosk.tap(screen.next_button)
    assert screen.page == 2 and first_month not in [c.text for c in screen.cell_labels]
    assert "第2/" in screen.summary_label.text
    kiosk.tap(screen.print_button)
    kiosk.wait_until(lambda: screen.print_outcome is not None, timeout=60, what="the printout")
    assert screen.print_outcome.printed and screen.print_outcome.jobs_printed >= 2
    sheets = kiosk.wait_until(
        lambda: len(kiosk.new_tickets()) == screen.print_outcome.jobs_printed and kiosk.new_tickets(),
        timeout=15, what="every sheet")
    total = len(sheets)
    assert f"第1/{total}张" in sheets[0].text and f"第{total}/{total}张" in sheets[-1].text
    assert identity.id_number_masked in sheets[0].text and identity.id_number not in sheets[0].text
    assert first_month in sheets[0].text
    for index, sheet in enumerate(sheets):
        (kiosk.artifacts / f"flows_records_sheet_{index + 1}.png").write_bytes(sheet.png)
    flow_helpers.shots(kiosk, "records_printed", screen.render)
    kiosk.tap(screen.finish_button)
    review = kiosk.wait_for_screen("review")
    assert review.subject.type == "kiosk_transaction"


def test_printer_cover_open_stops_the_printout_and_says_so(kiosk, flow_helpers):
    screen = _open_records(kiosk, flow_helpers, card="luo_rong")
    kiosk.tap(screen.kind_buttons["medical_insurance_certificate"])
    kiosk.wait_until(lambda: screen.step == "list" and not screen.busy, timeout=15, what="the records")
    kiosk.printer_control("cover_open")
    assert screen.result.rows and not screen.print_button.disabled
    kiosk.tap(screen.print_button)
    kiosk.wait_until(lambda: screen.print_outcome is not None, timeout=60, what="the refused printout")
    assert (screen.print_outcome.printed, screen.print_outcome.reason) == (False, "cover_open")
    assert "打印机盖未关好" in screen.print_label.text
    assert kiosk.new_tickets() == []


def _hall_records(kiosk, kind, lang):
    """What the hall answers for this visit's citizen in an API language (zh-Hans, zh-Hant, en)."""
    identity = kiosk.app.session.identity
    reply = requests.post(
        f"{kiosk.hall.url}/api/v1/records/query", timeout=10,
        json={"kind": kind, "id_number": identity.id_number, "name": identity.name, "lang": lang,
              "proof": {"type": "card"}},
        headers={"Authorization": f"Bearer {kiosk.app.kiosk_config.hall.token}"},
    )
    reply.raise_for_status()
    return reply.json()


def test_the_records_list_follows_a_language_switch_on_its_page(kiosk, flow_helpers):
    screen = _open_records(kiosk, flow_helpers, card="chen_kun")
    kind = "social_insurance_payments"
    kiosk.tap(screen.kind_buttons[kind])
    kiosk.wait_until(lambda: screen.step == "list" and not screen.busy, timeout=15, what="the records")
    kiosk.tap(screen.next_button)
    assert screen.page == 2
    for lang, api in (("en", "en"), ("zh_Hant", "zh-Hant")):
        expected = _hall_records(kiosk, kind, api)
        kiosk.tap(kiosk.find(id=f"lang_{lang}"))
        kiosk.wait_until(lambda e=expected: screen.prompt == e["title"] and not screen.busy, timeout=15,
                         what=f"the records in {lang}")
        shown = " ".join(kiosk.texts())
        assert all(column["label"] in shown for column in expected["columns"][:2])
        assert screen.page == 2 and screen.result.total_rows == expected["total_rows"]
    kiosk.screenshot("flows_records_list_switched_zh_Hant")
    # The hall gone: the list stays as it is, on its page, and no error is said for it.
    title = screen.prompt
    kiosk.stop_hall()
    try:
        kiosk.tap(kiosk.find(id="lang_en"))
        kiosk.wait_until(lambda: not kiosk.app.hall_online and not screen.busy, timeout=20,
                         what="the failed query")
        assert screen.message == "" and screen.prompt == title and screen.page == 2
        assert not screen.print_button.disabled
    finally:
        kiosk.start_hall()


# -- a lifted card ends the identity (DESIGN §4.5) --


def _shown_everywhere(kiosk, screen):
    """Every text on the window (overlays included) and in the records screen's own tree."""
    own = [w.text for w in kiosk.widgets(screen) if isinstance(getattr(w, "text", None), str)]
    return [*kiosk.texts(), *own]


def test_lifting_the_card_on_the_records_list_forgets_the_citizen(kiosk, flow_helpers):
    screen = _open_records(kiosk, flow_helpers)
    identity = kiosk.app.session.identity
    photo = identity.card.photo_wlt
    assert isinstance(photo, bytearray) and any(photo)
    assert identity.id_number_masked in " ".join(kiosk.texts())
    kiosk.tap(screen.kind_buttons["social_insurance_payments"])
    kiosk.wait_until(lambda: screen.step == "list" and not screen.busy, timeout=15, what="the records")
    personal = {identity.name, identity.id_number, identity.name_masked, identity.id_number_masked}
    cells = {c.text for c in screen.cell_labels if len(c.text) >= 2}
    assert cells and kiosk.app.session.records
    assert any(cell in kiosk.texts() for cell in cells)
    kiosk.app.card_notice.shown_s = 120  # kept open for the screenshots
    try:
        kiosk.lift_card()
        kiosk.wait_until(lambda: kiosk.app.session.identity is None, timeout=10, what="the forgetting")
        kiosk.wait_until(lambda: kiosk.app.card_notice.is_open and screen.step == "kind", what="the note")
        kiosk.pump(4)
        texts = _shown_everywhere(kiosk, screen)
        assert not [t for t in texts if any(p in t for p in personal)], "a name or ID number still shows"
        assert not cells & set(texts), "a record still shows"
        assert "身份证已取走，您的信息已清除。" in texts
        session = kiosk.app.session
        assert session.identity is None and session.records == [] and session.results == {}
        assert session.proof is None and session.challenge is None
        assert screen.result is None and screen.cell_labels == [] and screen.summary_label is None
        assert not any(photo), "the card's photo is overwritten"
        assert kiosk.app.current_screen == "records" and set(screen.kind_buttons) == set(KINDS)
        flow_helpers.shots(kiosk, "records_card_removed")
    finally:
        kiosk.app.card_notice.shown_s = 8.0
    kiosk.tap(kiosk.find(id="card_removed_ok"))
    assert not kiosk.app.card_notice.is_open
    # Choosing again asks who the citizen is.
    kiosk.tap(screen.kind_buttons["social_insurance_payments"])
    kiosk.wait_for_screen("identify")


def test_nothing_prints_once_the_card_is_lifted(kiosk, flow_helpers, monkeypatch):
    screen = _open_records(kiosk, flow_helpers, card="chen_kun")
    kiosk.tap(screen.kind_buttons["social_insurance_payments"])
    kiosk.wait_until(lambda: screen.step == "list" and not screen.busy, timeout=15, what="the records")
    total = len(record_jobs(screen.result, kiosk.app.session.identity, hall_name="", lang="zh_Hans",
                            paper=kiosk.app.devices.paper))
    assert total >= 2
    devices = kiosk.app.devices
    printing = devices.print_job
    sent = []

    async def lifted_during_the_first_sheet(data):
        sent.append(data)
        status = await printing(data)
        if len(sent) == 1:
            kiosk.lift_card()
            for _tick in range(500):  # until the reader has reported the lift (10 s at most)
                if kiosk.app.session.identity is None:
                    break
                await asyncio.sleep(0.02)
        return status

    monkeypatch.setattr(devices, "print_job", lifted_during_the_first_sheet)
    kiosk.tap(screen.print_button)
    kiosk.wait_until(lambda: kiosk.app.session.identity is None, timeout=20, what="the identity forgotten")
    kiosk.wait_until(lambda: len(kiosk.new_tickets()) == 1, timeout=20, what="the first sheet")
    # The sheet under way when the card left finishes; no other is begun, now or later.
    kiosk.pump(120)
    screen.print_all()
    kiosk.app.card_notice.dismiss()
    kiosk.tap(screen.kind_buttons["social_insurance_payments"])
    kiosk.wait_for_screen("identify")
    kiosk.pump(60)
    assert len(sent) == 1 and len(kiosk.new_tickets()) == 1
