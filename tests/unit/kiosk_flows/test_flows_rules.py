"""Pure parts of the kiosk flows: month paging, cut-off words, pages, search, keys, printing."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from hall_contract import Catalogue, RecordsResult, Service
from kiosk.flows import words
from kiosk.flows.calendar_view import next_month
from kiosk.flows.guides import QR_TEXT_LIMIT_BYTES, search, take_away_text
from kiosk.flows.offline import ActionKeys, keyed, retry_until_reachable
from kiosk.flows.printing import print_jobs
from kiosk.flows.records import pages
from kiosk.hall_client import HallError, HallUnreachable
from terminal_drivers.errors import PaperOut

CST = timezone(timedelta(hours=8))


def test_next_month_wraps_the_year() -> None:
    assert next_month(2026, 12) == (2027, 1)
    assert next_month(2026, 1, -1) == (2025, 12)


@pytest.mark.parametrize(
    ("session_day", "cutoff", "lang", "expected"),
    [
        (date(2026, 11, 25), datetime(2026, 11, 25, 12, tzinfo=CST), "en", "Book by 12:00 the same day"),
        (date(2026, 11, 28), datetime(2026, 11, 27, 12, tzinfo=CST), "en",
         "Book by 12:00 the day before (Fri)"),
        (date(2026, 11, 25), datetime(2026, 11, 25, 12, tzinfo=CST), "zh_Hans", "当天12:00前预约"),
        (date(2026, 11, 28), datetime(2026, 11, 27, 12, tzinfo=CST), "zh_Hant",
         "請於前一天（週五）12:00前預約"),
    ],
)
def test_cutoff_in_words(session_day: date, cutoff: datetime, lang: str, expected: str) -> None:
    assert words.cutoff_text(session_day, cutoff, lang) == expected


def test_a_wait_of_zero_and_a_date_read_the_same_on_screen_and_paper() -> None:
    from kiosk.printouts.wording import printed_date

    # The printed ticket says 即将叫号 for a wait of zero; the screen says the same.
    assert [words.wait_text(20, lang) for lang in ("zh_Hans", "zh_Hant", "en")] == ["即将叫号", "即將叫號",
                                                                                      "very soon"]
    thursday = date(2026, 12, 10)
    assert words.day_text(thursday, "en") == "Thu 10 Dec"
    assert printed_date(thursday, "en") == "Thu 10 Dec 2026"
    assert words.day_text(thursday, "zh_Hans") == "12月10日 周四"
    assert printed_date(thursday, "zh_Hans") == "2026年12月10日 周四"


def test_wait_and_reason_words() -> None:
    assert words.wait_text(540, "en") == "About 9 min"
    assert words.wait_text(3900, "en") == "About 1 h 5 min"
    cutoff = datetime(2026, 11, 25, 12, tzinfo=CST)
    assert words.slot_reason_text("cutoff_passed", cutoff, "en") == "Booking for this time closed at 12:00"
    assert words.error_text("no_such_code", "en").startswith("Sorry")


def _records(n: int) -> RecordsResult:
    return RecordsResult.model_validate(
        {"kind": "social_insurance_payments", "columns": [{"key": "month", "label": "Month"}],
         "rows": [{"month": f"m{i}"} for i in range(n)]}
    )


def test_pages_cut_rows_and_an_empty_result_is_one_page() -> None:
    result = pages(_records(17), page_size=8)
    assert [len(p.rows) for p in result] == [8, 8, 1]
    assert result[2].number == 3 and result[2].count == 3 and result[2].rows[0]["month"] == "m16"
    assert len(pages(_records(0))) == 1
    with pytest.raises(ValueError):
        pages(_records(3), page_size=0)


def _catalogue() -> Catalogue:
    def svc(code: str, name: str, initials: str) -> dict[str, object]:
        return {"code": code, "name": name, "pinyin_initials": initials,
                "department": {"code": code.split("-")[0], "name": "部门"}}
    return Catalogue.model_validate({"services": [
        svc("GA-001", "居民身份证换领", "JMSFZHL"),
        svc("SB-001", "社会保险参保缴费记录查询", "SHBXCBJFJLCX"),
        svc("SB-002", "社保卡补办", "SBKBB"),
    ]})


def test_search_by_initials_puts_prefix_hits_first() -> None:
    found = [s.code for s in search(_catalogue(), "sb")]
    assert found == ["SB-002", "SB-001"]  # SBKBB starts with SB; SB-001 only matches its code
    assert [s.code for s in search(_catalogue(), "jm")] == ["GA-001"]
    assert search(_catalogue(), "zzz") == []
    assert len(search(_catalogue(), " ")) == 3


def test_search_ranks_exact_initials_and_prefixes_before_letters_inside() -> None:
    def svc(code: str, name: str, initials: str) -> dict[str, object]:
        return {"code": code, "name": name, "pinyin_initials": initials,
                "department": {"code": code.split("-")[0], "name": "部门"}}
    catalogue = Catalogue.model_validate({"services": [
        svc("GA-002", "居民身份证挂失补领", "JMSFZGSBL"),
        svc("YB-001", "医保报销", "YBBX"),
        svc("SB-009", "社保卡申领", "SBKSL"),
        svc("SB-001", "社会保险参保缴费记录查询", "SHBXCBJFJLCX"),
        svc("SB-100", "社保", "SB"),
    ]})
    # "SB", the hint's own example for 社保: 居民身份证挂失补领 only has the letters inside.
    assert [s.code for s in search(catalogue, "SB")] == ["SB-100", "SB-009", "SB-001", "GA-002"]
    assert [s.code for s in search(catalogue, "BX")] == ["YB-001", "SB-001"]


def test_take_away_text_fits_a_qr() -> None:
    materials = [{"name": f"材料{i}" * 10, "copies": "原件1份"} for i in range(60)]
    service = Service.model_validate({
        "code": "X-1", "name": "长指南", "department": {"code": "X", "name": "x"},
        "guide": {"materials": materials, "steps": [], "time_limit": "即办", "fee": "不收费",
                  "where": "一楼"},
    })
    text = take_away_text(service, "zh_Hans")
    assert text.startswith("长指南\n") and len(text.encode()) <= QR_TEXT_LIMIT_BYTES
    assert text.endswith("详情请咨询服务台。")


PASSPORT_MATERIALS = [
    {"name": "居民身份证", "copies": "原件1份", "note": ""},
    {"name": "原护照", "copies": "原件1份", "note": "换发、补发时提供"},
    {"name": "监护人身份证明及监护关系证明", "copies": "各1份", "note": "未满十六周岁的申请人提供"},
]


def test_take_away_text_keeps_when_each_material_is_needed() -> None:
    service = Service.model_validate({
        "code": "CR-001", "name": "普通护照签发", "department": {"code": "EXIT", "name": "出入境"},
        "guide": {"materials": PASSPORT_MATERIALS, "steps": [], "time_limit": "7个工作日", "fee": "",
                  "where": ""},
    })
    lines = take_away_text(service, "zh_Hans").splitlines()
    assert lines[2:5] == [
        "1. 居民身份证 [原件1份]",
        "2. 原护照（换发、补发时提供） [原件1份]",
        "3. 监护人身份证明及监护关系证明（未满十六周岁的申请人提供） [各1份]",
    ]
    english = Service.model_validate({**service.model_dump(), "guide": {
        **service.guide.model_dump(), "materials": [{"name": "Old passport", "note": "when renewing"}]}})
    assert "1. Old passport (when renewing)" in take_away_text(english, "en").splitlines()


def test_action_keys_reuse_until_done() -> None:
    keys = ActionKeys()
    first = keys.key_for(("ticket", "SB-001", None))
    assert keys.key_for(("ticket", "SB-001", None)) == first
    assert keys.key_for(("ticket", "SB-002", None)) != first
    keys.done(("ticket", "SB-001", None))
    assert keys.key_for(("ticket", "SB-001", None)) != first


async def test_retry_until_reachable_repeats_only_unreachable() -> None:
    calls: list[int] = []
    seen: list[int] = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise HallUnreachable("down")
        return "ok"

    assert await retry_until_reachable(flaky, interval_s=0, on_unreachable=seen.append) == "ok"
    assert seen == [1, 2]

    async def refused() -> str:
        raise HallError("slot_full")

    with pytest.raises(HallError) as info:
        await retry_until_reachable(refused, interval_s=0)
    assert info.value.code == "slot_full"

    async def down() -> str:
        raise HallUnreachable("down")

    with pytest.raises(HallUnreachable):
        await retry_until_reachable(down, interval_s=0, max_attempts=2)


class _Printer:
    def __init__(self, fail_at: int | None) -> None:
        self.jobs: list[bytes] = []
        self.fail_at = fail_at

    async def print_job(self, data: bytes) -> None:
        if self.fail_at is not None and len(self.jobs) == self.fail_at:
            raise PaperOut("paper end")
        self.jobs.append(data)


async def test_print_jobs_reports_the_printer_code_and_how_far_it_got() -> None:
    ok = await print_jobs(_Printer(None), [b"a", b"b"])
    assert ok.printed and ok.jobs_printed == 2
    printer = _Printer(fail_at=1)
    failed = await print_jobs(printer, [b"a", b"b", b"c"])
    summary = (failed.printed, failed.reason, failed.jobs_printed, failed.partial)
    assert summary == (False, "paper_out", 1, True)
    assert printer.jobs == [b"a"]
    missing = await print_jobs(None, [b"a"])
    assert missing.reason == "printer_missing"


async def test_keyed_keeps_the_key_only_while_the_hall_has_not_answered() -> None:
    keys = ActionKeys()
    sent: list[str] = []

    async def down(key: str) -> str:
        sent.append(key)
        raise HallUnreachable("down")

    async def refused(key: str) -> str:
        sent.append(key)
        raise HallError("too_early")

    async def answered(key: str) -> str:
        sent.append(key)
        return "ticket"

    action = ("check_in_qr", "GOVBK1:b:1")
    with pytest.raises(HallUnreachable):
        await keyed(keys, action, down)
    with pytest.raises(HallError):
        await keyed(keys, action, refused)
    assert sent[0] == sent[1], "the try after an unanswered one is the same request"
    assert keys.pending() == []
    assert await keyed(keys, action, answered) == "ticket"
    assert sent[2] != sent[1], "a try after a refusal is a new request"
    assert keys.pending() == []
