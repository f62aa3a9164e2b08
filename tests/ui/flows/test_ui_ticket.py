"""Taking a ticket by touch: walk-in with a priority class, printed with its tracking QR; the
printer out of paper → the QR on screen; booking check-in by QR, by ID card and by typed code."""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.ui


def _open_ticket(kiosk):
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="tile_ticket"))
    screen = kiosk.wait_for_screen("ticket")
    kiosk.wait_until(lambda: screen.service_buttons and not screen.busy, timeout=15, what="services")
    return screen


def _choose_service(kiosk, screen, h, letters="SB"):
    for letter in letters:
        kiosk.tap(screen.keyboard.key(letter))
    code = h.tap_service(kiosk, screen)
    kiosk.wait_until(lambda: screen.step == "priority", what="the priority question")
    return code


def test_walk_in_with_priority_prints_number_and_tracking_qr(kiosk, flow_helpers):
    screen = _open_ticket(kiosk)
    flow_helpers.shots(kiosk, "ticket_services", screen.render)
    _choose_service(kiosk, screen, flow_helpers)
    assert set(screen.priority_buttons) == {None, "elderly", "disabled", "pregnant", "military"}
    assert screen.priority_buttons["elderly"].text == "65周岁及以上老年人"
    flow_helpers.shots(kiosk, "ticket_priority", screen.render)
    kiosk.tap(screen.priority_buttons["elderly"])
    kiosk.wait_until(lambda: screen.step == "done" and screen.print_outcome is not None, timeout=30,
                     what="ticket issued and printed")
    ticket = screen.ticket
    assert ticket.priority == "elderly" and screen.number_label.text == ticket.number
    assert screen.print_outcome.printed and screen.qr is None
    [printed] = kiosk.wait_until(lambda: kiosk.new_tickets(), timeout=15, what="the printed ticket")
    assert ticket.number in printed.text and printed.qr_payloads == [ticket.tracking_url]
    assert f"{ticket.people_ahead} 人" in printed.text
    # Marked on screen and paper, so the clerk checks the proof.
    assert "绿色通道：65周岁及以上老年人" in printed.text and "请向窗口工作人员出示相关证明" in printed.text
    assert screen.priority_label is not None
    assert screen.priority_label.text == "绿色通道：65周岁及以上老年人\n请向窗口工作人员出示相关证明。"
    (kiosk.artifacts / "flows_ticket_printed.png").write_bytes(printed.png)
    flow_helpers.shots(kiosk, "ticket_done", screen.render)
    kiosk.tap(screen.finish_button)
    review = kiosk.wait_for_screen("review")
    assert (review.subject.type, review.subject.id) == ("ticket", ticket.id)


def test_paper_out_shows_the_tracking_qr_and_reaches_the_heartbeat(kiosk, flow_helpers):
    screen = _open_ticket(kiosk)
    _choose_service(kiosk, screen, flow_helpers)
    kiosk.printer_control("paper_out")
    kiosk.tap(screen.priority_buttons[None])
    kiosk.wait_until(lambda: screen.step == "done" and screen.print_outcome is not None, timeout=30,
                     what="ticket issued, print refused")
    assert (screen.print_outcome.printed, screen.print_outcome.reason) == (False, "paper_out")
    assert screen.qr is not None and screen.qr.data == screen.ticket.tracking_url
    assert screen.priority_label is None, "a normal ticket carries no green-channel mark"
    assert "打印机缺纸" in screen.print_label.text and screen.ticket.number in screen.number_label.text
    assert kiosk.new_tickets() == []
    # The technician learns it through the heartbeat's device states.
    state = kiosk.wait_until(
        lambda: kiosk.app.devices.snapshot()["printer"]["reason"] == "paper_out"
        and kiosk.app.devices.snapshot()["printer"], what="printer state paper_out")
    assert state["state"] in ("degraded", "offline")
    flow_helpers.shots(kiosk, "ticket_paper_out", screen.render)


