"""Reports fixtures: the east station's March 2025 bills issued (collection's ``issued``) and the month's
line-loss analysis succeeded with a result per east area (``analysed``)."""

import datetime

import pytest

from gridcheck.billing.tests.conftest import book, read_march  # noqa: F401  (fixtures)
from gridcheck.collection.tests.conftest import issued  # noqa: F401  (fixture)

MARCH = datetime.date(2025, 3, 1)
TODAY = datetime.date(2025, 4, 28)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def analyse(county, month=MARCH):
    from gridcheck.core.runs import RunStatus
    from gridcheck.lineloss.models import AnalysisRun, AreaMonthLoss

    AnalysisRun.objects.create(month=month, status=RunStatus.SUCCEEDED)
    for n, key in enumerate(("east1", "east2")):
        area = county.areas[key]
        supply, sales = 1000.0 + 100 * n, 930.0 - 40 * n
        AreaMonthLoss.objects.create(
            area=area, line=area.line, station=area.station, month=month, target_percent=8.0,
            supply_kwh=supply, sales_kwh=sales, loss_kwh=supply - sales,
            loss_rate_percent=round((supply - sales) * 100 / supply, 2), above_target=n == 1, flagged=n == 1,
        )  # fmt: skip


@pytest.fixture
def analysed(county, issued):  # noqa: F811
    analyse(county)
    return issued
