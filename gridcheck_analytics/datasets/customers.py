"""Customers of the demo county, vectorised: category, capacity, voltage, tariff, CT choice, class, names."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridcheck_analytics.datasets.draws import (
    BRANDS,
    COUNTY,
    dates_before_reference,
    mobile_numbers,
    person_names,
)
from gridcheck_analytics.datasets.metering import load_current_a, standard_ct_primary_a
from gridcheck_analytics.datasets.parameters import (
    CATEGORY_SHARES,
    CT_LOAD_MIN_FRACTION,
    CT_MIN_CAPACITY_KVA,
    CT_MISSIZED_SHARE,
    CT_PRIMARIES_A,
    SMALL_SHOP_MAX_KVA,
)

#: Capacity ladders [kVA] and their weights per customer category.
CAPACITY_LADDERS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "residential": ((4, 6, 8, 10), (0.35, 0.35, 0.20, 0.10)),
    "commercial": ((10, 15, 20, 30, 40, 50, 63, 80, 100), (25, 20, 15, 12, 8, 8, 5, 4, 3)),
    "industrial": (
        (50, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000),
        (10, 10, 12, 8, 10, 10, 8, 9, 6, 5, 4, 3, 2, 1.5, 1, 0.5),
    ),
    "agricultural": ((5, 7.5, 10, 15, 20, 30, 40, 50), (15, 15, 20, 15, 12, 10, 7, 6)),
    "other": ((5, 10, 15, 20, 30, 50, 80, 100, 160, 200), (15, 15, 15, 12, 12, 10, 8, 6, 4, 3)),
}


@dataclass(frozen=True)
class BusinessType:
    """A kind of non-residential customer: how it is named and what it implies.

    ``template`` may use ``{town}``, ``{village}`` and ``{brand}``; ``ladder`` restricts the category's
    capacity ladder to the half-open index range ``[lo, hi)``; ``large`` marks the enterprises, hotels,
    malls and supermarkets that are inspection class A whatever their metering.
    """

    category: str
    template: str
    weight: float
    ladder: tuple[int, int] = (0, 99)
    high_risk: bool = False
    important: bool = False
    large: bool = False


BUSINESS_TYPES: tuple[BusinessType, ...] = (
    BusinessType("commercial", "{town}{brand}超市", 12, (3, 9), large=True),
    BusinessType("commercial", "{town}{brand}便利店", 14, (0, 3)),
    BusinessType("commercial", "{town}{brand}饭店", 12, (0, 6)),
    BusinessType("commercial", "{town}{brand}大酒店", 4, (4, 9), large=True),
    BusinessType("commercial", "{town}{brand}宾馆", 4, (3, 8), large=True),
    BusinessType("commercial", "{village}{brand}农家乐", 6, (0, 5)),
    BusinessType("commercial", "{town}{brand}五金店", 8, (0, 3)),
    BusinessType("commercial", "{town}{brand}加油站", 2, (2, 6), high_risk=True),
    BusinessType("commercial", "{town}{brand}大药房", 5, (0, 3)),
    BusinessType("commercial", "{town}{brand}理发店", 6, (0, 2)),
    BusinessType("commercial", "青山县{brand}商贸有限公司", 6, (2, 9), large=True),
    BusinessType("commercial", "{town}{brand}汽修厂", 5, (1, 6)),
    BusinessType("commercial", "{town}{brand}网吧", 3, (1, 5)),
    BusinessType("industrial", "{town}{brand}机械厂", 10),
    BusinessType("industrial", "{town}{brand}砖厂", 8, (2, 10)),
    BusinessType("industrial", "青山县{brand}水泥有限公司", 2, (8, 16)),
    BusinessType("industrial", "{town}{brand}木材加工厂", 8, (0, 8)),
    BusinessType("industrial", "青山县{brand}食品有限公司", 6),
    BusinessType("industrial", "青山县{brand}化工有限公司", 3, (5, 16), high_risk=True),
    BusinessType("industrial", "{town}{brand}石材厂", 6, (0, 10)),
    BusinessType("industrial", "{town}{brand}纺织厂", 4),
    BusinessType("industrial", "青山县{brand}建材有限公司", 6),
    BusinessType("industrial", "青山县{brand}矿业有限公司", 2, (7, 16), high_risk=True),
    BusinessType("industrial", "{town}{brand}铸造厂", 3, (5, 16)),
    BusinessType("industrial", "{town}{brand}塑料制品厂", 5, (0, 10)),
    BusinessType("industrial", "{town}{brand}茶叶加工厂", 6, (0, 8)),
    BusinessType("industrial", "{town}{brand}饲料厂", 4, (0, 10)),
    BusinessType("industrial", "{town}{brand}烟花爆竹厂", 1, (0, 6), high_risk=True),
    BusinessType("industrial", "{town}自来水厂", 1.5, (4, 11), important=True),
    BusinessType("agricultural", "{village}提灌站", 20),
    BusinessType("agricultural", "{town}{brand}养殖场", 20),
    BusinessType("agricultural", "{village}种植专业合作社", 12),
    BusinessType("agricultural", "{town}{brand}养猪场", 12),
    BusinessType("agricultural", "{village}{brand}茶园", 8),
    BusinessType("agricultural", "{village}{brand}渔场", 6),
    BusinessType("agricultural", "{village}{brand}家庭农场", 10),
    BusinessType("other", "{village}村民委员会", 25, (0, 4)),
    BusinessType("other", "{town}{village}路灯", 15, (0, 3)),
    BusinessType("other", "中国移动{village}基站", 15, (0, 3)),
    BusinessType("other", "{town}{village}小学", 12, (2, 7), important=True),
    BusinessType("other", "{town}中学", 5, (5, 10), important=True),
    BusinessType("other", "{town}卫生院", 8, (5, 10), important=True),
    BusinessType("other", "{village}卫生室", 8, (0, 2)),
)


def _pick_capacity(rng: np.random.Generator, category: str, n: int, ladder: tuple[int, int]) -> np.ndarray:
    values, weights = CAPACITY_LADDERS[category]
    lo, hi = ladder
    values = np.asarray(values[lo:hi], dtype=float)
    w = np.asarray(weights[lo:hi], dtype=float)
    return values[rng.choice(len(values), n, p=w / w.sum())]


def simulate_customers(
    areas: pd.DataFrame, n: int, rng: np.random.Generator, rng_names: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers, vectorised; returns the frame and hidden columns (business type, CT choice)."""
    categories = np.asarray(list(CATEGORY_SHARES))
    shares = np.asarray(list(CATEGORY_SHARES.values()))
    category = categories[rng.choice(len(categories), n, p=shares / shares.sum())]

    # Areas: bigger transformers feed more customers.
    cap = areas["capacity_kva"].to_numpy(dtype=float)
    area_idx = np.sort(rng.choice(len(areas), n, p=cap / cap.sum()))
    category = category[rng.permutation(n)]

    capacity = np.zeros(n)
    btype = np.full(n, -1)
    for category_name in categories:
        mask = category == category_name
        if category_name == "residential":
            capacity[mask] = _pick_capacity(rng, category_name, int(mask.sum()), (0, 99))
            continue
        types = [i for i, t in enumerate(BUSINESS_TYPES) if t.category == category_name]
        w = np.asarray([BUSINESS_TYPES[i].weight for i in types])
        chosen = np.asarray(types)[rng.choice(len(types), int(mask.sum()), p=w / w.sum())]
        btype[mask] = chosen
        for i in types:
            sub = np.flatnonzero(mask)[chosen == i]
            capacity[sub] = _pick_capacity(rng, category_name, len(sub), BUSINESS_TYPES[i].ladder)

    # Supply voltage.
    u = rng.random(n)
    voltage = np.full(n, "380V", dtype=object)
    res = category == "residential"
    voltage[res & ~((capacity >= 8) & (u < 0.03))] = "220V"
    voltage[(category == "commercial") & (capacity <= 10) & (u < 0.5)] = "220V"
    voltage[(category == "agricultural") & (capacity <= 7.5) & (u < 0.5)] = "220V"
    voltage[(category == "other") & (capacity <= 10) & (u < 0.5)] = "220V"
    hv = ((category == "industrial") & (capacity >= 200)) | ((category == "other") & (capacity >= 160))
    voltage[hv] = "10kV"
    voltage[(category == "industrial") & (capacity >= 1250) & (u < 0.25)] = "35kV"

    # Tariff by category and voltage.
    tariff = np.full(n, "GEN-1", dtype=object)
    tariff[res] = np.where(rng.random(int(res.sum())) < 0.15, "RES-TOU", "RES-1")
    tariff[(category != "residential") & (voltage == "10kV")] = "GEN-10"
    tariff[(category == "industrial") & (voltage == "10kV") & (capacity >= 315)] = "LI-10"
    tariff[voltage == "35kV"] = "LI-35"
    agr = category == "agricultural"
    tariff[agr] = np.where(voltage[agr] == "10kV", "AGR-10", "AGR-1")

    # Current transformers: most chosen by the 30-100 % rule, a few deliberately mis-sized.
    current = load_current_a(capacity, voltage)
    needs_ct = (capacity >= CT_MIN_CAPACITY_KVA) | np.isin(voltage, ["10kV", "35kV"])
    ct = np.full(n, np.nan)
    ct_idx = np.flatnonzero(needs_ct)
    fitting = standard_ct_primary_a(current[ct_idx])
    series = np.asarray(CT_PRIMARIES_A, dtype=float)
    one_up = series[np.minimum(np.searchsorted(series, fitting) + 1, len(series) - 1)]
    use_up = (rng.random(len(ct_idx)) < 0.2) & (current[ct_idx] >= CT_LOAD_MIN_FRACTION * one_up)
    chosen = np.where(use_up, one_up, fitting)
    roll = rng.random(len(ct_idx))
    over = roll < CT_MISSIZED_SHARE / 2  # CT far too big: load below 20 % of its rating
    under = (roll >= CT_MISSIZED_SHARE / 2) & (roll < CT_MISSIZED_SHARE)  # too small: load above 120 %
    chosen = np.where(over, standard_ct_primary_a(current[ct_idx] * 6.0), chosen)
    small_idx = np.maximum(np.searchsorted(series, current[ct_idx] / 1.4, side="right") - 1, 0)
    chosen = np.where(under, series[small_idx], chosen)
    ct[ct_idx] = chosen

    # Inspection class (workflows: A = enterprises, hotels, malls, supermarkets and every three-phase
    # CT-metered customer; C = residents and small shops; B = everyone else).
    large = np.zeros(n, dtype=bool)
    high_risk = np.zeros(n, dtype=bool)
    important = np.zeros(n, dtype=bool)
    for i, t in enumerate(BUSINESS_TYPES):
        sel = btype == i
        large[sel], high_risk[sel], important[sel] = t.large, t.high_risk, t.important
    klass = np.full(n, "B", dtype=object)
    small_shop = (category == "commercial") & (capacity <= SMALL_SHOP_MAX_KVA) & ~large
    klass[res | small_shop] = "C"
    klass[needs_ct | (category == "industrial") | large] = "A"

    # Names and addresses.
    town = areas["town"].to_numpy(dtype=object)[area_idx]
    village = areas["village"].to_numpy(dtype=object)[area_idx]
    names = np.empty(n, dtype=object)
    names[res] = person_names(rng_names, int(res.sum()))
    brands = np.asarray(BRANDS, dtype=object)[rng_names.integers(0, len(BRANDS), n)]
    for i, t in enumerate(BUSINESS_TYPES):
        sel = np.flatnonzero(btype == i)
        if len(sel):
            parts = {"town": town[sel], "village": village[sel], "brand": brands[sel]}
            names[sel] = _fill_template(t.template, parts)
    group = rng_names.integers(1, 13, n)
    house = rng_names.integers(1, 120, n)
    address = (
        pd.Series(town).radd(COUNTY)
        + pd.Series(village)
        + pd.Series(group).astype(str)
        + "组"
        + pd.Series(house).astype(str)
        + "号"
    )
    phone = mobile_numbers(rng_names, n)
    phone[res & (rng_names.random(n) < 0.05)] = ""

    status = np.asarray(["active", "suspended", "closed"], dtype=object)[
        rng.choice(3, n, p=[0.96, 0.01, 0.03])
    ]
    years = np.where(res, 30, 20)
    connected_days = (rng.random(n) * years * 365).astype(int) + 30
    # 户号: ten digits, not starting with 0, unique.
    accounts = rng.choice(9_000_000_000, n, replace=False) + 1_000_000_000

    frame = pd.DataFrame(
        {
            "area_code": areas["code"].to_numpy(dtype=object)[area_idx],
            "account_number": pd.Series(accounts).astype(str).to_numpy(dtype=object),
            "name": names,
            "address": address.to_numpy(dtype=object),
            "phone": phone,
            "category": category.astype(object),
            "voltage_level": voltage,
            "contracted_capacity_kva": capacity,
            "tariff_code": tariff,
            "inspection_class": klass,
            "is_high_risk": high_risk,
            "is_important": important,
            "status": status,
            "connected_on": dates_before_reference(connected_days),
        }
    )
    hidden = pd.DataFrame({"ct_primary_a": ct, "load_current_a": current, "business_type": btype})
    order = np.lexsort((frame["account_number"].to_numpy(dtype=str), area_idx))
    return frame.iloc[order].reset_index(drop=True), hidden.iloc[order].reset_index(drop=True)


def _fill_template(template: str, parts: dict[str, np.ndarray]) -> np.ndarray:
    """Fill ``{town}``/``{village}``/``{brand}`` of ``template`` element-wise (vectorised)."""
    result = pd.Series([""] * len(next(iter(parts.values()))), dtype=object)
    rest = template
    while rest:
        start = rest.find("{")
        if start < 0:
            result = result + rest
            break
        if start:
            result = result + rest[:start]
        end = rest.index("}", start)
        result = result + pd.Series(parts[rest[start + 1 : end]], dtype=object)
        rest = rest[end + 1 :]
    return result.to_numpy(dtype=object)
