"""The fixed words printed on tickets and slips, in the kiosk's three languages.

Drivers cannot reach the kiosk's gettext catalogues (they sit below it), so the handful of
printed labels live here; everything variable (service names, notes) arrives already translated.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

Lang = Literal["zh_Hans", "zh_Hant", "en"]
LANGS: tuple[Lang, ...] = ("zh_Hans", "zh_Hant", "en")

_LABELS: dict[str, dict[Lang, str]] = {
    "ticket_title": {"zh_Hans": "排队号", "zh_Hant": "排隊號", "en": "Your number"},
    "people_ahead": {"zh_Hans": "前面等候", "zh_Hant": "前面等候", "en": "People ahead"},
    "people_unit": {"zh_Hans": "{n} 人", "zh_Hant": "{n} 人", "en": "{n}"},
    "estimated_wait": {"zh_Hans": "预计等候", "zh_Hant": "預計等候", "en": "Estimated wait"},
    "minutes": {"zh_Hans": "约 {n} 分钟", "zh_Hant": "約 {n} 分鐘", "en": "about {n} min"},
    "wait_soon": {"zh_Hans": "即将叫号", "zh_Hant": "即將叫號", "en": "very soon"},
    "wait_unknown": {"zh_Hans": "以叫号为准", "zh_Hant": "以叫號為準", "en": "see the display"},
    "issued_at": {"zh_Hans": "取号时间", "zh_Hant": "取號時間", "en": "Issued"},
    "scan_to_track": {
        "zh_Hans": "扫码随时查看排队进度",
        "zh_Hant": "掃碼隨時查看排隊進度",
        "en": "Scan to follow the queue",
    },
    "slip_title": {"zh_Hans": "预约凭证", "zh_Hant": "預約憑證", "en": "Booking"},
    "service": {"zh_Hans": "办理事项", "zh_Hant": "辦理事項", "en": "Service"},
    "date": {"zh_Hans": "日期", "zh_Hant": "日期", "en": "Date"},
    "session": {"zh_Hans": "场次", "zh_Hant": "場次", "en": "Session"},
    "time": {"zh_Hans": "时段", "zh_Hant": "時段", "en": "Time"},
    "where": {"zh_Hans": "地点", "zh_Hant": "地點", "en": "Where"},
    "check_in_code": {"zh_Hans": "签到码", "zh_Hant": "簽到碼", "en": "Check-in code"},
    "check_in_hint": {
        "zh_Hans": "到厅后在自助机扫码或输入签到码取号",
        "zh_Hant": "到廳後在自助機掃碼或輸入簽到碼取號",
        "en": "At the hall, scan this or type the code at a kiosk to get your number",
    },
    "bring": {"zh_Hans": "请携带", "zh_Hant": "請攜帶", "en": "Please bring"},
    "name": {"zh_Hans": "姓名", "zh_Hant": "姓名", "en": "Name"},
    "id_number": {"zh_Hans": "证件号码", "zh_Hant": "證件號碼", "en": "ID number"},
    "printed_at": {"zh_Hans": "打印时间", "zh_Hant": "列印時間", "en": "Printed"},
    "sheet": {"zh_Hans": "第{i}/{n}张", "zh_Hant": "第{i}/{n}張", "en": "Sheet {i}/{n}"},
    "continued": {"zh_Hans": "（续下张）", "zh_Hant": "（續下張）", "en": "(continued)"},
    "end_of_list": {"zh_Hans": "（以下空白）", "zh_Hant": "（以下空白）", "en": "(end of list)"},
    "no_records": {"zh_Hans": "无记录", "zh_Hant": "無記錄", "en": "No records"},
}

_WEEKDAYS: dict[Lang, tuple[str, ...]] = {
    "zh_Hans": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "zh_Hant": ("週一", "週二", "週三", "週四", "週五", "週六", "週日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    return lang


def label(key: str, lang: Lang, **values: object) -> str:
    return _LABELS[key][lang].format(**values)


def format_date(day: date, lang: Lang) -> str:
    """``2026年11月25日 周三`` or ``Wed 25 Nov 2026``."""
    weekday = _WEEKDAYS[lang][day.weekday()]
    if lang == "en":
        return f"{weekday} {day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日 {weekday}"


def format_time(moment: datetime) -> str:
    """``2026-11-23 14:05``, the same in every language (numbers read the same)."""
    return moment.strftime("%Y-%m-%d %H:%M")
