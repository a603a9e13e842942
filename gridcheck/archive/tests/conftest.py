"""Fixtures shared by the archive's API tests."""

import pytest

from gridcheck.archive.models import ImportBatch


@pytest.fixture
def batches(county):
    for key in ("east", "west"):
        ImportBatch.objects.create(
            entity="customers",
            file_name=f"{key}.csv",
            sha256="0" * 64,
            status=ImportBatch.Status.SUCCEEDED,
            station=county.stations[key],
            started_by=county.users["admin"],
        )
