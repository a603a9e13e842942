"""The demo county simulator: a realistic, deterministic archive of one county supply company.

:func:`simulate_county` returns one frame per archive import entity (stations, staff, qualifications,
lines, areas, tariffs, customers, metering points, meters) with the canonical English column names of
:data:`COLUMNS`; :func:`write_county` writes them as CSV files that the archive import reads.

Everything is drawn from ``numpy.random.Generator`` streams spawned from the seed, and every date is
relative to :data:`REFERENCE_DATE`: the same seed gives the same frames on every machine, whatever the
wall clock. Customers, metering points and meters are generated with vectorised numpy and pandas, so a
county of a million customers takes seconds, not minutes.

Sizes
-----
``n_customers``, ``n_stations``, ``n_lines`` and ``n_areas`` are parameters. A county with few customers
gets fewer areas and lines than asked, so that areas keep a sensible number of customers
(see :func:`county_sizes`):

* areas = ``min(n_areas, max(n_stations, n_customers // CUSTOMERS_PER_AREA_MIN))``: at least
  :data:`CUSTOMERS_PER_AREA_MIN` customers per area on average, and at least one area per station;
* lines = ``max(n_stations, min(n_lines, round(areas x n_lines / n_areas)))``: the asked ratio of areas to
  lines is kept, with at least one line per station (and never more lines than areas).

With the defaults (60,000 customers) nothing is scaled: 8 stations, 120 lines, 400 areas; 500 customers
give 10 areas on 8 lines; 300 customers give 8 areas on 8 lines. Sizes are never scaled *up*: a million
customers on the default 400 areas makes crowded areas (fine for a load benchmark); pass
``n_areas=n_customers // 150`` and ``n_lines=n_areas * 3 // 10`` for areas of a realistic size.

Metering rules
--------------
A customer of at least :data:`CT_MIN_CAPACITY_KVA` or supplied at 10 kV or 35 kV is metered through
current transformers (CT); their CT is chosen so that the load current at contracted capacity
(:func:`load_current_a`) lies within 30 % to 100 % of the CT's rated primary current, except for a few
(about :data:`CT_MISSIZED_SHARE`) deliberately mis-sized ones (load below 20 % or above 120 % of the CT
rating) that the marketing audit should find. 10 kV customers get a PT of ``10000/100``, 35 kV customers
``35000/100``.

References
----------
.. [1] Station rules (``shared/domain/workflows.md``): CT choice 30 % to 100 % of rated primary current;
   inspection classes A (enterprises, large users, every three-phase CT-metered customer), B, C
   (residents and small shops).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: Every date of the simulated county is relative to this day.
REFERENCE_DATE = np.datetime64("2026-11-01", "D")

#: Import entities in the order they must be imported (parents before children, staff before areas).
ENTITIES: tuple[str, ...] = (
    "stations",
    "staff",
    "qualifications",
    "lines",
    "areas",
    "tariffs",
    "customers",
    "metering_points",
    "meters",
)

#: Canonical column names of each entity's frame and CSV file (what the archive import reads).
COLUMNS: dict[str, tuple[str, ...]] = {
    "stations": ("company_code", "company_name", "code", "name", "address", "phone"),
    "staff": ("username", "full_name", "employee_number", "phone", "role", "station_code"),
    "qualifications": ("username", "level", "certificate_number", "issued_on", "expires_on"),
    "lines": ("station_code", "code", "name", "voltage_kv", "substation"),
    "areas": ("line_code", "code", "name", "capacity_kva", "owner_username", "address"),
    "tariffs": (
        "code",
        "name",
        "category",
        "voltage_level",
        "price_yuan_per_kwh",
        "is_time_of_use",
        "effective_from",
        "source",
    ),
    "customers": (
        "area_code",
        "account_number",
        "name",
        "address",
        "phone",
        "category",
        "voltage_level",
        "contracted_capacity_kva",
        "tariff_code",
        "inspection_class",
        "is_high_risk",
        "is_important",
        "status",
        "connected_on",
    ),
    "metering_points": ("account_number", "code", "name", "ct_ratio", "ct_primary_a", "pt_ratio"),
    "meters": (
        "metering_point_code",
        "asset_number",
        "phase",
        "accuracy_class",
        "rated_current",
        "rated_voltage_v",
        "register_digits",
        "manufacturer",
        "install_date",
        "status",
    ),
}

#: Scaling: a county is given at least this many customers per area on average.
CUSTOMERS_PER_AREA_MIN = 50
#: Distribution transformer sizes of the areas [kVA] and how common each is.
AREA_CAPACITIES_KVA = (100, 200, 315, 400, 500, 630, 800)
AREA_CAPACITY_WEIGHTS = (0.10, 0.22, 0.22, 0.20, 0.12, 0.10, 0.04)
#: Customer category mix (residential, commercial, industrial, agricultural, other).
CATEGORY_SHARES = {
    "residential": 0.880,
    "commercial": 0.070,
    "industrial": 0.020,
    "agricultural": 0.028,
    "other": 0.002,
}
#: Customers of at least this contracted capacity [kVA] (or at 10/35 kV) are metered through CTs.
CT_MIN_CAPACITY_KVA = 100.0
#: Standard CT rated primary currents [A] (secondary 5 A).
CT_PRIMARIES_A = (
    5, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200, 250, 300, 400, 500, 600, 750, 800,
    1000, 1200, 1500, 2000, 2500, 3000, 4000, 5000, 6000,
)  # fmt: skip
#: The load current should lie within these fractions of the CT's rated primary current [-].
CT_LOAD_MIN_FRACTION = 0.30
CT_LOAD_MAX_FRACTION = 1.00
#: Share of CT-metered customers whose CT is deliberately mis-sized [-].
CT_MISSIZED_SHARE = 0.04
#: Line voltage [kV] of each supply voltage level (220 V is single-phase: phase voltage).
VOLTAGE_KV = {"220V": 0.22, "380V": 0.38, "10kV": 10.0, "35kV": 35.0}
#: Commercial customers up to this capacity [kVA] count as small shops (inspection class C).
SMALL_SHOP_MAX_KVA = 20.0
#: Qualification validity [years] and "expiring soon" horizon [days].
QUALIFICATION_YEARS = 5
EXPIRING_SOON_DAYS = 60

COUNTY = "青山县"
COMPANY_CODE = "QS"
COMPANY_NAME = "国网青山县供电公司"
TOWNSHIPS = (
    "城关镇", "青石镇", "白沙镇", "柳溪镇", "龙泉镇", "桃源乡", "马坪镇", "石桥镇",
    "双河镇", "杨柳乡", "金竹乡", "新华镇", "长岭镇", "清水乡", "高峰镇", "永安镇",
)  # fmt: skip
STREETS = ("人民路", "解放路", "建设路", "新华街", "中山路", "河滨路", "文化路", "胜利街")
PLACE_FIRST = (
    "王家", "李家", "张家", "石", "青", "柳", "桃", "梨", "黄", "白", "大", "小", "新", "老", "上",
    "下", "马", "杨", "龙", "凤", "金", "银", "高", "长", "双", "松", "竹", "花", "枫", "茶",
)  # fmt: skip
PLACE_SECOND = (
    "坪", "湾", "沟", "岭", "坝", "河", "桥", "庄", "山", "塘", "冲", "垭", "店", "坡", "岗",
    "堡", "口", "溪", "园", "林",
)  # fmt: skip
SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴",
)  # fmt: skip
GIVEN_ONE = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "华", "文", "斌", "红", "海", "波", "辉", "鹏", "宇", "浩", "婷", "雪",
    "琳", "晶", "丹", "萍", "福", "贵", "兵", "林", "峰", "亮", "英", "梅", "兰", "琴", "燕", "飞",
)  # fmt: skip
GIVEN_TWO = (
    "秀英", "秀兰", "桂英", "建华", "建国", "志强", "国强", "玉兰", "建军", "德明", "金凤", "春梅",
    "永红", "小红", "玉梅", "桂兰", "长青", "凤英", "淑珍", "文华", "海燕", "小军", "春华", "光明",
    "明华", "晓东", "俊杰", "子涵", "雨轩", "欣怡", "浩然", "思远", "家豪", "志明", "红梅", "丽华",
    "德华", "国华", "永生", "世平", "成林", "少华", "宏伟", "雪梅", "玉珍", "秀珍", "建平", "卫东",
)  # fmt: skip
BRANDS = (
    "宏达", "鑫源", "金鑫", "华兴", "永兴", "顺发", "恒通", "兴旺", "福源", "富民", "利民", "东方",
    "天成", "瑞丰", "隆盛", "盛世", "万家", "佳美", "新宇", "长城", "聚丰", "宏发", "祥和", "嘉禾",
    "德丰", "恒泰", "金山", "银河", "同心", "众鑫", "华达", "益民", "丰源", "金龙", "鸿运", "兴隆",
)  # fmt: skip
MANUFACTURERS = (
    "威胜集团有限公司",
    "江苏林洋能源股份有限公司",
    "宁波三星医疗电气股份有限公司",
    "华立科技股份有限公司",
    "许继电气股份有限公司",
    "杭州炬华科技股份有限公司",
    "深圳市科陆电子科技股份有限公司",
    "浙江正泰仪器仪表有限责任公司",
)
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "157", "158", "159", "166", "177", "180", "181", "182", "183", "186", "187", "188", "189",
)  # fmt: skip
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


TARIFFS: tuple[TariffVersion, ...] = (
    TariffVersion("RES-1", "居民生活用电(不满1千伏)", "residential", "220V", 0.5283, 0.5383),
    TariffVersion("RES-TOU", "居民生活用电(不满1千伏,峰谷)", "residential", "220V", 0.5583, 0.5683, True),
    TariffVersion("RES-10", "居民生活用电(1-10千伏)", "residential", "10kV", 0.5183, 0.5283),
    TariffVersion("GEN-1", "一般工商业用电(不满1千伏)", "general", "380V", 0.6712, 0.6498),
    TariffVersion("GEN-10", "一般工商业用电(1-10千伏)", "general", "10kV", 0.6462, 0.6248),
    TariffVersion("LI-10", "大工业用电(1-10千伏)", "large_industry", "10kV", 0.6105, 0.5956, True),
    TariffVersion("LI-35", "大工业用电(35千伏)", "large_industry", "35kV", 0.5855, 0.5706, True),
    TariffVersion("AGR-1", "农业生产用电(不满1千伏)", "agricultural", "380V", 0.4905, 0.4905),
    TariffVersion("AGR-10", "农业生产用电(1-10千伏)", "agricultural", "10kV", 0.4805, 0.4805),
)
TARIFF_VERSIONS = (
    (np.datetime64("2023-06-01", "D"), "price_2023", "模拟:省发展改革委2023年销售电价调整通知"),
    (np.datetime64("2025-01-01", "D"), "price_2025", "模拟:省发展改革委2025年销售电价调整通知"),
)


def county_sizes(*, n_customers: int, n_stations: int, n_lines: int, n_areas: int) -> tuple[int, int]:
    """Numbers of lines and areas actually simulated for a county of ``n_customers`` (module docstring).

    Returns
    -------
    (lines, areas) : tuple of int
    """
    if n_customers < 1 or n_stations < 1 or n_lines < 1 or n_areas < 1:
        raise ValueError("n_customers, n_stations, n_lines and n_areas must all be at least 1")
    areas = min(n_areas, max(n_stations, n_customers // CUSTOMERS_PER_AREA_MIN))
    areas = max(areas, n_stations)
    lines = max(n_stations, min(n_lines, round(areas * n_lines / n_areas)))
    lines = min(lines, max(areas, n_stations))
    return lines, areas


def load_current_a(capacity_kva, voltage_level) -> np.ndarray:
    """Load current at contracted capacity [A]: S / U for single-phase 220 V, S / (sqrt(3) U) otherwise.

    Parameters
    ----------
    capacity_kva : array_like of float
        Contracted capacity [kVA].
    voltage_level : array_like of str
        Supply voltage level, one of ``220V``, ``380V``, ``10kV``, ``35kV``.
    """
    capacity = np.asarray(capacity_kva, dtype=float)
    level = pd.Series(np.asarray(voltage_level, dtype=object).ravel())
    kv = level.map(VOLTAGE_KV).to_numpy(dtype=float).reshape(capacity.shape)
    factor = np.where(level.to_numpy() == "220V", 1.0, math.sqrt(3)).reshape(capacity.shape)
    return capacity / (factor * kv)


def standard_ct_primary_a(current_a) -> np.ndarray:
    """The smallest standard CT rated primary current [A] at or above ``current_a`` (the largest if none)."""
    series = np.asarray(CT_PRIMARIES_A, dtype=float)
    idx = np.searchsorted(series, np.asarray(current_a, dtype=float), side="left")
    return series[np.minimum(idx, len(series) - 1)]


def simulate_county(
    *,
    n_customers: int = 60_000,
    n_stations: int = 8,
    n_lines: int = 120,
    n_areas: int = 400,
    seed: int = 20261125,
) -> dict[str, pd.DataFrame]:
    """Simulate the archive of a county supply company.

    Parameters
    ----------
    n_customers : int
        Customers (用电客户) to simulate.
    n_stations : int
        Supply stations (供电所), named after townships.
    n_lines, n_areas : int
        10 kV lines and transformer areas (台区) at most; scaled down for few customers
        (:func:`county_sizes`).
    seed : int
        Seed of every random draw: the same seed gives identical frames.

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per entity of :data:`ENTITIES`, in import order, with the columns of :data:`COLUMNS`.
    """
    lines_n, areas_n = county_sizes(
        n_customers=n_customers, n_stations=n_stations, n_lines=n_lines, n_areas=n_areas
    )
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    rng_grid, rng_staff, rng_customers, rng_points, rng_meters, rng_names = streams

    stations = _stations(n_stations, rng_grid)
    lines = _lines(stations, lines_n, rng_grid)
    areas = _areas(lines, areas_n, rng_grid)
    staff, qualifications = _staff(stations, areas, rng_staff)
    customers, hidden = _customers(areas, n_customers, rng_customers, rng_names)
    points = _metering_points(customers, hidden, rng_points)
    meters = _meters(customers, points, rng_meters)
    frames = {
        "stations": stations,
        "staff": staff,
        "qualifications": qualifications,
        "lines": lines,
        "areas": areas.drop(columns=["station_code", "town", "village"]),
        "tariffs": _tariffs(),
        "customers": customers,
        "metering_points": points.drop(columns=["voltage_level", "load_current_a", "customer_row"]),
        "meters": meters,
    }
    return {
        entity: frames[entity].loc[:, list(COLUMNS[entity])].reset_index(drop=True) for entity in ENTITIES
    }


def write_county(frames: dict[str, pd.DataFrame], directory, *, encoding: str = "utf-8") -> dict[str, Path]:
    """Write one CSV file per entity (``<entity>.csv``, English headers) into ``directory``.

    Dates are written as ``YYYY-MM-DD``, booleans as ``true``/``false``, missing values as empty cells.

    Returns
    -------
    dict of str to pathlib.Path
        The file of each entity, in import order.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for entity in [e for e in ENTITIES if e in frames] + [e for e in frames if e not in ENTITIES]:
        frame = frames[entity].copy()
        for column in frame.columns:
            if frame[column].dtype == bool:
                frame[column] = np.where(frame[column].to_numpy(), "true", "false")
        path = directory / f"{entity}.csv"
        frame.to_csv(path, index=False, encoding=encoding, float_format="%.10g", date_format="%Y-%m-%d")
        paths[entity] = path
    return paths


