"""Parameters of the demo county: the entities and their columns, sizes, mixes and metering rules."""

from __future__ import annotations

import numpy as np

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
        "peak_price_yuan_per_kwh",
        "valley_price_yuan_per_kwh",
        "sharp_price_yuan_per_kwh",
        "basic_price_yuan_per_kva_month",
        "basic_price_yuan_per_kw_month",
        "is_tiered",
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
