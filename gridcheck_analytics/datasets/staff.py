"""Staff of the demo county per station and at county level, and their inspection certificates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridcheck_analytics.datasets.draws import dates_before_reference, mobile_numbers, person_names
from gridcheck_analytics.datasets.parameters import EXPIRING_SOON_DAYS, QUALIFICATION_YEARS


def simulate_staff(
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
    staff["full_name"] = person_names(rng, n)
    numbers = rng.choice(90_000_000, n, replace=False) + 10_000_000
    staff["employee_number"] = [f"{x:08d}" for x in numbers]
    # The government liaison works for the energy authority, not the company: no employee number.
    staff.loc[staff["role"] == "government_liaison", "employee_number"] = ""
    staff["phone"] = mobile_numbers(rng, n)
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
    frame["expires_on"] = dates_before_reference(-frame["expires_in"].to_numpy())
    frame["issued_on"] = dates_before_reference(validity - frame["expires_in"].to_numpy())
    years = frame["issued_on"].dt.year.to_numpy()
    frame["certificate_number"] = [f"JC{y}{k + 1:05d}" for k, y in enumerate(years)]
    return frame.drop(columns=["expires_in"])
