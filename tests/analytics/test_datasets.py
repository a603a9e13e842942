"""The demo county simulator: determinism, sizes, mix, keys, metering and inspection-class rules."""

import math

import numpy as np
import pandas as pd
import pytest

from gridcheck_analytics.datasets import (
    COLUMNS,
    ENTITIES,
    REFERENCE_DATE,
    county_sizes,
    load_current_a,
    simulate_county,
    standard_ct_primary_a,
    write_county,
)


@pytest.fixture(scope="module")
def county():
    return simulate_county()


@pytest.fixture(scope="module")
def small():
    return simulate_county(n_customers=500, seed=7)


def test_same_seed_gives_identical_frames(small):
    again = simulate_county(n_customers=500, seed=7)
    assert list(again) == list(ENTITIES)
    for entity in ENTITIES:
        pd.testing.assert_frame_equal(small[entity], again[entity])


def test_another_seed_gives_another_county(small):
    other = simulate_county(n_customers=500, seed=8)
    assert not small["customers"].equals(other["customers"])
    assert set(small["customers"]["account_number"]) != set(other["customers"]["account_number"])
    assert not small["staff"]["full_name"].equals(other["staff"]["full_name"])


def test_columns_are_the_canonical_ones(small):
    for entity in ENTITIES:
        assert tuple(small[entity].columns) == COLUMNS[entity], entity


def test_default_sizes(county):
    assert len(county["customers"]) == 60_000
    assert len(county["stations"]) == 8
    assert len(county["lines"]) == 120
    assert len(county["areas"]) == 400
    assert len(county["metering_points"]) >= 60_000
    assert len(county["meters"]) >= len(county["metering_points"])


@pytest.mark.parametrize(
    ("kwargs", "lines", "areas"),
    [
        ({"n_customers": 60_000, "n_stations": 8, "n_lines": 120, "n_areas": 400}, 120, 400),
        # Few customers: at least 50 per area on average, one area and one line per station at least.
        ({"n_customers": 500, "n_stations": 8, "n_lines": 120, "n_areas": 400}, 8, 10),
        ({"n_customers": 300, "n_stations": 8, "n_lines": 120, "n_areas": 400}, 8, 8),
        ({"n_customers": 5_000, "n_stations": 8, "n_lines": 120, "n_areas": 400}, 30, 100),
        ({"n_customers": 10, "n_stations": 3, "n_lines": 5, "n_areas": 9}, 3, 3),
        ({"n_customers": 1_000_000, "n_stations": 8, "n_lines": 120, "n_areas": 400}, 120, 400),
    ],
)
def test_county_sizes_rule(kwargs, lines, areas):
    assert county_sizes(**kwargs) == (lines, areas)


def test_sizes_follow_parameters():
    frames = simulate_county(n_customers=2_000, n_stations=3, n_lines=12, n_areas=30, seed=1)
    assert len(frames["customers"]) == 2_000
    assert len(frames["stations"]) == 3
    assert len(frames["lines"]) == 12
    assert len(frames["areas"]) == 30
    # Every station has at least one line and every line at least one area.
    assert set(frames["lines"]["station_code"]) == set(frames["stations"]["code"])
    assert set(frames["areas"]["line_code"]) == set(frames["lines"]["code"])


def test_small_county_scales_areas_down(small):
    assert len(small["customers"]) == 500
    assert len(small["areas"]) == 10
    assert len(small["lines"]) == 8


@pytest.mark.parametrize("bad", [{"n_customers": 0}, {"n_stations": 0}, {"n_lines": 0}])
def test_nonsense_sizes_are_refused(bad):
    with pytest.raises(ValueError):
        simulate_county(**{"n_customers": 100, **bad})


def test_category_mix(county):
    shares = county["customers"]["category"].value_counts(normalize=True)
    assert shares["residential"] == pytest.approx(0.88, abs=0.01)
    assert shares["commercial"] == pytest.approx(0.07, abs=0.006)
    assert shares["industrial"] == pytest.approx(0.02, abs=0.004)
    assert shares["agricultural"] == pytest.approx(0.03, abs=0.005)
    assert 0 < shares["other"] < 0.01


def test_keys_are_unique(county):
    keys = {
        "stations": ["code"],
        "staff": ["username"],
        "qualifications": ["certificate_number"],
        "lines": ["code"],
        "areas": ["code"],
        "tariffs": ["code", "effective_from"],
        "customers": ["account_number"],
        "metering_points": ["code"],
        "meters": ["asset_number"],
    }
    for entity, key in keys.items():
        assert not county[entity].duplicated(key).any(), entity
    employees = county["staff"]["employee_number"]
    assert not employees[employees != ""].duplicated().any()


