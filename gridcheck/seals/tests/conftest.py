"""Fixtures of the seals tests: media in a temporary folder, a batch of seals, one on a meter."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridcheck.archive.models import Meter
from gridcheck.seals import services
from gridcheck.seals.models import Seal


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg_upload(name="meter.jpg"):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 40, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def seals(county):
    batch = services.seal_batch_create(
        station=county.stations["east"],
        prefix="DF",
        start_number=1,
        end_number=10,
        received_on=datetime.date(2026, 11, 1),
        received_by=county.users["head_east"],
    )
    return list(batch.seals.order_by("number"))


@pytest.fixture
def used_seal(county, seals):
    inspector = county.users["inspector_east"]
    services.seal_issue(seals=[seals[0]], staff=inspector, by=county.users["head_east"])
    meter = Meter.objects.get(asset_number="M1100000002")
    services.seal_use(seal=seals[0], meter=meter, used_by=inspector, reason="new_connection")
    return Seal.objects.get(pk=seals[0].pk)