# --- helpers ---------------------------------------------------------------------------------------------


def _dates(days_before_reference) -> pd.Series:
    """Dates ``days_before_reference`` days before :data:`REFERENCE_DATE` as ``datetime64[s]``."""
    days = np.asarray(days_before_reference, dtype="int64").astype("timedelta64[D]")
    return pd.Series((REFERENCE_DATE - days).astype("datetime64[s]"))


def _mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    prefixes = np.asarray(MOBILE_PREFIXES)[rng.integers(0, len(MOBILE_PREFIXES), n)]
    numbers = rng.integers(0, 100_000_000, n)
    return (pd.Series(prefixes) + pd.Series(numbers).map("{:08d}".format)).to_numpy(dtype=object)


def _person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Chinese personal names: a common surname (Zipf-weighted) and a one- or two-character given name."""
    weights = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.8
    surnames = np.asarray(SURNAMES)[rng.choice(len(SURNAMES), n, p=weights / weights.sum())]
    two = rng.random(n) < 0.55
    given = np.where(
        two,
        np.asarray(GIVEN_TWO)[rng.integers(0, len(GIVEN_TWO), n)],
        np.asarray(GIVEN_ONE)[rng.integers(0, len(GIVEN_ONE), n)],
    )
    return np.strings.add(surnames, given).astype(object)


def _place_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` two- or three-character place names, distinct while the pool of combinations lasts."""
    pool = [a + b for a in PLACE_FIRST for b in PLACE_SECOND]
    order = rng.permutation(len(pool))
    names = []
    for k in range(n):
        base = pool[order[k % len(pool)]]
        names.append(base if k < len(pool) else f"{base}{k // len(pool) + 1}")
    return names