def test_foreign_keys_resolve(county):
    c = county
    assert set(c["lines"]["station_code"]) <= set(c["stations"]["code"])
    assert set(c["areas"]["line_code"]) <= set(c["lines"]["code"])
    assert set(c["customers"]["area_code"]) <= set(c["areas"]["code"])
    assert set(c["customers"]["tariff_code"]) <= set(c["tariffs"]["code"])
    assert set(c["metering_points"]["account_number"]) <= set(c["customers"]["account_number"])
    assert set(c["meters"]["metering_point_code"]) <= set(c["metering_points"]["code"])
    assert set(c["qualifications"]["username"]) <= set(c["staff"]["username"])
    owners = set(c["areas"]["owner_username"]) - {""}
    assert owners <= set(c["staff"]["username"])
    station_codes = set(c["staff"]["station_code"]) - {""}
    assert station_codes <= set(c["stations"]["code"])
    # Every customer has a metering point and every metering point a meter in service.
    assert set(c["customers"]["account_number"]) == set(c["metering_points"]["account_number"])
    in_service = c["meters"][c["meters"]["status"] == "in_service"]
    assert set(in_service["metering_point_code"]) == set(c["metering_points"]["code"])
    assert not in_service["metering_point_code"].duplicated().any()


def test_account_numbers_are_ten_digits(county):
    accounts = county["customers"]["account_number"]
    assert accounts.str.fullmatch(r"[1-9]\d{9}").all()


def test_area_owners_are_area_managers_of_the_same_station(county):
    staff = county["staff"].set_index("username")
    areas = county["areas"].merge(
        county["lines"][["code", "station_code"]], left_on="line_code", right_on="code"
    )
    owned = areas[areas["owner_username"] != ""]
    assert len(owned) >= 0.9 * len(areas)
    assert (staff.loc[owned["owner_username"], "role"].to_numpy() == "area_manager").all()
    assert (
        staff.loc[owned["owner_username"], "station_code"].to_numpy() == owned["station_code"].to_numpy()
    ).all()
    per_manager = owned["owner_username"].value_counts()
    assert per_manager.between(5, 20).all()
    assert 8 <= per_manager.mean() <= 15


def test_staff_per_station(county):
    staff = county["staff"]
    for code in county["stations"]["code"]:
        roles = staff.loc[staff["station_code"] == code, "role"].value_counts()
        assert roles["station_head"] == 1
        assert 4 <= roles["inspector"] <= 6
        assert 3 <= roles["meter_reader"] <= 6
        assert roles["auditor"] == 1
        assert roles["area_manager"] >= 1
    county_level = staff[staff["station_code"] == ""]
    assert sorted(county_level["role"]) == ["administrator", "auditor", "government_liaison"]


def test_qualifications_some_expired_some_expiring(county):
    q = county["qualifications"]
    staff = county["staff"].set_index("username")
    inspectors = staff.index[staff["role"] == "inspector"]
    assert set(inspectors) <= set(q["username"])
    assert (q["expires_on"] > q["issued_on"]).all()
    reference = pd.Timestamp(REFERENCE_DATE)
    assert (q["expires_on"] < reference).any()
    soon = (q["expires_on"] >= reference) & (q["expires_on"] <= reference + pd.Timedelta(days=60))
    assert soon.any()
    assert set(q["level"]) <= {"1", "2", "3"}


def test_tariff_catalogue_has_two_versions(county):
    tariffs = county["tariffs"]
    assert tariffs["effective_from"].nunique() == 2
    assert (tariffs.groupby("code").size() == 2).all()
    assert set(tariffs["category"]) == {"residential", "general", "large_industry", "agricultural"}
    assert (tariffs["price_yuan_per_kwh"] > 0).all()


def test_capacity_by_category(county):
    c = county["customers"]
    cap = c.groupby("category")["contracted_capacity_kva"].agg(["min", "max"])
    assert cap.loc["residential", "min"] >= 4 and cap.loc["residential", "max"] <= 10
    assert cap.loc["commercial", "min"] >= 10 and cap.loc["commercial", "max"] <= 100
    assert cap.loc["industrial", "min"] >= 50 and cap.loc["industrial", "max"] <= 2000
    assert cap.loc["agricultural", "min"] >= 5 and cap.loc["agricultural", "max"] <= 50


def _metering(county) -> pd.DataFrame:
    points = county["metering_points"]
    main = points[points["code"].str.endswith("01")]
    return county["customers"].merge(main, on="account_number", suffixes=("", "_point"))


def test_large_customers_are_ct_metered_and_the_ct_fits_for_most(county):
    m = _metering(county)
    large = (m["contracted_capacity_kva"] >= 100) | m["voltage_level"].isin(["10kV", "35kV"])
    assert large.sum() > 500
    assert m.loc[large, "ct_primary_a"].notna().all()
    assert (m.loc[~large, "ct_ratio"] == "1").all()
    assert m.loc[~large, "ct_primary_a"].isna().all()
    ct = m[large]
    # The ratio text names the primary current: "200/5".
    assert (ct["ct_ratio"] == ct["ct_primary_a"].astype(int).astype(str) + "/5").all()
    # Load current at contracted capacity, computed here by hand: S / (sqrt(3) U).
    volts = ct["voltage_level"].map({"380V": 380.0, "10kV": 10_000.0, "35kV": 35_000.0})
    current = ct["contracted_capacity_kva"] * 1000 / (math.sqrt(3) * volts)
    load = current / ct["ct_primary_a"]
    within = load.between(0.30, 1.00)
    assert within.mean() >= 0.90
    # A few are deliberately mis-sized, clearly outside (below 20 % or above 120 %).
    outside = load[~within]
    assert len(outside) >= 5
    assert ((outside < 0.20) | (outside > 1.20)).all()


