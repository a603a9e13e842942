"""Fixtures of the metering ledger tests: media in a temporary folder, the county's meters synced as
assets, a new meter in the east station's stock, seals issued to the east inspector."""

import datetime
from decimal import Decimal

import pytest

from gridcheck.metering import services
from gridcheck.metering.models import Asset
from gridcheck.seals import services as seal_services

ON = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def synced(county):
    services.assets_sync_from_archive()
    return {a.asset_number: a for a in Asset.objects.all()}


@pytest.fixture
def stock_meter(county):
    return services.asset_receive(
        user=county.users["inspector_east"],
        station=county.stations["east"],
        kind="meter",
        asset_number="NEW0001",
        accuracy_class="2.0",
        phase="single",
        rated_current_a=Decimal("5"),
        max_current_a=Decimal("60"),
        first_verified_on=datetime.date(2026, 10, 1),
    )


@pytest.fixture
def issued_seals(county):
    batch = seal_services.seal_batch_create(
        station=county.stations["east"],
        prefix="JL",
        start_number=1,
        end_number=6,
        received_on=datetime.date(2026, 11, 1),
        received_by=county.users["head_east"],
    )
    seals = list(batch.seals.order_by("number"))
    seal_services.seal_issue(seals=seals, staff=county.users["inspector_east"], by=county.users["head_east"])
    return seals
