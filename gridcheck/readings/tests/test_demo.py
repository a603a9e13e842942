import datetime as dt

import pytest

from gridcheck.lineloss.models import AreaMonthLoss
from gridcheck.lineloss.services import analysis_run_create, analysis_run_execute
from gridcheck.readings.services import demo_meter_data_load

pytestmark = pytest.mark.django_db


def test_demo_loader_flags_areas_with_injected_theft(county, data_dir, tmp_path):
    info = demo_meter_data_load(
        var_dir=tmp_path,
        months=6,
        seed=7,
        end_month=dt.date(2026, 10, 1),
        theft_fraction=0.5,
        missing_fraction=0.0,
    )
    assert info["meters"] == 8 and info["end_month"] == "2026-10"
    assert (tmp_path / "demo" / "meter_truth.parquet").exists()
    run = analysis_run_execute(run=analysis_run_create(month="2026-10"))
    assert run.status == "succeeded", run.error
    truth = info["truth"]
    theft = truth[(truth["truth"] == "theft") & (truth["end_date"] >= dt.date(2026, 10, 1))]
    assert len(theft)
    meter_area = {f"M{c.account_number}": c.area.code for c in county.customers.values()}
    theft_areas = {meter_area[m] for m in theft["meter_id"]}
    flagged = set(
        AreaMonthLoss.objects.filter(month=dt.date(2026, 10, 1), flagged=True).values_list(
            "area__code", flat=True
        )
    )
    assert theft_areas <= flagged, (theft_areas, flagged, truth)
    # the trend has the history months too
    assert AreaMonthLoss.objects.filter(month__lt=dt.date(2026, 10, 1)).exists()
