"""Census fixtures: media in a temporary folder, a running campaign of the east station with one team of
two inspectors covering both east areas, and a clean visit's data for a customer."""

import base64
import datetime
import io

import pytest
from django.utils import timezone

# The billing fixtures (a reading book, readings, bills), reused for the comparison with the last bill.
from gridcheck.billing.tests.conftest import book, read_march  # noqa: F401


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(fmt="PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 40, 40)).save(buffer, format=fmt)
    return buffer.getvalue()


def data_url(content: bytes, kind="image/png") -> str:
    return f"data:{kind};base64," + base64.b64encode(content).decode()


def quarter_now() -> str:
    today = timezone.localdate()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def quarter_first() -> datetime.date:
    today = timezone.localdate()
    return datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


@pytest.fixture
def campaign(county):
    from gridcheck.census import services

    east = county.stations["east"]
    areas = [county.areas["east1"], county.areas["east2"]]
    return services.campaign_create(
        user=county.users["head_east"],
        station=east,
        quarter=quarter_now(),
        areas=areas,
        starts_on=quarter_first(),
        ends_on=timezone.localdate(),
        teams=[
            {
                "name": "一组",
                "members": [county.users["inspector_east"], county.users["inspector2_east"]],
                "areas": [county.areas["east1"]],
            },
            {
                "name": "二组",
                "members": [county.users["auditor_east"], county.users["manager_east"]],
                "areas": [county.areas["east2"]],
            },
        ],
    )


def clean_data(customer, **overrides) -> dict:
    """What a team sees at a customer whose archive is right."""
    from gridcheck.archive.models import Meter

    meter = Meter.objects.filter(metering_point__customer=customer).first()
    data = {
        "certificate_shown": True,
        "consent_given": True,
        "meter_asset_number_seen": meter.asset_number,
        "seals_present": True,
        "category_seen": customer.category,
        "load_seen_kw": "3",
        "capacity_seen_kva": str(customer.contracted_capacity_kva),
        "safety_checked": True,
        "publicity_given": True,
        "customer_signer": "张三",
        "customer_signature": data_url(image_bytes()),
        "photos": [{"name": "meter.jpg", "data_url": data_url(image_bytes("JPEG"), "image/jpeg")}],
        "notes": "",
    }
    data.update(overrides)
    return data
