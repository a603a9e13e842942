"""``gridcheck detect train``: the supervised model trained on closed cases scores the next detection run.

A county of 200 more residential customers gets a year of simulated meter data (2025, 12 % thieves);
inspectors close theft cases against thieves after the month their theft showed most, and visit honest
customers without finding anything. The command trains on those labels, the model becomes the
registry's current model, and the next detection run records its version and explains its suspects
with the model's SHAP contributions.
"""

import datetime as dt
import io
import json
from decimal import Decimal

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gridcheck.archive.models import Customer, Meter, MeteringPoint
from gridcheck.cases import services as cases
from gridcheck.cases.tests.conftest import run_to_pending
from gridcheck.core.runs import RunStatus
from gridcheck.detection.models import Suspect
from gridcheck.detection.services import (
    UNSUPERVISED_VERSION,
    detection_model_dir,
    detection_model_load,
    detection_run_create,
    detection_run_execute,
)
from gridcheck.lineloss.tests.conftest import data_dir  # noqa: F401 - fixture reused

pytestmark = pytest.mark.django_db

#: Months whose features the labels use (a case in the month after each).
LABEL_MONTHS = ["2025-08", "2025-10", "2025-12"]


@pytest.fixture
def registry(data_dir, settings):  # noqa: F811
    settings.GRIDCHECK_DETECTION_MODEL = ""
    settings.GRIDCHECK_DETECTION_MODEL_DIR = ""  # the default: models under the data directory
    return data_dir / "models"


def _more_customers(county, n=200):
    """``n`` residential customers in the east station's two areas, one single-phase meter each."""
    areas = [county.areas["east1"], county.areas["east2"]]
    customers = Customer.objects.bulk_create(
        Customer(
            account_number=f"17{i:08d}",
            name=f"客户{i}",
            area=areas[i % 2],
            station=county.stations["east"],
            category="residential",
            voltage_level="220V",
            contracted_capacity_kva=Decimal("8"),
            tariff_code="RES-1",
            inspection_class="C",
        )
        for i in range(n)
    )
    points = MeteringPoint.objects.bulk_create(
        MeteringPoint(customer=c, code=f"MP{c.account_number}", ct_ratio=Decimal("1")) for c in customers
    )
    Meter.objects.bulk_create(
        Meter(
            metering_point=p,
            asset_number=f"M{p.customer.account_number}",
            phase="single",
            accuracy_class="2.0",
            rated_current_a=Decimal("5"),
            max_current_a=Decimal("60"),
            install_date=dt.date(2022, 3, 1),
        )
        for p in points
    )
    return {f"M{c.account_number}": c for c in customers}


def _close_theft_case(county, customer, case_date):
    inspector = county.users["inspector_east"]
    case = cases.case_create(
        customer=customer,
        kind="theft",
        theft_type="bypass_meter",
        case_date=case_date,
        facts="表前绕越接线",
        created_by=inspector,
    )
    case = run_to_pending(case, county)
    while level := cases.next_approval_level(case):
        approver = county.users["head_east" if level == "station" else "admin"]
        case = cases.case_approve(case=case, user=approver, level=level, decision="approve")
    cases.case_payment_record(
        case=case,
        amount_yuan=case.total_due_yuan,
        paid_on=timezone.localdate(),
        receipt_number=f"R{case.pk}",
        user=inspector,
    )
    case = cases.case_legal_record(case=case, user=inspector, step="not_due", reason="金额未达立案标准")
    return cases.case_close(
        case=case,
        user=inspector,
        cause_found="表前接线",
        responsible_dealt_with="已处理",
        measures_taken="加装封印",
    )


def _normal_visit(county, customer, day):
    from gridcheck.inspections.models import Visit, WorkOrder

    order = WorkOrder.objects.create(
        number=f"WO-{customer.account_number}",
        source="plan",
        customer=customer,
        station=customer.station,
        reason="周期检查",
    )
    return Visit.objects.create(
        work_order=order,
        station=customer.station,
        visited_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))),
        findings=[],
        inspector1=county.users["inspector_east"],
        inspector1_signature="sig1.png",
        inspector2=county.users["inspector2_east"],
        inspector2_signature="sig2.png",
    )


def _overlap_days(start, end, month: str) -> int:
    p = pd.Period(month, "M")
    first, last = max(pd.Timestamp(start), p.start_time), min(pd.Timestamp(end), p.end_time.normalize())
    return max(0, (last - first).days + 1)


