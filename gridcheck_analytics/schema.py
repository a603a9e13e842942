"""Canonical frames of the meter-data store, declared once.

Every reader in :mod:`gridcheck_analytics.io` maps its source columns onto one of the frames below and
validates it here; nothing past the input boundary guesses a column name.  Quantities follow the
``<quantity>_<unit>`` convention: ``register_total_kwh`` [kWh], ``voltage_a_v`` [V], ``current_a_a`` [A].

Time
----
* Daily data are keyed by ``reading_date`` (a calendar date in Asia/Shanghai): the register value frozen by
  the collection system at 24:00 of that day, so the consumption of day D is
  ``(register(D) - register(D-1)) x multiplier``.
* Curve and event data carry ``timestamp``, timezone-aware in :data:`TIMEZONE` (start of the interval).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

TIMEZONE = "Asia/Shanghai"
#: Points of a 15-minute load curve per day (96 点).
CURVE_POINTS_PER_DAY = 96


class QualityCode(StrEnum):
    """Quality code of one daily reading after validation, estimation and editing (VEE)."""

    VALID = "valid"
    MISSING = "missing"  # no reading and no estimate possible (no valid neighbours)
    ESTIMATED = "estimated"  # missing reading replaced by register interpolation
    REGISTER_BACKWARDS = "register_backwards"  # register below the previous one (not a rollover)
    RUNAWAY = "runaway"  # 飞走: more energy than rated current x voltage x multiplier allows
    STOPPED = "stopped"  # 停走: zero while the area shows load and the customer normally consumes
    LONG_ZERO_RUN = "long_zero_run"  # zero for many days in a row (vacant premises or dead meter)
    SUDDEN_RISE = "sudden_rise"  # far above the customer's own recent history
    SUDDEN_DROP = "sudden_drop"  # far below the customer's own recent history
    MULTIPLIER_MISMATCH = "multiplier_mismatch"  # multiplier reported by the head-end != archive


#: Codes that count as "actually read" for the reading rate (实抄率).
READ_CODES = frozenset(c for c in QualityCode if c not in (QualityCode.MISSING, QualityCode.ESTIMATED))


class EventCode(StrEnum):
    """Meter event codes reported by the collection system."""

    LOSS_OF_VOLTAGE = "loss_of_voltage"  # 失压
    LOSS_OF_CURRENT = "loss_of_current"  # 失流
    PHASE_FAILURE = "phase_failure"  # 断相
    COVER_OPENED = "cover_opened"  # 开表盖
    VOLTAGE_IMBALANCE = "voltage_imbalance"  # 电压不平衡
    CURRENT_IMBALANCE = "current_imbalance"  # 电流不平衡
    CLOCK_ERROR = "clock_error"  # 时钟异常
    STOPPED = "stopped"  # 停走
    RUNAWAY = "runaway"  # 飞走
    REVERSED = "reversed"  # 倒走


#: Chinese event names as the collection system exports them, mapped onto :class:`EventCode`.
EVENT_NAMES_ZH = {
    "失压": EventCode.LOSS_OF_VOLTAGE,
    "失流": EventCode.LOSS_OF_CURRENT,
    "断相": EventCode.PHASE_FAILURE,
    "开表盖": EventCode.COVER_OPENED,
    "电压不平衡": EventCode.VOLTAGE_IMBALANCE,
    "电流不平衡": EventCode.CURRENT_IMBALANCE,
    "时钟异常": EventCode.CLOCK_ERROR,
    "停走": EventCode.STOPPED,
    "飞走": EventCode.RUNAWAY,
    "倒走": EventCode.REVERSED,
}


#: Customer categories as people read them (the archive's choices, as the web app's catalogue words them;
#: the tariff categories of :mod:`gridcheck_analytics.penalties`), for texts that name a category.
CATEGORY_NAMES_ZH = {
    "residential": "居民",
    "commercial": "商业",
    "general_commercial": "一般工商业",
    "industrial": "工业",
    "large_industry": "大工业",
    "agricultural": "农业",
    "other": "其他",
}


def category_name(category: object) -> str:
    """A customer category as people read it (:data:`CATEGORY_NAMES_ZH`; one not listed as it is)."""
    text = "" if category is None else str(category)
    return CATEGORY_NAMES_ZH.get(text.strip().lower(), text)


@dataclass(frozen=True)
class Column:
    """One column of a canonical frame: pandas dtype, unit and whether a source must provide it."""

    dtype: str
    unit: str = ""
    required: bool = True
    description: str = ""


@dataclass(frozen=True)
class FrameSpec:
    """A canonical frame: ordered columns, the key that identifies a row, and the time column."""

    name: str
    columns: dict[str, Column]
    key: tuple[str, ...]
    time_column: str | None = None
    numeric_nonnegative: tuple[str, ...] = field(default=())

    @property
    def required(self) -> list[str]:
        return [c for c, spec in self.columns.items() if spec.required]

    def empty(self) -> pd.DataFrame:
        """An empty frame with the canonical columns and dtypes."""
        return conform(pd.DataFrame({c: pd.Series([], dtype="object") for c in self.columns}), self)


DATE = "date32[pyarrow]"
TS = f"datetime64[us, {TIMEZONE}]"  # microseconds: DuckDB and Spark read them as timestamps

METERS = FrameSpec(
    name="meters",
    columns={
        "meter_id": Column("string", description="meter asset number (表号)"),
        "area_code": Column("string", description="transformer area (台区)"),
        "line_code": Column("string", description="10 kV line (线路)"),
        "station_code": Column("string", description="supply station (供电所)"),
        "account_number": Column("string", required=False, description="customer account (户号)"),
        "category": Column("string", required=False, description="tariff category"),
        "multiplier": Column("float64", "1", description="CT ratio x PT ratio (综合倍率)"),
        "rated_voltage_v": Column("float64", "V", description="phase voltage rating"),
        "max_current_a": Column("float64", "A", description="maximum current, e.g. 60 for 5(60)A"),
        "phases": Column("int64", required=False, description="1 or 3"),
        "contracted_capacity_kva": Column("float64", "kVA", required=False),
        "register_digits": Column("int64", required=False, description="integer digits of the register"),
    },
    key=("meter_id",),
)

DAILY_READINGS = FrameSpec(
    name="daily",
    columns={
        "meter_id": Column("string"),
        "reading_date": Column(DATE, description="local date (Asia/Shanghai) of the 24:00 freeze"),
        "register_total_kwh": Column("float64", "kWh", required=False, description="total register"),
        "register_peak_kwh": Column("float64", "kWh", required=False, description="peak (峰) register"),
        "register_flat_kwh": Column("float64", "kWh", required=False, description="flat (平) register"),
        "register_valley_kwh": Column("float64", "kWh", required=False, description="valley (谷) register"),
        "energy_kwh": Column(
            "float64", "kWh", required=False, description="daily consumption, multiplier applied"
        ),
        "multiplier": Column("float64", "1", required=False, description="multiplier the head-end reports"),
    },
    key=("meter_id", "reading_date"),
    time_column="reading_date",
    numeric_nonnegative=(
        "register_total_kwh",
        "register_peak_kwh",
        "register_flat_kwh",
        "register_valley_kwh",
        "energy_kwh",
        "multiplier",
    ),
)

CURVES = FrameSpec(
    name="curves",
    columns={
        "meter_id": Column("string"),
        "timestamp": Column(TS, description="start of the interval"),
        "energy_kwh": Column("float64", "kWh", required=False, description="energy in the interval"),
        "voltage_a_v": Column("float64", "V", required=False),
        "voltage_b_v": Column("float64", "V", required=False),
        "voltage_c_v": Column("float64", "V", required=False),
        "current_a_a": Column("float64", "A", required=False),
        "current_b_a": Column("float64", "A", required=False),
        "current_c_a": Column("float64", "A", required=False),
    },
    key=("meter_id", "timestamp"),
    time_column="timestamp",
    numeric_nonnegative=(
        "energy_kwh",
        "voltage_a_v",
        "voltage_b_v",
        "voltage_c_v",
        "current_a_a",
        "current_b_a",
        "current_c_a",
    ),
)

EVENTS = FrameSpec(
    name="events",
    columns={
        "meter_id": Column("string"),
        "timestamp": Column(TS, description="start of the event"),
        "event_code": Column("string", description="an EventCode value"),
        "end_timestamp": Column(TS, required=False, description="end of the event, if reported"),
    },
    key=("meter_id", "timestamp", "event_code"),
    time_column="timestamp",
)

AREA_METER_READINGS = FrameSpec(
    name="area_meter",
    columns={
        "area_code": Column("string"),
        "meter_id": Column("string", description="the area's summary meter (台区总表)"),
        "reading_date": Column(DATE),
        "register_total_kwh": Column("float64", "kWh", description="total register, 24:00 freeze"),
        "multiplier": Column("float64", "1", description="CT ratio x PT ratio of the summary meter"),
        "current_a_a": Column("float64", "A", required=False, description="mean phase A current of the day"),
        "current_b_a": Column("float64", "A", required=False, description="mean phase B current of the day"),
        "current_c_a": Column("float64", "A", required=False, description="mean phase C current of the day"),
    },
    key=("meter_id", "reading_date"),
    time_column="reading_date",
    numeric_nonnegative=("register_total_kwh", "multiplier", "current_a_a", "current_b_a", "current_c_a"),
)

#: Row errors of every reader: one row per rejected input row.
ROW_ERROR_COLUMNS = ["file", "row", "column", "value", "reason"]

FRAMES = {spec.name: spec for spec in (METERS, DAILY_READINGS, CURVES, EVENTS, AREA_METER_READINGS)}


def _dates(values: pd.Series) -> pd.Series:
    """``values`` (dates, timestamps, ISO strings; a zoned timestamp counts by its local day) as ``DATE``.

    By NumPy's days and Arrow's ``date32`` (NaT -> null): ``.dt.date`` makes one Python date per row
    (4 s for the demo's 24 million daily readings)."""
    import pyarrow as pa

    stamps = pd.to_datetime(values)
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_localize(None)
    days = stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.array(days, from_pandas=True)), index=values.index)