def test_pt_ratio_by_voltage(county):
    m = _metering(county)
    assert (m.loc[m["voltage_level"] == "10kV", "pt_ratio"] == "10000/100").all()
    assert (m.loc[m["voltage_level"] == "35kV", "pt_ratio"] == "35000/100").all()
    assert (m.loc[m["voltage_level"].isin(["220V", "380V"]), "pt_ratio"] == "1").all()


def test_inspection_class_rule(county):
    m = _metering(county)
    ct = m["ct_primary_a"].notna()
    assert (m.loc[ct, "inspection_class"] == "A").all()
    assert (m.loc[m["category"] == "industrial", "inspection_class"] == "A").all()
    residents = (m["category"] == "residential") & ~ct
    assert (m.loc[residents, "inspection_class"] == "C").all()
    # C is only residents and small shops.
    c_class = m[m["inspection_class"] == "C"]
    assert c_class["category"].isin(["residential", "commercial"]).all()
    assert (c_class.loc[c_class["category"] == "commercial", "contracted_capacity_kva"] <= 20).all()
    # Agricultural and other customers without CTs are B.
    rest = m["category"].isin(["agricultural", "other"]) & ~ct
    assert (m.loc[rest, "inspection_class"] == "B").all()
    assert set(m["inspection_class"]) == {"A", "B", "C"}


def test_high_risk_and_important_are_a_realistic_few(county):
    c = county["customers"]
    assert 0 < c["is_high_risk"].sum() < 0.01 * len(c)
    assert 0 < c["is_important"].sum() < 0.005 * len(c)
    assert not c.loc[c["category"] == "residential", ["is_high_risk", "is_important"]].any().any()
    assert c.loc[c["is_high_risk"], "name"].str.contains("化工|矿业|加油站|烟花").all()


def test_names_and_addresses_look_real(county):
    c = county["customers"]
    residents = c.loc[c["category"] == "residential", "name"]
    assert residents.str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()
    assert c["address"].str.fullmatch(r"青山县\S+?[镇乡]\S+?村\d+组\d+号").all()
    assert county["stations"]["name"].str.endswith("供电所").all()
    assert county["lines"]["name"].str.fullmatch(r"10kV\S+线").all()
    assert county["areas"]["capacity_kva"].isin([100, 200, 315, 400, 500, 630, 800]).all()


def test_meters_match_their_metering(county):
    meters = county["meters"].merge(
        county["metering_points"], left_on="metering_point_code", right_on="code", suffixes=("", "_point")
    )
    ct = meters["ct_primary_a"].notna()
    assert meters.loc[ct, "rated_current"].isin(["1.5(6)A", "0.3(1.2)A"]).all()
    assert (meters.loc[ct, "phase"] == "three").all()
    assert meters.loc[~ct, "rated_current"].str.fullmatch(r"\d+\(\d+\)A").all()
    assert (meters["install_date"] <= pd.Timestamp(REFERENCE_DATE)).all()
    assert set(meters["status"]) == {"in_service", "removed"}


def test_dates_are_before_the_reference_date(county):
    reference = pd.Timestamp(REFERENCE_DATE)
    assert (county["customers"]["connected_on"] < reference).all()
    assert (county["qualifications"]["issued_on"] <= reference).all()


@pytest.mark.parametrize(
    ("capacity", "level", "expected"),
    [
        (100, "380V", 100_000 / (math.sqrt(3) * 380)),
        (630, "10kV", 630 / (math.sqrt(3) * 10)),
        (8, "220V", 8000 / 220),
    ],
)
def test_load_current(capacity, level, expected):
    np.testing.assert_allclose(load_current_a([capacity], [level]), [expected])


@pytest.mark.parametrize(("current", "primary"), [(36.4, 40), (40, 40), (151.9, 200), (0.5, 5), (1e6, 6000)])
def test_standard_ct_primary(current, primary):
    assert standard_ct_primary_a([current])[0] == primary


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_write_county_round_trip(small, tmp_path, encoding):
    paths = write_county(small, tmp_path, encoding=encoding)
    assert list(paths) == list(ENTITIES)
    for entity, path in paths.items():
        assert path.name == f"{entity}.csv"
        read = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
        assert tuple(read.columns) == COLUMNS[entity]
        assert len(read) == len(small[entity])
    customers = pd.read_csv(paths["customers"], dtype=str, keep_default_na=False, encoding=encoding)
    assert customers["account_number"].tolist() == small["customers"]["account_number"].tolist()
    assert customers["name"].tolist() == small["customers"]["name"].tolist()
    assert customers["connected_on"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert set(customers["is_high_risk"]) <= {"true", "false"}
    points = pd.read_csv(paths["metering_points"], dtype=str, keep_default_na=False, encoding=encoding)
    assert (points.loc[points["ct_ratio"] == "1", "ct_primary_a"] == "").all()
