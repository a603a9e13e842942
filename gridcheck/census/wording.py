"""How a census discrepancy is worded, in Chinese, once: the summary stored on each ``Discrepancy``
(like an audit finding's summary, it is data written when it is found, not a label translated later)."""

from gridcheck.census.choices import DiscrepancyKind, FavourSupply, IrregularCharge

CATEGORY_NAMES = {
    "residential": "居民",
    "commercial": "商业",
    "industrial": "工业",
    "agricultural": "农业",
    "other": "其他",
}
FAVOUR_NAMES = {
    FavourSupply.FAVOUR: "人情电",
    FavourSupply.RELATIONSHIP: "关系电",
    FavourSupply.PRIVILEGE: "权力电",
}
CHARGE_NAMES = {
    IrregularCharge.FEES: "乱收费",
    IrregularCharge.MARKUP: "乱加价",
    IrregularCharge.LEVY: "乱摊派",
}

TEMPLATES = {
    DiscrepancyKind.METER_NUMBER: "现场表号{seen}与档案表号{expected}不符",
    DiscrepancyKind.READING: "现场示数{seen}低于上次抄见示数{expected}",
    DiscrepancyKind.ENERGY: "现场示数推算日均电量{seen}与上期账单日均电量{expected}差异过大",
    DiscrepancyKind.CATEGORY: "现场用电类别为{seen}，档案为{expected}",
    DiscrepancyKind.TARIFF: "现场用电性质{seen}，执行电价{expected}不相符",
    DiscrepancyKind.CAPACITY: "现场容量{seen}与档案合同容量{expected}不符",
    DiscrepancyKind.SEAL_MISSING: "表计封印缺失（档案封印{expected}）",
    DiscrepancyKind.SEAL_NUMBER: "现场封印号{seen}与档案封印号{expected}不符",
    DiscrepancyKind.UNMETERED_LOAD: "现场发现无表用电负荷{seen}",
    DiscrepancyKind.FAVOUR_SUPPLY: "现场发现{seen}",
    DiscrepancyKind.IRREGULAR_CHARGE: "客户反映{seen}",
}


def category_name(value: str) -> str:
    return CATEGORY_NAMES.get(value, value or "—")


def kwh(value) -> str:
    return f"{value:,.2f} kWh" if value is not None else "—"


def summary(*, kind: str, expected: str, seen: str) -> str:
    """The one-line Chinese summary of a discrepancy of ``kind``."""
    return TEMPLATES[kind].format(expected=expected or "无", seen=seen or "无")[:300]


def case_facts(*, discrepancy, members: list[str], photos: list[str], record_url: str) -> str:
    """The facts of a case opened from a census discrepancy, with its two-person evidence."""
    record = discrepancy.record
    lines = [
        f"营业普查（{record.campaign.period}）于{record.visited_at:%Y-%m-%d %H:%M}现场发现：{discrepancy.summary}。",
        f"取证人员：{'、'.join(members)}。",
        f"现场照片{len(photos)}张（SHA-256：{'，'.join(p[:16] for p in photos)}）。",
        f"客户签字：{record.customer_signer or '—'}。普查记录：{record_url}",
    ]
    return "\n".join(lines)
