"""Reviews against a real hall server: reasons per level, a bad review opens a follow-up."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.flows.review import ReviewFlow, Subject
from kiosk.flows.ticket import TicketFlow

pytestmark = pytest.mark.slow


async def test_review_levels_reasons_and_follow_up(wednesday_morning: Any) -> None:
    with wednesday_morning.client() as hall:
        ticket = await TicketFlow(hall).walk_in((await TicketFlow(hall).services())[0].code)
        flow = ReviewFlow(hall)
        levels = await flow.levels("zh_Hans")
        assert [lv.level for lv in levels] == [5, 4, 3, 2, 1]
        assert levels[0].label == "非常满意" and levels[-1].reasons
        english = await flow.levels("en")
        assert english[-1].label != levels[-1].label

        bad = await flow.submit(1, [levels[-1].reasons[0].code], Subject("ticket", ticket.id))
        assert bad.level == 1 and bad.follow_up_due is not None
        good = await flow.submit(5, [], Subject("kiosk_transaction", "records-visit-1"))
        assert good.follow_up_due is None
        with pytest.raises(ValueError):
            await flow.submit(6, [], Subject("ticket", ticket.id))