def _split(rng: np.random.Generator, total: int, parts: int, weights=None) -> np.ndarray:
    """Split ``total`` items into ``parts`` groups of at least one each (``total >= parts``)."""
    p = np.ones(parts) if weights is None else np.asarray(weights, dtype=float)
    return 1 + rng.multinomial(total - parts, p / p.sum())


# --- grid: stations, lines, areas -----------------------------------------------------------------------


def _stations(n: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for k in range(n):
        town = TOWNSHIPS[k % len(TOWNSHIPS)]
        if k >= len(TOWNSHIPS):
            town = f"{town[:-1]}{k // len(TOWNSHIPS) + 1}{town[-1]}"
        short = "城关" if town == "城关镇" else town
        street = STREETS[int(rng.integers(0, len(STREETS)))]
        rows.append(
            {
                "company_code": COMPANY_CODE,
                "company_name": COMPANY_NAME,
                "code": f"S{k + 1:02d}",
                "name": f"{short}供电所",
                "address": f"{COUNTY}{town}{street}{int(rng.integers(1, 200))}号",
                "phone": f"0736-{int(rng.integers(6_000_000, 8_000_000))}",
                "town": town,
            }
        )
    return pd.DataFrame(rows)


def _lines(stations: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    # The county seat's station (城关, the first) serves the densest load: twice the weight.
    weights = np.where(np.arange(len(stations)) == 0, 2.0, 1.0) * rng.uniform(0.7, 1.3, len(stations))
    per_station = _split(rng, n, len(stations), weights)
    names = _place_names(rng, n)
    rows = []
    k = 0
    for station, count in zip(stations.itertuples(), per_station, strict=True):
        town_short = station.town[:-1] if len(station.town) > 2 else station.town
        substations = (f"35kV{town_short}变电站", f"110kV{COUNTY[:-1]}变电站")
        for j in range(count):
            rows.append(
                {
                    "station_code": station.code,
                    "code": f"{station.code}L{j + 1:02d}",
                    "name": f"10kV{names[k]}线",
                    "voltage_kv": 10.0,
                    "substation": substations[int(rng.random() < 0.25)],
                    "town": station.town,
                }
            )
            k += 1
    return pd.DataFrame(rows)


def _areas(lines: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    per_line = _split(rng, n, len(lines))
    villages = _place_names(rng, max(1, (n + 1) // 2))
    capacities = np.asarray(AREA_CAPACITIES_KVA, dtype=float)
    weights = np.asarray(AREA_CAPACITY_WEIGHTS) / np.sum(AREA_CAPACITY_WEIGHTS)
    rows = []
    numbering: dict[str, int] = {}
    village_at = 0
    for line, count in zip(lines.itertuples(), per_line, strict=True):
        for j in range(count):
            # Neighbouring areas of a line share a village about half the time.
            if j == 0 or rng.random() < 0.5:
                village = villages[village_at % len(villages)] + "村"
                village_at += 1
            numbering[village] = numbering.get(village, 0) + 1
            rows.append(
                {
                    "line_code": line.code,
                    "code": f"{line.code}T{j + 1:03d}",
                    "name": f"{village}{numbering[village]}号台区",
                    "capacity_kva": float(capacities[rng.choice(len(capacities), p=weights)]),
                    "owner_username": "",
                    "address": f"{COUNTY}{line.town}{village}",
                    "station_code": line.station_code,
                    "town": line.town,
                    "village": village,
                }
            )
    return pd.DataFrame(rows)


# --- staff and qualifications ---------------------------------------------------------------------------


def _staff(
    stations: pd.DataFrame, areas: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Staff per station and at county level; area managers own the station's areas (fills ``areas``)."""
    rows: list[dict] = []
    for station in stations.itertuples():
        prefix = station.code.lower()
        station_areas = np.flatnonzero(areas["station_code"].to_numpy() == station.code)
        n_managers = max(1, round(len(station_areas) / 11.5))
        plan = (
            [("station_head", f"{prefix}_head")]
            + [("inspector", f"{prefix}_insp{i + 1}") for i in range(int(rng.integers(4, 7)))]
            + [("meter_reader", f"{prefix}_reader{i + 1}") for i in range(int(rng.integers(3, 7)))]
            + [("auditor", f"{prefix}_auditor")]
            + [("area_manager", f"{prefix}_mgr{i + 1}") for i in range(n_managers)]
        )
        rows += [{"username": u, "role": r, "station_code": station.code} for r, u in plan]
        # Ownership: areas shuffled and dealt in balanced blocks; a few areas (about 3 %) are vacant.
        order = station_areas[rng.permutation(len(station_areas))]
        vacant = rng.random(len(order)) < 0.03
        if vacant.all():
            vacant[:] = False
        owned = order[~vacant]
        for i, block in enumerate(np.array_split(owned, n_managers)):
            areas.loc[block, "owner_username"] = f"{prefix}_mgr{i + 1}"
    rows += [
        {"username": "admin", "role": "administrator", "station_code": ""},
        {"username": "county_auditor", "role": "auditor", "station_code": ""},
        {"username": "gov_liaison", "role": "government_liaison", "station_code": ""},
    ]
    staff = pd.DataFrame(rows)
    n = len(staff)
    staff["full_name"] = _person_names(rng, n)
    numbers = rng.choice(90_000_000, n, replace=False) + 10_000_000
    staff["employee_number"] = [f"{x:08d}" for x in numbers]
    # The government liaison works for the energy authority, not the company: no employee number.
    staff.loc[staff["role"] == "government_liaison", "employee_number"] = ""
    staff["phone"] = _mobiles(rng, n)
    return staff, _qualifications(staff, rng)


def _qualifications(staff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Inspection certificates of inspectors and station heads: current, expiring soon, lapsed, renewed."""
    holders = staff[staff["role"].isin(["inspector", "station_head"])].reset_index(drop=True)
    states = rng.choice(
        ["current", "expiring", "expired", "renewed"], len(holders), p=[0.70, 0.10, 0.08, 0.12]
    ).astype(object)
    inspectors = np.flatnonzero(holders["role"].to_numpy() == "inspector")
    # Always at least one expired and one expiring-soon certificate (when there are two inspectors).
    if len(inspectors) >= 2:
        if not (states == "expired").any():
            states[inspectors[-1]] = "expired"
        if not (states == "expiring").any():
            states[inspectors[0]] = "expiring"
    validity = QUALIFICATION_YEARS * 365
    rows = []
    for holder, state in zip(holders.itertuples(), states, strict=True):
        level = "1" if holder.role == "station_head" else str(rng.choice(["2", "3"], p=[0.6, 0.4]))
        if state == "current":
            expires_in = [int(rng.integers(EXPIRING_SOON_DAYS + 1, validity - 30))]
        elif state == "expiring":
            expires_in = [int(rng.integers(1, EXPIRING_SOON_DAYS + 1))]
        elif state == "expired":
            expires_in = [-int(rng.integers(10, 400))]
        else:  # renewed: the old certificate lapsed, the new one runs
            new = int(rng.integers(validity - 700, validity - 30))
            expires_in = [new - validity, new]
        for days in expires_in:
            rows.append(
                {
                    "username": holder.username,
                    "level": level,
                    "expires_in": days,
                }
            )
    frame = pd.DataFrame(rows, columns=["username", "level", "expires_in"])
    frame["expires_on"] = _dates(-frame["expires_in"].to_numpy())
    frame["issued_on"] = _dates(validity - frame["expires_in"].to_numpy())
    years = frame["issued_on"].dt.year.to_numpy()
    frame["certificate_number"] = [f"JC{y}{k + 1:05d}" for k, y in enumerate(years)]
    return frame.drop(columns=["expires_in"])


# --- tariffs --------------------------------------------------------------------------------------------


def _tariffs() -> pd.DataFrame:
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
                }
            )
    frame = pd.DataFrame(rows)
    frame["effective_from"] = frame["effective_from"].astype("datetime64[s]")
    return frame


# --- customers ------------------------------------------------------------------------------------------


def _pick_capacity(rng: np.random.Generator, category: str, n: int, ladder: tuple[int, int]) -> np.ndarray:
    values, weights = CAPACITY_LADDERS[category]
    lo, hi = ladder
    values = np.asarray(values[lo:hi], dtype=float)
    w = np.asarray(weights[lo:hi], dtype=float)
    return values[rng.choice(len(values), n, p=w / w.sum())]


def _customers(
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
    names[res] = _person_names(rng_names, int(res.sum()))
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
    phone = _mobiles(rng_names, n)
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
            "connected_on": _dates(connected_days),
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


# --- metering points and meters -------------------------------------------------------------------------


def _metering_points(customers: pd.DataFrame, hidden: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One metering point per customer; about a fifth of CT-metered industrial customers get a second,
    direct-metered point for their offices and canteen (生活照明)."""
    n = len(customers)
    ct = hidden["ct_primary_a"].to_numpy()
    has_ct = ~np.isnan(ct)
    voltage = customers["voltage_level"].to_numpy(dtype=object)
    pt = np.full(n, "1", dtype=object)
    pt[voltage == "10kV"] = "10000/100"
    pt[voltage == "35kV"] = "35000/100"
    ct_text = np.full(n, "1", dtype=object)
    ct_text[has_ct] = pd.Series(ct[has_ct].astype(int)).astype(str).add("/5").to_numpy(dtype=object)
    accounts = customers["account_number"].to_numpy(dtype=object)
    main = pd.DataFrame(
        {
            "account_number": accounts,
            "code": (pd.Series(accounts) + "01").to_numpy(dtype=object),
            "name": "主计量点",
            "ct_ratio": ct_text,
            "ct_primary_a": ct,
            "pt_ratio": pt,
            "voltage_level": voltage,
            "load_current_a": hidden["load_current_a"].to_numpy(),
            "customer_row": np.arange(n),
        }
    )
    second = np.flatnonzero(
        has_ct & (customers["category"].to_numpy() == "industrial") & (rng.random(n) < 0.2)
    )
    extra = pd.DataFrame(
        {
            "account_number": accounts[second],
            "code": (pd.Series(accounts[second], dtype=object) + "02").to_numpy(dtype=object),
            "name": "生活照明计量点",
            "ct_ratio": "1",
            "ct_primary_a": np.nan,
            "pt_ratio": "1",
            "voltage_level": "380V",
            "load_current_a": load_current_a(np.full(len(second), 30.0), np.full(len(second), "380V")),
            "customer_row": second,
        }
    )
    points = pd.concat([main, extra], ignore_index=True)
    return points.sort_values("code", kind="stable").reset_index(drop=True)


def _meters(customers: pd.DataFrame, points: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The meter in service at each metering point; about 2 % also keep the removed meter they replaced."""
    n = len(points)
    voltage = points["voltage_level"].to_numpy(dtype=object)
    has_ct = ~np.isnan(points["ct_primary_a"].to_numpy())
    current = points["load_current_a"].to_numpy()
    single = (voltage == "220V") & ~has_ct
    hv = np.isin(voltage, ["10kV", "35kV"])
    u = rng.random(n)

    phase = np.where(single, "single", "three").astype(object)
    accuracy = np.full(n, "1.0", dtype=object)
    accuracy[single] = "2.0"
    accuracy[has_ct] = "0.5S"
    accuracy[voltage == "35kV"] = "0.2S"

    rating = np.full(n, "5(60)A", dtype=object)
    older = single & (u < 0.10)
    rating[single & (u >= 0.90)] = "10(60)A"
    rating[older] = "5(20)A"
    rating[~single & ~has_ct & (current > 60)] = "10(100)A"
    rating[has_ct] = "1.5(6)A"
    rating[hv & (u < 0.2)] = "0.3(1.2)A"

    rated_voltage = np.where(single, 220.0, 380.0)
    rated_voltage[hv] = 100.0
    digits = np.where(older, 5, 6)

    customer_row = points["customer_row"].to_numpy()
    connected = customers["connected_on"].to_numpy(dtype="datetime64[D]")[customer_row]
    rollout_start = np.datetime64("2012-01-01", "D")
    latest = REFERENCE_DATE - np.timedelta64(30, "D")
    span = (latest - rollout_start).astype(int)
    installed = rollout_start + (rng.random(n) * span).astype(int).astype("timedelta64[D]")
    installed = np.maximum(installed, connected)
    installed = np.minimum(installed, latest)
    manufacturer = rng.integers(0, len(MANUFACTURERS), n)

    replaced = np.flatnonzero((rng.random(n) < 0.02) & (installed > connected))
    all_rows = np.concatenate([np.arange(n), replaced])
    in_service = np.concatenate([np.ones(n, dtype=bool), np.zeros(len(replaced), dtype=bool)])
    install = np.concatenate([installed, connected[replaced]])
    manu = np.concatenate([manufacturer, rng.integers(0, len(MANUFACTURERS), len(replaced))])
    total = len(all_rows)
    serial = rng.permutation(total) + 100_000_000_000
    years = install.astype("datetime64[Y]").astype(int) + 1970
    asset = (
        "33"
        + pd.Series(manu + 1).map("{:02d}".format)
        + pd.Series(years % 100).map("{:02d}".format)
        + pd.Series(serial).astype(str)
    )
    frame = pd.DataFrame(
        {
            "metering_point_code": points["code"].to_numpy(dtype=object)[all_rows],
            "asset_number": asset.to_numpy(dtype=object),
            "phase": phase[all_rows],
            "accuracy_class": accuracy[all_rows],
            "rated_current": rating[all_rows],
            "rated_voltage_v": rated_voltage[all_rows],
            "register_digits": digits[all_rows],
            "manufacturer": np.asarray(MANUFACTURERS, dtype=object)[manu],
            "install_date": pd.Series(install.astype("datetime64[s]")),
            "status": np.where(in_service, "in_service", "removed").astype(object),
        }
    )
    return frame.sort_values(["metering_point_code", "install_date"], kind="stable").reset_index(drop=True)
