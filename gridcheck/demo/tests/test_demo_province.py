"""``gridcheck demo --province-month DIR``: a province's month of meter data as Parquet, no database."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gridcheck_analytics.province_sim import ProvinceStore


def test_writes_the_province_month_and_prints_peak_memory(tmp_path):
    out = StringIO()
    call_command("demo", province_month=str(tmp_path), meters=900, counties=3, month="2025-03", stdout=out)
    store = ProvinceStore(tmp_path)
    assert store.counties == ["C01", "C02", "C03"]
    assert len(store.meters()) == 900
    assert store.months("daily") == ["2025-02", "2025-03"]
    text = out.getvalue()
    assert "900" in text and "MiB" in text and str(tmp_path) in text


def test_rejects_a_bad_month(tmp_path):
    with pytest.raises(CommandError):
        call_command("demo", province_month=str(tmp_path), meters=10, counties=2, month="March")