def test_check_in_by_scan_and_by_card_explains_refusals(kiosk, flow_helpers):
    screen = _open_ticket(kiosk)
    kiosk.tap(screen.check_in_button)
    kiosk.wait_until(lambda: screen.step == "check_in", what="the check-in step")
    flow_helpers.shots(kiosk, "ticket_check_in", screen.render)
    kiosk.scan(b"https://example.org/not-a-booking")
    kiosk.wait_until(lambda: screen.message == "这不是预约二维码。", timeout=15, what="not a booking code")
    kiosk.scan(b"GOVBK1:b_nonexistent:000000")
    kiosk.wait_until(lambda: screen.message == "未找到您今天的预约。", timeout=15,
                     what="refusal of an unknown booking")
    assert screen.step == "check_in"
    kiosk.place_card("chen_kun")
    kiosk.wait_until(lambda: kiosk.app.session.identity, timeout=20, what="the card read")
    assert kiosk.app.session.identity.source == "id_card"
    kiosk.wait_until(lambda: screen.message == "未找到您今天的预约。" and not screen.busy, timeout=20,
                     what="no booking by card")
    kiosk.lift_card()


def test_the_issued_ticket_follows_a_language_switch_and_is_not_printed_again(kiosk, flow_helpers,
                                                                            monkeypatch):
    screen = _open_ticket(kiosk)
    code = _choose_service(kiosk, screen, flow_helpers)
    kiosk.tap(screen.priority_buttons[None])
    kiosk.wait_until(lambda: screen.step == "done" and screen.print_outcome is not None, timeout=30,
                     what="ticket issued and printed")
    issued = screen.ticket
    assert kiosk.wait_until(lambda: kiosk.new_tickets(), timeout=15, what="the printed ticket")
    names = {lang: flow_helpers.hall_service(kiosk, code, lang) for lang in ("zh-Hans", "zh-Hant", "en")}
    assert issued.service_name == names["zh-Hans"]["name"]

    def shown():
        return " ".join(kiosk.texts())

    # An answer for 繁體 held back until the English one is in: the late one must not win.
    hall = kiosk.app.hall
    original = hall.call
    gate = asyncio.Event()
    answered = []

    async def traditional_late(fn, *args, **kwargs):
        if fn != hall.get_ticket:
            return await original(fn, *args, **kwargs)
        ticket_id, lang = args
        assert ticket_id == issued.id
        if lang == "zh_Hant":
            await gate.wait()
        ticket = await original(fn, ticket_id, lang)
        answered.append(lang)
        return ticket

    monkeypatch.setattr(hall, "call", traditional_late)
    kiosk.tap(kiosk.find(id="lang_zh_Hant"))
    kiosk.tap(kiosk.find(id="lang_en"))
    english = names["en"]
    kiosk.wait_until(lambda: answered == ["en"] and not screen.busy, timeout=15, what="the English ticket")
    assert screen.ticket.service_name == english["name"] and english["name"] in shown()
    assert screen.ticket.where == english["guide"]["where"]
    assert f"Where: {english['guide']['where']}" in shown()
    gate.set()
    kiosk.wait_until(lambda: answered == ["en", "zh_Hant"], timeout=15, what="the late 繁體 answer")
    kiosk.pump(4)
    assert screen.ticket.service_name == english["name"] and english["name"] in shown()
    assert names["zh-Hant"]["name"] not in shown()
    # The same ticket: number, tracking QR and the slip already printed stay as they were.
    assert (screen.ticket.id, screen.ticket.number, screen.ticket.tracking_url) == (
        issued.id, issued.number, issued.tracking_url)
    assert screen.number_label.text == issued.number
    assert len(kiosk.new_tickets()) == 1 and kiosk.app.session.ticket["number"] == issued.number
    kiosk.screenshot("flows_ticket_done_switched_en")

    # The hall gone: what is shown stays, no error is said, the offline banner is raised at once.
    monkeypatch.setattr(hall, "call", original)
    raised = []
    monkeypatch.setattr(kiosk.app, "hall_unreachable",
                        lambda: raised.append(kiosk.app.current_screen))
    kiosk.stop_hall()
    try:
        kiosk.tap(kiosk.find(id="lang_zh_Hans"))
        kiosk.wait_until(lambda: raised and not screen.busy, timeout=20, what="the failed fetch")
        assert raised == ["ticket"] and screen.message == ""
        assert screen.ticket.service_name == english["name"] and english["name"] in shown()
        assert screen.prompt == "您的号码" and not screen.finish_button.disabled
        # The review after it asks the hall for its labels: that failure raises the banner too.
        kiosk.tap(screen.finish_button)
        review = kiosk.wait_for_screen("review")
        kiosk.wait_until(lambda: "review" in raised and not review.busy, timeout=20,
                         what="the review's failed fetch")
        assert review.message == "" and review.level_buttons
    finally:
        kiosk.start_hall()
    assert len(kiosk.new_tickets()) == 1