def test_train_from_closed_cases_then_the_next_run_uses_the_model(county, registry, tmp_path):
    from gridcheck.readings.services import demo_meter_data_load

    extra = _more_customers(county)
    info = demo_meter_data_load(
        var_dir=tmp_path, months=12, seed=11, end_month=dt.date(2025, 12, 1), theft_fraction=0.12
    )
    truth = info["truth"]
    # inspections: a theft case after the month a thief's theft showed most; honest customers visited
    thieves = truth[(truth["truth"] == "theft") & truth["meter_id"].isin(extra)]
    n_cases = 0
    for t in thieves.itertuples():
        days = {m: _overlap_days(t.start_date, t.end_date, m) for m in LABEL_MONTHS}
        month = max(days, key=days.get)
        if days[month] >= 10:
            day = (pd.Period(month, "M") + 1).start_time.date() + dt.timedelta(days=9)
            _close_theft_case(county, extra[t.meter_id], day)
            n_cases += 1
    assert n_cases >= 10
    honest = [c for meter, c in extra.items() if meter not in set(truth["meter_id"])]
    for i, customer in enumerate(honest[:40]):
        _normal_visit(county, customer, (pd.Period(LABEL_MONTHS[i % 3], "M") + 1).start_time.date())
    assert detection_model_load() == (None, UNSUPERVISED_VERSION)  # nothing trained yet

    out = io.StringIO()
    call_command("detect", "train", trees=60, stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "cases-lightgbm" in text and "ROC-AUC" in text
    assert detection_model_dir() == registry
    version_dir = registry / "cases-lightgbm" / "1"
    meta = json.loads((version_dir / "metadata.json").read_text(encoding="utf-8"))
    assert meta["n_positive"] == n_cases and meta["n_samples"] == n_cases + 40
    assert meta["labels"]["without_meter_data"] == 0
    assert meta["feature_months"] == LABEL_MONTHS
    assert len(meta["training_data_sha256"]) == 64 and meta["metrics"]["cv_folds"] == 5
    assert json.loads((registry / "current.json").read_text()) | {"set_at": None} == {
        "name": "cases-lightgbm",
        "version": 1,
        "set_at": None,
    }
    model, version = detection_model_load()
    assert model.metadata["version"] == 1 and version.startswith("cases-lightgbm 1 (")

    run = detection_run_execute(run=detection_run_create(month="2025-11"))
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.model_version == version
    model_reasons = [
        r for s in Suspect.objects.filter(run=run) for r in s.reasons if r.get("source") == "model"
    ]
    shap = [r for r in model_reasons if r["text"].startswith("模型判断：")]
    assert shap, model_reasons
    assert all(r["code"].startswith("model_") and r["evidence"]["contribution"] > 0 for r in shap)
    # the suspects the model ranks highest are the month's thieves
    active = {
        t.meter_id
        for t in truth[truth["truth"] == "theft"].itertuples()
        if _overlap_days(t.start_date, t.end_date, "2025-11") >= 10
    }
    top = Suspect.objects.filter(run=run).order_by("-score")[:5]
    assert {s.meter_number for s in top} <= active

    # a second training is version 2 and becomes current
    call_command("detect", "train", trees=60, stdout=io.StringIO(), stderr=io.StringIO())
    assert detection_model_load()[1].startswith("cases-lightgbm 2 (")


def test_explicit_model_setting_wins_over_the_registry(county, registry, settings):
    import numpy as np

    from gridcheck_analytics.detection.estimators import LightGBMTheftClassifier
    from gridcheck_analytics.detection.models import save_model, set_current
    from gridcheck_analytics.features import FEATURE_COLUMNS

    X = np.random.default_rng(0).normal(size=(40, len(FEATURE_COLUMNS)))
    y = np.arange(40) % 2
    model = LightGBMTheftClassifier(n_estimators=3, min_child_samples=5, n_jobs=1).fit(X, y)
    for _ in range(2):
        save_model(model, registry, "cases-lightgbm", feature_columns=FEATURE_COLUMNS, training_data=X)
    set_current(registry, "cases-lightgbm", 1)
    assert detection_model_load()[0].metadata["version"] == 1  # the registry's current model
    settings.GRIDCHECK_DETECTION_MODEL = str(registry / "cases-lightgbm" / "2")
    assert detection_model_load()[0].metadata["version"] == 2  # the setting wins
    settings.GRIDCHECK_DETECTION_MODEL = str(registry / "absent" / "1")
    with pytest.raises(FileNotFoundError):
        detection_model_load()  # a wrong setting is an error (the run fails with it), not a fallback


def test_too_few_labels_is_a_clear_command_error(county, registry):
    _close_theft_case(county, county.customers["east11"], dt.date(2025, 6, 10))
    _normal_visit(county, county.customers["east21"], dt.date(2025, 6, 3))
    with pytest.raises(CommandError) as error:
        call_command("detect", "train", stdout=io.StringIO())
    # the theft class is named with its count and the minimum (the UI language is Chinese)
    assert str(error.value) == (
        "标签太少，无法训练模型：窃电标签（已结案的窃电案件）1 个，正常标签（检查未发现窃电）1 个；"
        "每类至少需要 10 个。"
    )
    # with a lower minimum only the short class is named
    _close_theft_case(county, county.customers["east12"], dt.date(2025, 6, 10))
    with pytest.raises(
        CommandError, match="^标签太少，无法训练模型：正常标签（检查未发现窃电）只有 1 个，至少需要 2 个。$"
    ):
        call_command("detect", "train", min_labels=2, stdout=io.StringIO())
    assert not registry.exists()
    assert detection_model_load() == (None, UNSUPERVISED_VERSION)
