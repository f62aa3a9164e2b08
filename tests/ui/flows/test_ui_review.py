"""The review after a transaction, by touch: five choices, the reasons of a bad one, posted with
the ticket as its subject; or skipped."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def _ticket_then_review(kiosk, h):
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="tile_ticket"))
    ticket_screen = kiosk.wait_for_screen("ticket")
    kiosk.wait_until(lambda: ticket_screen.service_buttons and not ticket_screen.busy, timeout=15,
                     what="services")
    code = next(iter(ticket_screen.service_buttons))
    h.tap_in_list(kiosk, ticket_screen.service_list, ticket_screen.service_buttons[code])
    kiosk.wait_until(lambda: ticket_screen.step == "priority", what="priority")
    kiosk.tap(ticket_screen.priority_buttons[None])
    kiosk.wait_until(lambda: ticket_screen.step == "done" and ticket_screen.print_outcome is not None,
                     timeout=30, what="the ticket")
    kiosk.tap(ticket_screen.finish_button)
    review = kiosk.wait_for_screen("review")
    kiosk.wait_until(lambda: review.levels and not review.busy, timeout=15, what="review levels")
    return ticket_screen.ticket, review


def test_bad_review_with_a_reason_opens_a_follow_up(kiosk, flow_helpers):
    ticket, review = _ticket_then_review(kiosk, flow_helpers)
    # The thanks stay while they are photographed in every language, so Done is still there to touch.
    review.thanks_s = 600
    assert (review.subject.type, review.subject.id) == ("ticket", ticket.id)
    assert [review.level_buttons[n].text for n in (5, 1)] == ["非常满意", "非常不满意"]
    flow_helpers.shots(kiosk, "review_levels", review.render)
    kiosk.tap(review.level_buttons[1])
    kiosk.wait_until(lambda: review.step == "reasons" and review.reason_toggles, what="reasons")
    first = next(iter(review.reason_toggles))
    kiosk.tap(review.reason_toggles[first])
    assert review.reason_toggles[first].state == "down"
    flow_helpers.shots(kiosk, "review_reasons", review.render)
    assert review.reason_toggles[first].state == "down", "the choice survives a language switch"
    kiosk.tap(review.submit_button)
    kiosk.wait_until(lambda: review.step == "thanks" and review.result is not None, timeout=15,
                     what="the review posted")
    assert review.result.level == 1 and review.result.follow_up_due is not None
    # Anonymous: staff look into it by the follow-up's due day, and nobody promises a call-back.
    assert review.sorry_label.text.startswith("非常抱歉，工作人员将于")
    assert "不会回访您" in review.sorry_label.text and "并回访" not in " ".join(kiosk.texts())
    flow_helpers.shots(kiosk, "review_thanks", review.render)
    kiosk.tap(review.done_button)
    kiosk.wait_for_screen("home")


def test_review_can_be_skipped(kiosk, flow_helpers):
    _ticket, review = _ticket_then_review(kiosk, flow_helpers)
    kiosk.tap(review.skip_button)
    kiosk.wait_for_screen("home")
    assert review.result is None


def test_thanks_move_on_by_themselves(kiosk, flow_helpers):
    _ticket, review = _ticket_then_review(kiosk, flow_helpers)
    review.thanks_s = 0.5
    kiosk.tap(review.level_buttons[5])
    kiosk.wait_until(lambda: review.step == "reasons", what="reasons")
    kiosk.tap(review.submit_button)
    kiosk.wait_until(lambda: review.result is not None, timeout=15, what="the review posted")
    kiosk.wait_for_screen("home")
    assert review.result.level == 5 and review.result.follow_up_due is None


def test_a_late_tap_after_the_thanks_go_home_does_nothing(kiosk, flow_helpers, monkeypatch):
    _ticket, review = _ticket_then_review(kiosk, flow_helpers)
    # A longer moment than the kiosk's 0.4 s, so a slow test machine still taps within it.
    monkeypatch.setattr("kiosk.ui.screens.base.SETTLE_S", 3.0)
    review.thanks_s = 0.3
    kiosk.tap(review.level_buttons[5])
    kiosk.wait_until(lambda: review.step == "reasons", what="reasons")
    kiosk.tap(review.submit_button)
    kiosk.wait_until(lambda: review.step == "thanks", timeout=15, what="the thanks")
    home = kiosk.wait_for_screen("home", timeout=5)
    assert home.settling()
    # The hand meant Done, the screen had just gone home by itself: the tile beneath stays shut.
    kiosk.tap(kiosk.find(id="tile_video_help"), settle=False)
    kiosk.pump(4)
    assert kiosk.app.current_screen == "home"
    # A moment later the same tile opens.
    kiosk.tap(kiosk.find(id="tile_video_help"))
    kiosk.wait_until(lambda: kiosk.app.current_screen != "home", timeout=5, what="the tile opened")
