"""Metering of the demo county: load currents, CT sizes, metering points and the meters at them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from gridcheck_analytics.datasets.draws import MANUFACTURERS
from gridcheck_analytics.datasets.parameters import CT_PRIMARIES_A, REFERENCE_DATE, VOLTAGE_KV


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


def simulate_metering_points(
    customers: pd.DataFrame, hidden: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
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


def simulate_meters(customers: pd.DataFrame, points: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
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
