"""The grid of the demo county: supply stations, 10 kV lines and transformer areas (台区)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridcheck_analytics.datasets.draws import (
    COMPANY_CODE,
    COMPANY_NAME,
    COUNTY,
    STREETS,
    TOWNSHIPS,
    place_names,
    split_count,
)
from gridcheck_analytics.datasets.parameters import AREA_CAPACITIES_KVA, AREA_CAPACITY_WEIGHTS


def simulate_stations(n: int, rng: np.random.Generator) -> pd.DataFrame:
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


def simulate_lines(stations: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    # The county seat's station (城关, the first) serves the densest load: twice the weight.
    weights = np.where(np.arange(len(stations)) == 0, 2.0, 1.0) * rng.uniform(0.7, 1.3, len(stations))
    per_station = split_count(rng, n, len(stations), weights)
    names = place_names(rng, n)
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


def simulate_areas(lines: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    per_line = split_count(rng, n, len(lines))
    villages = place_names(rng, max(1, (n + 1) // 2))
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
