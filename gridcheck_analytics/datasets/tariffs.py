"""The simulated state tariff catalogue of the demo county (two price versions)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TariffVersion:
    """One row of the simulated state tariff catalogue (prices of two versions)."""

    code: str
    name: str
    category: str
    voltage_level: str
    price_2023: float
    price_2025: float
    is_time_of_use: bool = False
    basic_per_kva_month: float | None = None
    basic_per_kw_month: float | None = None
    is_tiered: bool = False


TARIFFS: tuple[TariffVersion, ...] = (
    TariffVersion("RES-1", "居民生活用电(不满1千伏)", "residential", "220V", 0.5283, 0.5383, is_tiered=True),
    TariffVersion("RES-TOU", "居民生活用电(不满1千伏,峰谷)", "residential", "220V", 0.5583, 0.5683, True),
    TariffVersion("RES-10", "居民生活用电(1-10千伏)", "residential", "10kV", 0.5183, 0.5283),
    TariffVersion("GEN-1", "一般工商业用电(不满1千伏)", "general", "380V", 0.6712, 0.6498),
    TariffVersion("GEN-10", "一般工商业用电(1-10千伏)", "general", "10kV", 0.6462, 0.6248),
    TariffVersion(
        "LI-10", "大工业用电(1-10千伏)", "large_industry", "10kV", 0.6105, 0.5956, True, 30.0, 40.0
    ),
    TariffVersion("LI-35", "大工业用电(35千伏)", "large_industry", "35kV", 0.5855, 0.5706, True, 28.0, 38.0),
    TariffVersion("AGR-1", "农业生产用电(不满1千伏)", "agricultural", "380V", 0.4905, 0.4905),
    TariffVersion("AGR-10", "农业生产用电(1-10千伏)", "agricultural", "10kV", 0.4805, 0.4805),
)
TARIFF_VERSIONS = (
    (np.datetime64("2023-06-01", "D"), "price_2023", "模拟:省发展改革委2023年销售电价调整通知"),
    (np.datetime64("2025-01-01", "D"), "price_2025", "模拟:省发展改革委2025年销售电价调整通知"),
)


#: Peak and valley prices of a time-of-use tariff as multiples of its flat price (simulated: a common
#: provincial ratio of 1.6 and 0.45; sharp peak is not simulated).
PEAK_FACTOR, VALLEY_FACTOR = 1.6, 0.45


def simulate_tariffs() -> pd.DataFrame:
    rows = []
    for effective_from, price_field, source in TARIFF_VERSIONS:
        for t in TARIFFS:
            rows.append(
                {
                    "code": t.code,
                    "name": t.name,
                    "category": t.category,
                    "voltage_level": t.voltage_level,
                    "price_yuan_per_kwh": getattr(t, price_field),
                    "is_time_of_use": t.is_time_of_use,
                    "effective_from": effective_from,
                    "source": source,
                    "peak_price_yuan_per_kwh": (
                        round(getattr(t, price_field) * PEAK_FACTOR, 4) if t.is_time_of_use else None
                    ),
                    "valley_price_yuan_per_kwh": (
                        round(getattr(t, price_field) * VALLEY_FACTOR, 4) if t.is_time_of_use else None
                    ),
                    "sharp_price_yuan_per_kwh": None,
                    "basic_price_yuan_per_kva_month": t.basic_per_kva_month,
                    "basic_price_yuan_per_kw_month": t.basic_per_kw_month,
                    "is_tiered": t.is_tiered,
                }
            )
    frame = pd.DataFrame(rows)
    frame["effective_from"] = frame["effective_from"].astype("datetime64[s]")
    return frame