def conform(frame: pd.DataFrame, spec: FrameSpec) -> pd.DataFrame:
    """Return ``frame`` with exactly the columns of ``spec``, in order, with canonical dtypes.

    Optional columns the frame lacks are added as nulls; required ones must be present.

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame with canonical column names (already mapped).
    spec : FrameSpec
        The canonical frame to conform to.

    Returns
    -------
    pandas.DataFrame
        A new frame; the input is not modified.

    Raises
    ------
    ValueError
        If a required column is missing.
    """
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        raise ValueError(f"{spec.name}: required column(s) missing: {', '.join(missing)}")
    out = {}
    n = len(frame)
    for name, col in spec.columns.items():
        if name not in frame.columns and col.dtype in ("string", "float64", "int64"):
            # an optional column the frame lacks: nulls of its dtype at once (not a list of None converted)
            dtype = "Int64" if col.dtype == "int64" else col.dtype
            out[name] = pd.Series(np.nan if dtype == "float64" else pd.NA, index=frame.index, dtype=dtype)
            continue
        values = frame[name] if name in frame.columns else pd.Series([None] * n, index=frame.index)
        if values.dtype == col.dtype and col.dtype in (DATE, TS):
            # Already canonical (a frame conformed before): its values as they are. Converting dates
            # again goes through one Python date per row (3.4 s for 1.9 million rows).
            out[name] = values
        elif col.dtype == DATE:
            out[name] = _dates(values) if len(values) else pd.Series(values, index=frame.index).astype(DATE)
        elif col.dtype == TS:
            values = pd.to_datetime(values)
            if len(values) and values.dt.tz is None:
                values = values.dt.tz_localize(TIMEZONE)
            out[name] = values.astype(TS) if len(values) else pd.Series([], dtype=TS)
        elif col.dtype == "int64" and not col.required:
            out[name] = pd.to_numeric(values).astype("Int64")
        else:
            out[name] = values.astype(col.dtype)
    return pd.DataFrame(out, index=frame.index)