def _booked_for_now(kiosk):
    """A booking made through the hall's API, then moved (in the hall's database, as if booked the
    day before) to a slot whose check-in window is open now: bookings close before check-in opens."""
    from datetime import timedelta

    from sqlalchemy import create_engine, update

    from hall_server.store import models

    hall = kiosk.app.hall
    catalogue = kiosk.run(hall.call(hall.services, None, "zh_Hans"))
    service = next(s for s in catalogue.services if s.bookable and s.queue)
    now = hall.now()
    slots = kiosk.run(hall.call(hall.slots, "HQ", service.code, now.date()))
    slot = next(s for s in slots.slots if s.bookable)
    booking = kiosk.run(hall.call(hall.create_booking, service.code, slot.id, "110101199003074477", "张三",
                                  idempotency_key=f"code-check-in-{slot.id}"))
    engine = create_engine(kiosk.hall.db_url)
    with engine.begin() as conn:
        start = now.replace(second=0, microsecond=0) + timedelta(minutes=10)
        conn.execute(update(models.bookings).where(models.bookings.c.id == booking.id)
                     .values(start=start, end=start + timedelta(minutes=30)))
    engine.dispose()
    return booking


def test_check_in_by_the_typed_code_issues_the_ticket(kiosk, flow_helpers):
    booking = _booked_for_now(kiosk)
    screen = _open_ticket(kiosk)
    kiosk.tap(screen.check_in_button)
    kiosk.wait_until(lambda: screen.step == "check_in", what="the check-in step")
    pad = screen.code_pad
    assert pad is not None and not pad.allow_x and pad.max_length == 6
    assert screen.code_button.disabled, "no check-in before six digits are typed"
    wrong = "000000" if booking.check_in_code != "000000" else "111111"
    for digit in wrong:
        kiosk.tap(kiosk.find(text=digit, root=pad))
    assert screen.code_field.text == wrong and not screen.code_button.disabled
    kiosk.tap(screen.code_button)
    kiosk.wait_until(lambda: screen.message == "未找到您今天的预约。" and not screen.busy, timeout=15,
                     what="refusal of an unknown code")
    for _key in wrong:
        kiosk.tap(pad.ids.backspace)
    assert screen.message == "", "the refusal of the code typed before is gone"
    for digit in booking.check_in_code + "9":
        kiosk.tap(kiosk.find(text=digit, root=pad))
    assert screen.code_field.text == booking.check_in_code, "the code has six digits, no more"
    flow_helpers.shots(kiosk, "ticket_check_in_code", screen.render)
    assert screen.code_pad.value == booking.check_in_code, "the typed code survives a rebuild"
    kiosk.tap(screen.code_button)
    kiosk.wait_until(lambda: screen.step == "done" and screen.print_outcome is not None, timeout=30,
                     what="the booking's ticket")
    assert screen.ticket.booking_id == booking.id
    [printed] = kiosk.wait_until(lambda: kiosk.new_tickets(), timeout=15, what="the printed ticket")
    assert screen.ticket.number in printed.text


