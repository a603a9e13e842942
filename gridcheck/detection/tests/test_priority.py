"""Scores that rank (issue 21, item 6): the calibrated probability, the expected recoverable yuan that
orders the list, the station's inspection capacity (a rule-table row), on the list page and the API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from gridcheck.core.testing import patch_rules
from gridcheck.detection.models import DetectionRun, Suspect
from gridcheck.detection.services import detection_model_dir, suspects_save
from gridcheck.detection.tests.conftest import MONTH, scored_frame
from gridcheck_analytics.detection.calibration import save_calibration

pytestmark = pytest.mark.django_db

#: score 0.5 -> 20 %, 1.0 -> 60 % (straight line between)
CALIBRATION = {"method": "platt", "x": [0.5, 1.0], "y": [0.2, 0.6], "n": 100, "n_positive": 30}


def _save(county, registry_calibration=True, **frame_kw):
    if registry_calibration:
        save_calibration(detection_model_dir(), CALIBRATION)
    run = DetectionRun.objects.create(month=MONTH)
    return suspects_save(run=run, frame=scored_frame(county, **frame_kw))


def test_probability_expected_yuan_and_order(county, data_dir, settings):
    settings.GRIDCHECK_DETECTION_MODEL_DIR = ""
    _save(county)
    east11 = Suspect.objects.get(customer=county.customers["east11"])  # 0.91, 400 kWh, RES-1 0.56
    assert east11.probability == pytest.approx(0.2 + 0.4 * 0.82, abs=1e-4)  # 0.528
    assert east11.recoverable_yuan == Decimal("224.00")  # 400 x 0.56
    assert east11.expected_yuan == Decimal("118.27")  # 0.528 x 224 = 118.272
    assert east11.probability_percent == 53 and east11.expected_yuan_rounded == 118
    west11 = Suspect.objects.get(customer=county.customers["west11"])  # 0.62, 60 kWh, RES-1
    # 0.2 + 0.4 x 0.24 = 0.296 of 60 kWh x 0.56 = 33.60 yuan: 9.9456
    assert west11.probability == pytest.approx(0.296) and west11.expected_yuan == Decimal("9.95")
    east12 = Suspect.objects.get(customer=county.customers["east12"])  # 0.55, 5 kWh, GEN-1 0.65
    # the station's list by expected yuan: east11 first, then east12
    assert (east11.priority, east12.priority) == (1, 2)
    assert east11.within_capacity and east12.within_capacity  # capacity 60


def test_capacity_is_the_rule_row(county, data_dir, settings, monkeypatch):
    settings.GRIDCHECK_DETECTION_MODEL_DIR = ""
    patch_rules(monkeypatch, {"detection.inspection_visits_per_month": 1})
    _save(county, scores={"east11": 0.6, "east12": 0.99, "west11": 0.62})
    # east12 scores higher but east11 is worth more: east11 is the east station's one visit
    east11 = Suspect.objects.get(customer=county.customers["east11"])
    east12 = Suspect.objects.get(customer=county.customers["east12"])
    assert east12.score > east11.score and east11.expected_yuan > east12.expected_yuan
    assert east11.within_capacity and not east12.within_capacity
    assert (east11.priority, east12.priority) == (1, 2)
    assert Suspect.objects.filter(within_capacity=True).count() == 2  # one per station


def test_without_calibration_the_list_keeps_the_score_order(county, data_dir, settings):
    settings.GRIDCHECK_DETECTION_MODEL_DIR = ""
    _save(county, registry_calibration=False)
    rows = list(Suspect.objects.order_by("station_id", "priority"))
    assert all(s.probability is None and s.expected_yuan is None for s in rows)
    assert Suspect.objects.get(customer=county.customers["east11"]).recoverable_yuan == Decimal("224.00")
    east = [s for s in rows if s.station_id == county.stations["east"].pk]
    assert [s.score for s in east] == sorted((s.score for s in east), reverse=True)


def test_list_page_and_api_show_percent_and_yuan(county, data_dir, settings, login):
    settings.GRIDCHECK_DETECTION_MODEL_DIR = ""
    _save(county)
    client = login("head_east")
    html = client.get(reverse("detection:suspect_list")).content.decode()
    assert "53 %" in html and "118" in html
    first = html.index(county.customers["east11"].name)
    assert first < html.index(county.customers["east12"].name)
    data = client.get("/api/detection/suspects/").json()
    rows = data["results"] if isinstance(data, dict) else data
    by_account = {r["account_number"]: r for r in rows}
    row = by_account[county.customers["east11"].account_number]
    assert row["probability_percent"] == 53 and row["expected_yuan_rounded"] == 118
    assert row["within_capacity"] is True and row["priority"] == 1
    assert rows[0]["account_number"] == county.customers["east11"].account_number
    suspect = Suspect.objects.get(customer=county.customers["east11"])
    detail = client.get(suspect.get_absolute_url()).content.decode()
    assert 'data-testid="suspect-probability"' in detail and "53 %" in detail and ">118" in detail
