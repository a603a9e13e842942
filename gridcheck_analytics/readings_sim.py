"""Meter-data simulator for the demo county: daily readings, area-meter readings, events and curves.

From the archive's meters it makes ``months`` of daily register readings (total and time-of-use), the
area summary meters' readings (supply = customers' true energy / (1 - technical loss), technical loss
3-7 % per area), meter events, 15-minute curves for a subset of meters, about 2 % missing readings, meter
faults (stopped, runaway) and injected theft of the classic kinds (bypass 无表法, under-voltage 欠压法,
under-current by CT tampering 欠流法, phase shift 移相法, intermittent).  The ground truth goes to its own
frame (and file), which analysis never reads.  Deterministic for a given ``seed``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from gridcheck_analytics.schema import (
    AREA_METER_READINGS,
    CURVE_POINTS_PER_DAY,
    CURVES,
    DAILY_READINGS,
    EVENTS,
    METERS,
    TIMEZONE,
    EventCode,
    conform,
)

#: Theft kinds and the fraction of the true energy the meter still registers while they last.
THEFT_KINDS = {
    "bypass": 0.05,
    "under_voltage": 0.67,
    "under_current": 0.5,
    "phase_shift": 0.3,
    "intermittent": 0.1,  # on the days it is active
}
THEFT_EVENTS = {
    "bypass": EventCode.COVER_OPENED,
    "under_voltage": EventCode.LOSS_OF_VOLTAGE,
    "under_current": EventCode.LOSS_OF_CURRENT,
    "phase_shift": EventCode.REVERSED,
    "intermittent": EventCode.COVER_OPENED,
}
FAULT_KINDS = {"stopped": EventCode.STOPPED, "runaway": EventCode.RUNAWAY}


def _first(frame: pd.DataFrame, *names, default=None):
    for n in names:
        if n in frame.columns:
            return frame[n]
    return pd.Series([default] * len(frame), index=frame.index)


def _ratio(value) -> float:
    """'200/5' -> 40.0; numbers pass through; empty -> 1."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return 1.0
    if isinstance(value, str):
        m = re.fullmatch(r"\s*([\d.]+)\s*/\s*([\d.]+)\s*", value)
        if m:
            return float(m.group(1)) / float(m.group(2))
        try:
            return float(value)
        except ValueError:
            return 1.0
    return float(value)


def _max_current(value) -> float:
    """'5(60)A' -> 60.0; '1.5(6)A' -> 6.0; numbers pass through."""
    if isinstance(value, str):
        m = re.search(r"\(([\d.]+)\)", value)
        if m:
            return float(m.group(1))
        m = re.search(r"[\d.]+", value)
        return float(m.group(0)) if m else np.nan
    return np.nan if value is None else float(value)