def test_too_early_says_when_check_in_opens_and_the_error_stays_behind(kiosk, flow_helpers):
    from datetime import date, timedelta

    from citizen_id.id_number import make_id_number

    hall = kiosk.app.hall
    catalogue = kiosk.run(hall.call(hall.services, None, "zh_Hans"))
    service = next(s for s in catalogue.services if s.bookable and s.queue)
    slots = kiosk.run(hall.call(hall.slots, "HQ", service.code, hall.now().date()))
    slot = next(s for s in slots.slots if s.bookable)
    booking = kiosk.run(hall.call(
        hall.create_booking, service.code, slot.id, make_id_number(birth=date(1980, 5, 6), sequence=123),
        "李四", idempotency_key=f"too-early-{slot.id}"))
    opens = f"{slot.start - timedelta(minutes=30):%H:%M}"
    screen = _open_ticket(kiosk)
    kiosk.tap(screen.check_in_button)
    kiosk.wait_until(lambda: screen.step == "check_in", what="the check-in step")
    kiosk.scan(booking.qr_payload.encode())
    kiosk.wait_until(lambda: "签到时间" in screen.message and not screen.busy, timeout=15, what="too early")
    assert screen.message == f"还未到预约签到时间，请稍后再来签到。签到时间 {opens} 起。"
    kiosk.app.set_language("en")
    kiosk.pump(3)
    assert screen.message == f"It is too early to check in for your booking. Check-in opens at {opens}."
    kiosk.app.set_language("zh_Hant")
    kiosk.pump(3)
    assert screen.message.endswith(f"簽到時間 {opens} 起。"), screen.message
    kiosk.app.set_language("zh_Hans")
    kiosk.pump(3)
    kiosk.screenshot("flows_ticket_too_early")
    # Back to the services, then any service: the refusal of the scan does not follow.
    kiosk.tap(kiosk.find(id="back_button"))
    kiosk.wait_until(lambda: screen.step == "service", what="the services again")
    assert screen.message == ""
    kiosk.wait_until(lambda: screen.service_buttons and not screen.busy, timeout=15, what="services")
    code = next(iter(screen.service_buttons))
    flow_helpers.tap_in_list(kiosk, screen.service_list, screen.service_buttons[code])
    kiosk.wait_until(lambda: screen.step == "priority", what="the priority question")
    assert screen.message == ""


def test_the_hall_counts_the_visit_with_its_function_and_its_end(kiosk, flow_helpers):
    """A walk-in ticket taken by touch reaches the managers' kiosk figures: one ticket visit, completed."""
    import httpx

    from hall_server.demo import DEMO_PASSWORD

    hall = kiosk.hall.url + "/api/v1"
    login = httpx.post(hall + "/auth/login", json={"username": "manager1", "password": DEMO_PASSWORD}).json()
    headers = {"Authorization": f"Bearer {login['token']}"}

    def ticket_visits():
        params = {"site": "HQ", "from": "2026-11-25", "to": "2026-11-25"}
        rows = httpx.get(hall + "/stats/kiosks", params=params, headers=headers).json()["kiosks"]
        return [r for r in rows if r["kiosk"] == "kiosk-01" and r["function"] == "ticket"]

    before = ticket_visits()
    screen = _open_ticket(kiosk)
    _choose_service(kiosk, screen, flow_helpers)
    kiosk.tap(screen.priority_buttons[None])
    # The finish button takes touches once the slip is printed (the step is busy until then).
    kiosk.wait_until(lambda: screen.step == "done" and screen.print_outcome is not None and not screen.busy,
                     timeout=30, what="ticket issued and printed")
    kiosk.tap(screen.finish_button)
    kiosk.wait_for_screen("review", timeout=15)
    kiosk.app.end_visit()
    counted = kiosk.wait_until(lambda: ticket_visits() != before and ticket_visits(), timeout=15,
                               what="the visit counted by the hall")
    visits = before[0]["visits"] if before else 0
    completed = before[0]["completed"] if before else 0
    assert (counted[0]["visits"], counted[0]["completed"]) == (visits + 1, completed + 1)
