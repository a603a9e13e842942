"""The demo county as a whole: its sizes, the simulation of every entity and the CSV files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gridcheck_analytics.datasets.customers import simulate_customers
from gridcheck_analytics.datasets.grid import simulate_areas, simulate_lines, simulate_stations
from gridcheck_analytics.datasets.metering import simulate_metering_points, simulate_meters
from gridcheck_analytics.datasets.parameters import COLUMNS, CUSTOMERS_PER_AREA_MIN, ENTITIES
from gridcheck_analytics.datasets.staff import simulate_staff
from gridcheck_analytics.datasets.tariffs import simulate_tariffs


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

    stations = simulate_stations(n_stations, rng_grid)
    lines = simulate_lines(stations, lines_n, rng_grid)
    areas = simulate_areas(lines, areas_n, rng_grid)
    staff, qualifications = simulate_staff(stations, areas, rng_staff)
    customers, hidden = simulate_customers(areas, n_customers, rng_customers, rng_names)
    points = simulate_metering_points(customers, hidden, rng_points)
    meters = simulate_meters(customers, points, rng_meters)
    frames = {
        "stations": stations,
        "staff": staff,
        "qualifications": qualifications,
        "lines": lines,
        "areas": areas.drop(columns=["station_code", "town", "village"]),
        "tariffs": simulate_tariffs(),
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
