"""A deterministic demo records adapter: plausible rows from the ID number (same number, same rows)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping
from datetime import date, timedelta

from hall_server.records.adapter import KINDS, Column, RecordQuery, RecordTable

Texts = Mapping[str, str]


def _t(zh_hans: str, zh_hant: str, en: str) -> Texts:
    return {"zh-Hans": zh_hans, "zh-Hant": zh_hant, "en": en}


TITLES: Mapping[str, Texts] = {
    "social_insurance_payments": _t("社会保险缴费记录", "社會保險繳費記錄", "Social insurance payments"),
    "medical_insurance_certificate": _t(
        "医疗保险参保凭证", "醫療保險參保憑證", "Medical insurance certificate"
    ),
    "entry_exit_records": _t("出入境记录", "出入境記錄", "Entry and exit records"),
    "real_estate_records": _t("不动产登记信息", "不動產登記信息", "Real estate records"),
    "application_progress": _t("办件进度", "辦件進度", "Application progress"),
}

LABELS: Mapping[str, Texts] = {
    "month": _t("缴费月份", "繳費月份", "Month"),
    "insurance": _t("险种", "險種", "Insurance"),
    "base": _t("缴费基数", "繳費基數", "Contribution base"),
    "employer_amount": _t("单位缴纳", "單位繳納", "Employer part"),
    "personal_amount": _t("个人缴纳", "個人繳納", "Personal part"),
    "status": _t("状态", "狀態", "Status"),
    "employer": _t("参保单位", "參保單位", "Employer"),
    "item": _t("项目", "項目", "Item"),
    "value": _t("内容", "內容", "Value"),
    "date": _t("日期", "日期", "Date"),
    "direction": _t("出入境", "出入境", "Direction"),
    "port": _t("口岸", "口岸", "Port"),
    "destination": _t("前往/来自", "前往/來自", "To / from"),
    "document": _t("证件", "證件", "Document"),
    "certificate": _t("不动产权证号", "不動產權證號", "Certificate"),
    "location": _t("坐落", "坐落", "Location"),
    "area": _t("建筑面积(㎡)", "建築面積(㎡)", "Floor area (m²)"),
    "use": _t("用途", "用途", "Use"),
    "registered": _t("登记日期", "登記日期", "Registered"),
    "application": _t("办件编号", "辦件編號", "Application"),
    "service": _t("事项名称", "事項名稱", "Service"),
    "submitted": _t("申请日期", "申請日期", "Submitted"),
    "expected": _t("承诺办结", "承諾辦結", "Due"),
}

WORDS: Mapping[str, Texts] = {
    "pension": _t("基本养老保险", "基本養老保險", "Basic pension"),
    "paid": _t("已缴", "已繳", "Paid"),
    "arrears": _t("欠缴", "欠繳", "In arrears"),
    "exit": _t("出境", "出境", "Exit"),
    "entry": _t("入境", "入境", "Entry"),
    "passport": _t("普通护照", "普通護照", "Passport"),
    "hk_macau_permit": _t("往来港澳通行证", "往來港澳通行證", "HK/Macau permit"),
    "residential": _t("住宅", "住宅", "Residential"),
    "received": _t("已受理", "已受理", "Received"),
    "reviewing": _t("审核中", "審核中", "Under review"),
    "done": _t("已办结", "已辦結", "Completed"),
    "insured_type": _t("参保类型", "參保類型", "Scheme"),
    "employee_medical": _t("职工基本医疗保险", "職工基本醫療保險", "Employee basic medical insurance"),
    "insured_since": _t("参保日期", "參保日期", "Insured since"),
    "insured_status": _t("参保状态", "參保狀態", "Status"),
    "active": _t("正常参保", "正常參保", "Active"),
    "account_balance": _t("个人账户余额(元)", "個人賬戶餘額(元)", "Personal account (CNY)"),
    "insured_region": _t("参保地", "參保地", "Region"),
}

EMPLOYERS = ("示范区城市建设有限公司", "示范区第一人民医院", "示范区实验中学", "示范区智能制造有限公司")
PORTS = (("罗湖口岸", "香港"), ("白云机场口岸", "新加坡"), ("拱北口岸", "澳门"), ("浦东机场口岸", "日本"))
ROADS = ("行政大道", "花城路", "迎宾路", "新华街")
SERVICES = ("个人社保参保登记", "居住证办理", "不动产转移登记", "个体工商户设立登记", "出入境证件办理")


def _rng(query: RecordQuery) -> random.Random:
    seed = hashlib.sha256(f"{query.kind}:{query.id_number.upper()}".encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def _in_range(day: date, query: RecordQuery) -> bool:
    return (query.start is None or day >= query.start) and (query.end is None or day <= query.end)


def _month_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


class DemoRecordsAdapter:
    """Every kind, generated; rows never depend on the clock except through ``query.today``."""

    def kinds(self) -> tuple[str, ...]:
        return KINDS

    def query(self, query: RecordQuery) -> RecordTable:
        builders: dict[
            str, Callable[[RecordQuery, random.Random], tuple[list[str], list[dict[str, str]]]]
        ] = {
            "social_insurance_payments": self._social_insurance,
            "medical_insurance_certificate": self._medical_certificate,
            "entry_exit_records": self._entry_exit,
            "real_estate_records": self._real_estate,
            "application_progress": self._applications,
        }
        keys, rows = builders[query.kind](query, _rng(query))
        lang = query.lang
        return RecordTable(
            title=TITLES[query.kind][lang],
            columns=[Column(key, LABELS[key][lang]) for key in keys],
            rows=rows,
        )

    @staticmethod
    def _word(key: str, lang: str) -> str:
        return WORDS[key][lang]

    def _social_insurance(self, q: RecordQuery, rng: random.Random) -> tuple[list[str], list[dict[str, str]]]:
        months = rng.randint(24, 40)
        base = rng.choice((4588, 5284, 6120, 7350, 9800))
        employer = rng.choice(EMPLOYERS)
        rows = []
        last_month = _month_back(q.today, 1)
        for back in range(months):
            month = _month_back(last_month, back)
            if not _in_range(month, q):
                continue
            if back % 12 == 0 and back:
                base = max(3000, base - rng.choice((0, 120, 260)))
            paid = rng.random() > 0.03
            rows.append(
                {
                    "month": f"{month:%Y-%m}",
                    "insurance": self._word("pension", q.lang),
                    "base": f"{base:.2f}",
                    "employer_amount": f"{base * 0.16:.2f}",
                    "personal_amount": f"{base * 0.08:.2f}",
                    "status": self._word("paid" if paid else "arrears", q.lang),
                    "employer": employer,
                }
            )
        return [
            "month",
            "insurance",
            "base",
            "employer_amount",
            "personal_amount",
            "status",
            "employer",
        ], rows

    def _medical_certificate(
        self, q: RecordQuery, rng: random.Random
    ) -> tuple[list[str], list[dict[str, str]]]:
        since = date(rng.randint(2008, 2022), rng.randint(1, 12), 1)
        items = [
            ("insured_type", self._word("employee_medical", q.lang)),
            ("insured_since", since.isoformat()),
            ("insured_status", self._word("active", q.lang)),
            ("account_balance", f"{rng.randint(300, 30000) + rng.randint(0, 99) / 100:.2f}"),
            ("insured_region", "示范区"),
        ]
        return ["item", "value"], [{"item": self._word(k, q.lang), "value": v} for k, v in items]

    def _entry_exit(self, q: RecordQuery, rng: random.Random) -> tuple[list[str], list[dict[str, str]]]:
        rows = []
        day = q.today - timedelta(days=rng.randint(20, 90))
        for _ in range(rng.randint(2, 8)):
            port, place = rng.choice(PORTS)
            document = self._word(rng.choice(("passport", "hk_macau_permit")), q.lang)
            back = day + timedelta(days=rng.randint(2, 14))
            for when, direction in ((back, "entry"), (day, "exit")):
                if _in_range(when, q) and when <= q.today:
                    rows.append(
                        {
                            "date": when.isoformat(),
                            "direction": self._word(direction, q.lang),
                            "port": port,
                            "destination": place,
                            "document": document,
                        }
                    )
            day -= timedelta(days=rng.randint(60, 400))
        return ["date", "direction", "port", "destination", "document"], rows

    def _real_estate(self, q: RecordQuery, rng: random.Random) -> tuple[list[str], list[dict[str, str]]]:
        rows = []
        for _ in range(rng.randint(0, 2)):
            registered = date(rng.randint(2005, 2024), rng.randint(1, 12), rng.randint(1, 28))
            if not _in_range(registered, q):
                continue
            rows.append(
                {
                    "certificate": f"示范区不动产权第{registered.year}{rng.randint(0, 999999):06d}号",
                    "location": f"示范区{rng.choice(ROADS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}栋"
                    f"{rng.randint(1, 32):02d}{rng.randint(1, 6):02d}室",
                    "area": f"{rng.randint(45, 160)}.{rng.randint(0, 99):02d}",
                    "use": self._word("residential", q.lang),
                    "registered": registered.isoformat(),
                }
            )
        return ["certificate", "location", "area", "use", "registered"], rows

    def _applications(self, q: RecordQuery, rng: random.Random) -> tuple[list[str], list[dict[str, str]]]:
        rows = []
        for _ in range(rng.randint(1, 5)):
            submitted = q.today - timedelta(days=rng.randint(0, 120))
            if not _in_range(submitted, q):
                continue
            expected = submitted + timedelta(days=rng.choice((1, 5, 10, 20)))
            state = "done" if expected < q.today else rng.choice(("received", "reviewing"))
            rows.append(
                {
                    "application": f"SL{submitted:%Y%m%d}{rng.randint(0, 99999):05d}",
                    "service": rng.choice(SERVICES),
                    "submitted": submitted.isoformat(),
                    "status": self._word(state, q.lang),
                    "expected": expected.isoformat(),
                }
            )
        rows.sort(key=lambda r: r["submitted"], reverse=True)
        return ["application", "service", "submitted", "status", "expected"], rows
