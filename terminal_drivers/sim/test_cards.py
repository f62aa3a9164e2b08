"""Named test cards the simulated ID reader holds: all four card types, valid check digits.

Every person here is invented. The 18-digit numbers carry correct GB 11643 check digits and a
sequence digit that matches the sex; resident cards follow the validity rules by age (16-25: 10
years, 26-45: 20 years, 46 and over: 长期). The photo is a placeholder of the WLT size: the real
format needs a licensed decoder, so nothing downstream may try to decode it. Only ``zhang_wei``
carries (placeholder) fingerprints, as cards issued before 2013 carry none.
"""

from __future__ import annotations

from datetime import date

from terminal_drivers.id_card.models import IdCard

PHOTO_SIZE = 1024


def placeholder_photo(seed: str) -> bytes:
    """1024 deterministic bytes standing in for a WLT photo ("WL" header, then a pattern)."""
    pattern = seed.encode("utf-8") or b"\x00"
    body = (pattern * (PHOTO_SIZE // len(pattern) + 1))[: PHOTO_SIZE - 2]
    return b"WL" + body


def placeholder_fingerprint(seed: str) -> bytes:
    """1024 deterministic bytes standing in for two 512-byte fingerprint templates."""
    return bytes((i * 31 + sum(seed.encode("utf-8"))) % 256 for i in range(1024))


def _resident(
    name: str, sex: str, nation_code: str, nation: str, birth: date, address: str, id_number: str,
    authority: str, valid_from: date, valid_to: date | None, *, fingerprint: bool = False,
) -> IdCard:
    return IdCard(
        "resident", name, sex, birth, id_number, valid_from, valid_to, placeholder_photo(id_number),
        nation=nation, nation_code=nation_code, address=address, authority=authority,
        fingerprint=placeholder_fingerprint(id_number) if fingerprint else b"",
    )


CARDS: dict[str, IdCard] = {
    "zhang_wei": _resident(
        "张伟", "男", "01", "汉", date(1985, 3, 12), "广东省广州市越秀区东风中路五〇八号",
        "440106198503121237", "广州市公安局天河分局", date(2015, 6, 1), date(2035, 6, 1),
        fingerprint=True,
    ),
    "liu_zhe": _resident(
        "刘喆", "女", "01", "汉", date(1990, 7, 7), "北京市朝阳区建国路八十八号院三号楼",
        "110105199007074568", "北京市公安局朝阳分局", date(2016, 9, 20), date(2036, 9, 20),
    ),
    "chen_kun": _resident(
        "陈堃", "女", "01", "汉", date(1978, 2, 15), "上海市徐汇区漕溪北路一百号",
        "310104197802150023", "上海市公安局徐汇分局", date(2012, 4, 10), date(2032, 4, 10),
    ),
    "luo_rong": _resident(
        "罗镕", "男", "01", "汉", date(1965, 9, 30), "湖南省长沙市芙蓉区五一大道三十六号",
        "43010219650930031X", "长沙市公安局芙蓉分局", date(2013, 1, 5), None,
    ),
    "gulnar": _resident(
        "古丽娜尔·艾买提", "女", "05", "维吾尔", date(1988, 11, 20), "新疆乌鲁木齐市天山区解放南路十二号",
        "650102198811200547", "乌鲁木齐市公安局天山区分局", date(2014, 8, 8), date(2034, 8, 8),
    ),
    "qiqige": _resident(
        "其其格", "女", "02", "蒙古", date(1972, 1, 1), "内蒙古自治区呼和浩特市新城区新华大街六十三号",
        "150102197201010620", "呼和浩特市公安局新城区分局", date(2019, 3, 1), None,
    ),
    "long_address": _resident(
        "黄晓燕", "女", "01", "汉", date(1992, 11, 11),
        "广东省深圳市南山区粤海街道科技园社区科苑路一百二十八号阳光花园三栋二座",
        "440305199211110885", "深圳市公安局南山分局", date(2018, 5, 20), date(2038, 5, 20),
    ),
    "zhao_long_term": _resident(
        "赵建国", "男", "01", "汉", date(1955, 5, 5), "北京市西城区西长安街七号",
        "110108195505050076", "北京市公安局西城分局", date(2006, 3, 3), None,
    ),
    "expired": _resident(
        "周小雨", "女", "01", "汉", date(2000, 2, 29), "广东省广州市越秀区北京路二十号",
        "440106200002290462", "广州市公安局越秀分局", date(2016, 3, 1), date(2021, 3, 1),
    ),
    "hk_resident": IdCard(
        "hmt_residence", "陈家豪", "男", date(1995, 6, 6), "810000199506060134", date(2019, 10, 1),
        date(2024, 10, 1), placeholder_photo("810000199506060134"),
        address="广东省深圳市福田区福华路三号", authority="深圳市公安局福田分局",
        pass_number="H60123456", issue_count=1,
    ),
    "tw_resident": IdCard(
        "hmt_residence", "林志明", "男", date(1987, 4, 4), "830000198704040256", date(2023, 2, 1),
        date(2028, 2, 1), placeholder_photo("830000198704040256"),
        address="福建省厦门市思明区湖滨南路九十号", authority="厦门市公安局思明分局",
        pass_number="01234567", issue_count=2,
    ),
    "foreigner_2017": IdCard(
        "foreign_permanent_2017", "约翰逊", "男", date(1978, 9, 20), "USA110780920126",
        date(2017, 6, 1), date(2027, 6, 1), placeholder_photo("USA110780920126"),
        chinese_name="约翰逊", english_name="JOHNSON, MICHAEL DAVID", nationality="USA",
        card_version="01", authority_code="1100",
    ),
    "foreigner_2023": IdCard(
        "foreign_permanent_2023", "史密斯", "女", date(1985, 3, 12), "931124198503120023",
        date(2023, 12, 1), date(2033, 12, 1), placeholder_photo("931124198503120023"),
        chinese_name="史密斯", english_name="SMITH, JANE ELIZABETH", nationality="CAN",
        authority="国家移民管理局", renewal_count=0,
    ),
    # 41 characters: the English name spills into the card's second English-name field; no
    # Chinese name, so ``name`` falls back to the English one.
    "foreigner_2023_long_name": IdCard(
        "foreign_permanent_2023", "VANDERBILT-MONTGOMERY, ALEXANDER JONATHAN", "男", date(1999, 1, 2),
        "931840199901020119", date(2024, 3, 15), date(2034, 3, 15), placeholder_photo("931840199901020119"),
        english_name="VANDERBILT-MONTGOMERY, ALEXANDER JONATHAN", nationality="USA",
        authority="国家移民管理局", renewal_count=1, previous_number_link="126",
    ),
}

DEFAULT_CARD = "zhang_wei"


def card(name: str) -> IdCard:
    """The test card called ``name``; KeyError names the known ones."""
    try:
        return CARDS[name]
    except KeyError:
        raise KeyError(f"no test card {name!r}; known: {', '.join(sorted(CARDS))}") from None