def archive_frames_to_meters(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Join the archive's frames (areas, customers, metering_points, meters) into canonical meters.

    Tolerant of the archive's spellings: ``asset_number`` or ``meter_id``; ``ct_ratio`` like ``"200/5"``
    or a number, ``pt_ratio``, ``multiplier``; ``rated_current`` like ``"5(60)A"`` or ``max_current_a``;
    ``phase`` like ``"single"``/``"three"``/1/3.
    """
    meters = frames["meters"].copy()
    out = pd.DataFrame(index=meters.index)
    out["meter_id"] = _first(meters, "meter_id", "asset_number").astype(str)
    mp_code = _first(meters, "metering_point_code", "metering_point")
    mps = frames.get("metering_points")
    if mps is not None and mp_code.notna().any():
        mp = mps.set_index(_first(mps, "code", "metering_point_code"))
        mp = mp.reindex(mp_code.to_numpy())
        mp.index = meters.index
        mult = _first(mp, "multiplier")
        if mult.isna().all():
            ct = _first(mp, "ct_ratio").map(_ratio)
            pt = _first(mp, "pt_ratio").map(_ratio)
            mult = ct * pt
        out["multiplier"] = mult.astype(float).fillna(1.0)
        account = _first(mp, "account_number")
    else:
        out["multiplier"] = _first(meters, "multiplier", default=1.0).astype(float)
        account = _first(meters, "account_number")
    out["account_number"] = account
    customers = frames.get("customers")
    if customers is not None:
        c = (
            customers.drop_duplicates("account_number")
            .set_index("account_number")
            .reindex(account.to_numpy())
        )
        c.index = meters.index
        out["area_code"] = _first(c, "area_code")
        out["category"] = _first(c, "category")
        out["contracted_capacity_kva"] = pd.to_numeric(_first(c, "contracted_capacity_kva"), errors="coerce")
    else:
        out["area_code"] = _first(meters, "area_code")
        out["category"] = _first(meters, "category")
        out["contracted_capacity_kva"] = pd.to_numeric(
            _first(meters, "contracted_capacity_kva"), errors="coerce"
        )
    areas = frames.get("areas")
    if areas is not None:
        a = areas.drop_duplicates(_first(areas, "code", "area_code").name).set_index(
            _first(areas, "code", "area_code")
        )
        a = a.reindex(out["area_code"].to_numpy())
        a.index = meters.index
        out["line_code"] = _first(a, "line_code")
        station = _first(a, "station_code")
        if station.isna().all() and frames.get("lines") is not None:
            lines = frames["lines"]
            lk = lines.set_index(_first(lines, "code", "line_code"))
            station = pd.Series(
                lk.reindex(out["line_code"].to_numpy())["station_code"].to_numpy(), index=meters.index
            )
        out["station_code"] = station
    else:
        out["line_code"] = _first(meters, "line_code")
        out["station_code"] = _first(meters, "station_code")
    phase = _first(meters, "phases", "phase").astype(str).str.lower()
    out["phases"] = np.where(phase.str.contains("3|three|三"), 3, 1)
    out["rated_voltage_v"] = pd.to_numeric(_first(meters, "rated_voltage_v", default=220.0), errors="coerce")
    out["rated_voltage_v"] = out["rated_voltage_v"].fillna(220.0).where(out["rated_voltage_v"] < 1000, 220.0)
    max_a = pd.to_numeric(_first(meters, "max_current_a"), errors="coerce")
    out["max_current_a"] = max_a.fillna(_first(meters, "rated_current").map(_max_current)).fillna(60.0)
    out["register_digits"] = pd.to_numeric(
        _first(meters, "register_digits", default=6), errors="coerce"
    ).fillna(6)
    out = out[out["area_code"].notna()]
    return conform(out.reset_index(drop=True), METERS)


def _profile(rng: np.random.Generator) -> np.ndarray:
    """A residential-like 96-point day shape summing to 1."""
    h = np.arange(CURVE_POINTS_PER_DAY) / 4.0
    shape = 0.4 + 0.8 * np.exp(-((h - 7.5) ** 2) / 2) + 1.4 * np.exp(-((h - 19.5) ** 2) / 4)
    shape = shape * rng.lognormal(0, 0.1, CURVE_POINTS_PER_DAY)
    return shape / shape.sum()


def _daily_rows(
    ids: np.ndarray, days: pd.DatetimeIndex, registers: np.ndarray, present: np.ndarray
) -> pd.DataFrame:
    """Canonical daily readings of the meters ``ids`` on ``days``, where ``present`` (meters x days)."""
    mi, di = np.nonzero(present)
    total = registers[mi, di]
    share = {"register_peak_kwh": 0.35, "register_flat_kwh": 0.40, "register_valley_kwh": 0.25}
    frame = pd.DataFrame(
        {
            "meter_id": ids[mi],
            "reading_date": days.values.astype("datetime64[D]")[di],
            "register_total_kwh": total,
            **{k: np.round(total * v, 2) for k, v in share.items()},
        }
    )
    return conform(frame, DAILY_READINGS)


def simulate_readings(
    meters: pd.DataFrame,
    *,
    start: str | dt.date = "2025-01-01",
    months: int = 13,
    seed: int = 0,
    missing_fraction: float = 0.02,
    theft_fraction: float = 0.02,
    fault_fraction: float = 0.005,
    curve_fraction: float = 0.02,
    max_curve_meters: int = 200,
    store=None,
    truth_path=None,
    keep_daily: bool = True,
) -> dict:
    """Simulate meter data for canonical ``meters``.

    Parameters
    ----------
    meters : pandas.DataFrame
        Canonical meters (see :func:`archive_frames_to_meters`).
    start : str or date
        First day.
    months : int
        Months of daily data.
    seed : int
        Random seed; the same seed gives the same data.
    missing_fraction, theft_fraction, fault_fraction, curve_fraction : float
        Shares of readings missing, of meters with theft, with a fault, and with 15-min curves.
    max_curve_meters : int
        Cap on meters with curves.
    store : MeterStore, optional
        Where to write daily, area_meter, events and curves.
    truth_path : path, optional
        Parquet file for the ground truth (kept apart from the store).
    keep_daily : bool
        Return the daily readings; ``False`` with a ``store`` writes them a month at a time and keeps
        none (the memory of one month, not of the whole period).

    Returns
    -------
    dict
        daily (unless ``keep_daily`` is false), area_meter, events, curves (canonical frames), truth,
        area_truth (never read by analysis) and rows (the row count of each of the four frames).
    """
    rng = np.random.default_rng(seed)
    meters = conform(meters, METERS).reset_index(drop=True)
    start = pd.Timestamp(start)
    end = start + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    days = pd.date_range(start, end, freq="D")
    n, nd = len(meters), len(days)

    cat = meters["category"].fillna("residential").astype(str).str.lower()
    residential = cat.str.contains("resid|居民").to_numpy()
    cap = meters["contracted_capacity_kva"].astype(float).fillna(8.0).clip(lower=1.0).to_numpy()
    load_factor = np.where(residential, 0.03, 0.10) * rng.lognormal(0, 0.3, n)
    mult = meters["multiplier"].astype(float).to_numpy()
    limit = (
        meters["phases"].fillna(1).astype(float).to_numpy()
        * meters["rated_voltage_v"].astype(float).to_numpy()
        * meters["max_current_a"].astype(float).to_numpy()
        * 24.0
        / 1000.0
        * mult
    )
    base = np.minimum(cap * 24.0 * load_factor, 0.3 * limit)
    doy = days.day_of_year.to_numpy()
    season = 1.0 + 0.25 * np.cos(2 * np.pi * (doy - 15) / 365.0) + 0.2 * np.exp(-(((doy - 210) / 25.0) ** 2))
    weekend = days.day_of_week.to_numpy() >= 5
    week = np.where(residential[:, None], np.where(weekend, 1.1, 1.0), np.where(weekend, 0.6, 1.0))
    # In place (meters x days matrices are the simulation's memory), in the order of
    # base x season x week x noise.
    true = base[:, None] * season[None, :]
    true *= week
    del week
    true *= rng.lognormal(0, 0.2, (n, nd))
    factor = np.ones((n, nd))

    truth_rows = []
    events = []
    order = rng.permutation(n)
    n_theft = int(round(theft_fraction * n))
    n_fault = int(round(fault_fraction * n))
    kinds = list(THEFT_KINDS)
    for j, i in enumerate(order[:n_theft]):
        kind = kinds[j % len(kinds)]
        s = int(rng.integers(nd // 3, nd - 30))
        e = int(min(nd - 1, s + rng.integers(30, 150)))
        if kind == "intermittent":
            active = np.zeros(nd, dtype=bool)
            active[s : e + 1] = (np.arange(e + 1 - s) // 5) % 2 == 0
            factor[i, active] = THEFT_KINDS[kind]
        else:
            factor[i, s : e + 1] = THEFT_KINDS[kind]
        truth_rows.append((meters["meter_id"].iat[i], "theft", kind, days[s].date(), days[e].date()))
        events.append((meters["meter_id"].iat[i], days[s] + pd.Timedelta(hours=2), THEFT_EVENTS[kind].value))
    for j, i in enumerate(order[n_theft : n_theft + n_fault]):
        kind = list(FAULT_KINDS)[j % 2]
        s = int(rng.integers(nd // 4, nd - 20))
        e = int(min(nd - 1, s + rng.integers(5, 40)))
        factor[i, s : e + 1] = 0.0 if kind == "stopped" else 8.0
        truth_rows.append((meters["meter_id"].iat[i], "fault", kind, days[s].date(), days[e].date()))
        events.append((meters["meter_id"].iat[i], days[s] + pd.Timedelta(hours=9), FAULT_KINDS[kind].value))
    for i in rng.choice(n, size=max(1, n // 200), replace=True) if n else []:
        events.append(
            (meters["meter_id"].iat[i], days[rng.integers(nd)] + pd.Timedelta(hours=3), "clock_error")
        )
    metered = true * factor

    digits = meters["register_digits"].fillna(6).astype(float).to_numpy()
    capacity = 10.0**digits
    reg0 = rng.uniform(1000, 50000, n)
    registers = metered / mult[:, None]
    np.cumsum(registers, axis=1, out=registers)
    registers += reg0[:, None]
    np.mod(registers, capacity[:, None], out=registers)
    np.round(registers, 2, out=registers)
    present = rng.random((n, nd)) >= missing_fraction

    areas = meters.groupby("area_code", sort=True).agg(line_code=("line_code", "first"))
    codes = areas.index.to_numpy()
    na = len(codes)
    area_idx = pd.Index(codes).get_indexer(meters["area_code"])
    tech_loss = rng.uniform(0.03, 0.07, na)
    true_sales = np.zeros((na, nd))
    np.add.at(true_sales, area_idx, true)
    supply = true_sales / (1.0 - tech_loss[:, None])
    area_mult = np.where(supply.mean(axis=1) > 2000, 80.0, 40.0)
    area_reg = np.round(
        rng.uniform(1000, 20000, na)[:, None] + np.cumsum(supply / area_mult[:, None], axis=1), 2
    )
    imbalance = np.where(rng.random(na) < 0.1, rng.uniform(0.25, 0.5, na), rng.uniform(0.02, 0.12, na))
    mean_i = supply / 24.0 / (3 * 0.22)  # [A] per phase, primary side
    weights = np.stack([np.ones(na), 1 - imbalance / 2, 1 - imbalance], axis=1)
    weights = weights / weights.mean(axis=1, keepdims=True)
    area_present = rng.random((na, nd)) >= missing_fraction / 4
    ai, adi = np.nonzero(area_present)
    area_meter = pd.DataFrame(
        {
            "area_code": codes[ai],
            "meter_id": np.array([f"AM-{c}" for c in codes])[ai],
            "reading_date": days.date[adi],
            "register_total_kwh": area_reg[ai, adi],
            "multiplier": area_mult[ai],
            "current_a_a": np.round(mean_i[ai, adi] * weights[ai, 0], 2),
            "current_b_a": np.round(mean_i[ai, adi] * weights[ai, 1], 2),
            "current_c_a": np.round(mean_i[ai, adi] * weights[ai, 2], 2),
        }
    )

    ev = pd.DataFrame(events, columns=["meter_id", "timestamp", "event_code"])
    ev["timestamp"] = pd.to_datetime(ev["timestamp"]).dt.tz_localize(TIMEZONE)
    ev = ev.drop_duplicates(["meter_id", "timestamp", "event_code"])

    truth = pd.DataFrame(truth_rows, columns=["meter_id", "truth", "kind", "start_date", "end_date"])
    stolen = np.where(factor < 1.0, true - metered, 0.0).sum(axis=1)
    truth["unmetered_kwh"] = stolen[pd.Index(meters["meter_id"]).get_indexer(truth["meter_id"])]
    del true

    n_curve = min(max_curve_meters, int(round(curve_fraction * n)))
    curve_idx = np.sort(rng.choice(n, size=n_curve, replace=False)) if n_curve else np.array([], dtype=int)
    points = nd * CURVE_POINTS_PER_DAY
    offsets = pd.to_timedelta(np.arange(CURVE_POINTS_PER_DAY) * 15, unit="min")
    stamps = (days.values[:, None] + offsets.values[None, :]).ravel()
    # one array per column, filled meter by meter (not a frame per meter and their concatenation)
    curve_columns = {
        k: np.empty(len(curve_idx) * points) for k in ("energy_kwh", "voltage_a_v", "current_a_a")
    }
    for k, i in enumerate(curve_idx):
        shape = _profile(rng)
        energy = (metered[i][:, None] * shape[None, :]) * rng.lognormal(0, 0.15, (nd, CURVE_POINTS_PER_DAY))
        # each day's points scaled to the day's energy; a day without energy (a stopped meter) reads 0
        day_sum = energy.sum(axis=1, keepdims=True)
        energy = (
            np.divide(energy, day_sum, out=np.zeros_like(energy), where=day_sum > 0) * metered[i][:, None]
        )
        volt = 220.0 + rng.normal(0, 3, energy.shape)
        if factor[i].min() == THEFT_KINDS["under_voltage"]:
            volt = np.where(factor[i][:, None] == THEFT_KINDS["under_voltage"], volt * 0.6, volt)
        current = energy * 4.0 * 1000.0 / volt / max(1, int(meters["phases"].iat[i]))
        rows = slice(k * points, (k + 1) * points)
        curve_columns["energy_kwh"][rows] = np.round(energy.ravel(), 4)
        curve_columns["voltage_a_v"][rows] = np.round(volt.ravel(), 1)
        curve_columns["current_a_a"][rows] = np.round(current.ravel(), 3)
    curves = pd.DataFrame(
        {
            "meter_id": np.repeat(meters["meter_id"].to_numpy()[curve_idx], points),
            "timestamp": pd.DatetimeIndex(np.tile(stamps, len(curve_idx))).tz_localize(TIMEZONE),
            **curve_columns,
        }
    )
    del curve_columns
    curves = conform(curves, CURVES)

    area_truth = pd.DataFrame(
        {"area_code": codes, "technical_loss_fraction": tech_loss, "imbalance_rate": imbalance}
    )

    result = {
        "area_meter": conform(area_meter, AREA_METER_READINGS),
        "events": conform(ev, EVENTS),
        "curves": curves,
        "truth": truth,
        "area_truth": area_truth,
    }
    del factor, metered  # what is left to write needs only the registers
    # The daily readings month by month: a county's year as one frame of Python strings is most of the
    # simulation's memory (9 GB for the demo's 61,107 meters); the stored files are the same.
    ids = meters["meter_id"].to_numpy()
    month_starts = np.flatnonzero(np.r_[True, days.month[1:] != days.month[:-1]])
    daily_parts, daily_rows = [], 0
    for d0, d1 in zip(month_starts, [*month_starts[1:], nd], strict=True):
        part = _daily_rows(ids, days[d0:d1], registers[:, d0:d1], present[:, d0:d1])
        daily_rows += len(part)
        if store is not None and len(part):
            store.upsert("daily", part)
        if keep_daily:
            daily_parts.append(part)
    if keep_daily:
        result["daily"] = pd.concat(daily_parts, ignore_index=True) if daily_parts else DAILY_READINGS.empty()
    result["rows"] = {"daily": daily_rows, **{k: len(result[k]) for k in ("area_meter", "events", "curves")}}
    if store is not None:
        for name in ("area_meter", "events"):
            if len(result[name]):
                store.upsert(name, result[name])
        # the curves a month at a time too: a store's write of 7.6 million points holds copies of them
        curves = result["curves"]
        month = curves["timestamp"].dt.year * 100 + curves["timestamp"].dt.month
        for _, part in curves.groupby(month.to_numpy(), sort=True):
            store.upsert("curves", part)
    if truth_path is not None:
        Path(truth_path).parent.mkdir(parents=True, exist_ok=True)
        truth.to_parquet(truth_path, index=False)
        area_truth.to_parquet(
            Path(truth_path).with_name(Path(truth_path).stem + "_areas.parquet"), index=False
        )
    return result
