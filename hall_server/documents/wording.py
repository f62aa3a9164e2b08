"""The words of a certificate and of its verification page, in the hall's three languages."""

from __future__ import annotations

from collections.abc import Mapping

Texts = Mapping[str, str]
LANGS = ("zh-Hans", "zh-Hant", "en")


def _t(zh_hans: str, zh_hant: str, en: str) -> Texts:
    return {"zh-Hans": zh_hans, "zh-Hant": zh_hant, "en": en}


TITLES: Mapping[str, Texts] = {
    "social_insurance_payments": _t("社会保险缴费证明", "社會保險繳費證明",
                                    "Certificate of Social Insurance Payments"),
    "medical_insurance_certificate": _t("医疗保险参保凭证", "醫療保險參保憑證",
                                        "Medical Insurance Enrolment Certificate"),
    "entry_exit_records": _t("出入境记录", "出入境記錄", "Record of Entries and Exits"),
    "real_estate_records": _t("不动产登记信息查询结果", "不動產登記資訊查詢結果",
                              "Real Estate Registration Search Result"),
    "application_progress": _t("办件进度", "辦件進度", "Application Progress"),
}

WORDS: Mapping[str, Texts] = {
    "name": _t("姓名", "姓名", "Name"),
    "id_number": _t("公民身份号码", "公民身份號碼", "ID number"),
    "period": _t("查询期间", "查詢期間", "Period"),
    "all_records": _t("全部记录", "全部記錄", "All records"),
    "issued_at": _t("出具时间", "出具時間", "Issued"),
    "code": _t("验证码", "驗證碼", "Verification code"),
    "rows": _t("共 {n} 条记录", "共 {n} 條記錄", "{n} records"),
    "no_rows": _t("查询期间内无记录", "查詢期間內無記錄", "No records in this period"),
    "page": _t("第 {n} 页 共 {m} 页", "第 {n} 頁 共 {m} 頁", "Page {n} of {m}"),
    "issuer": _t("出具单位", "出具單位", "Issued by"),
    "statement": _t(
        "本证明根据业务系统记录出具，加盖电子印章并经数字签名，任何改动都会使签名失效。"
        "扫描二维码或访问下方地址可核验真伪。",
        "本證明根據業務系統記錄出具，加蓋電子印章並經數位簽章，任何改動都會使簽章失效。"
        "掃描二維碼或造訪下方網址可核驗真偽。",
        "Issued from the records of the department's system, sealed and digitally signed: any change "
        "to this file breaks the signature. Scan the QR code or open the address below to verify it.",
    ),
    "seal_caption": _t("电子证明专用章", "电子证明专用章", "电子证明专用章"),
    # The verification page for a phone.
    "verify_title": _t("证明核验", "證明核驗", "Certificate check"),
    "valid": _t("有效：本证明由本中心出具", "有效：本證明由本中心出具", "Valid: this centre issued it"),
    "invalid": _t("无效：查无此验证码", "無效：查無此驗證碼", "Not valid: no certificate has this code"),
    "malformed": _t("验证码格式不正确", "驗證碼格式不正確", "This is not a verification code"),
    "too_many": _t("查询过于频繁，请稍后再试", "查詢過於頻繁，請稍後再試",
                   "Too many checks; please try again shortly"),
    "kind": _t("证明类型", "證明類型", "Kind"),
    "holder": _t("持有人", "持有人", "Holder"),
    "sha256": _t("文件 SHA-256", "檔案 SHA-256", "File SHA-256"),
    "compare": _t("请核对所持 PDF 文件的 SHA-256 与上面一致。", "請核對所持 PDF 檔案的 SHA-256 與上面一致。",
                  "Check that the SHA-256 of the PDF you hold is the one above."),
}


def word(key: str, lang: str, **values: object) -> str:
    text = WORDS[key][lang]
    return text.format(**values) if values else text


def title(kind: str, lang: str) -> str:
    return TITLES[kind][lang]


def every_text() -> str:
    """Every fixed character a certificate may print: the fonts' first piece holds them all."""
    parts = [text for texts in (*TITLES.values(), *WORDS.values()) for text in texts.values()]
    return "".join(parts) + "0123456789-:+年月日"
