"""Fixtures of the hazards tests: media in a temporary folder, hazards, contacts and portal users."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridcheck.core.roles import Role
from gridcheck.core.testing import patch_rules
from gridcheck.hazards import services
from gridcheck.hazards.choices import HazardCategory, HazardSeverity

TODAY = datetime.date(2026, 11, 10)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings.MEDIA_ROOT


def image_bytes_png(width: int = 8, height: int = 8, color=(200, 40, 40)) -> bytes:
    """A small PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def png(name="photo.png", size=(16, 16)):
    return SimpleUploadedFile(name, image_bytes_png(*size), content_type="image/png")


@pytest.fixture
def rule_values(monkeypatch):
    """Set rule-table values for one test: ``rule_values({"hazards.monthly_notice_due_day": 15})``."""
    return lambda values: patch_rules(monkeypatch, values)


@pytest.fixture
def make_hazard(county):
    def _make(customer_key="east11", severity=HazardSeverity.GENERAL, found_on=None, deadline=None, **kw):
        customer = county.customers[customer_key]
        found_on = found_on or datetime.date(2026, 11, 3)
        return services.hazard_create(
            customer=customer,
            category=kw.pop("category", HazardCategory.AGEING_EQUIPMENT),
            severity=severity,
            description=kw.pop("description", "配电箱老化，绝缘破损"),
            found_on=found_on,
            deadline=deadline or found_on + datetime.timedelta(days=30),
            responsible_person=kw.pop("responsible_person", "张电工"),
            responsible_staff=kw.pop("responsible_staff", county.users["inspector_east"]),
            found_by=county.users["inspector_east"],
            **kw,
        )

    return _make


@pytest.fixture
def portal(county, django_user_model):
    """Two portal users: one for customer east11, one for east12."""
    users = {}
    for key in ("east11", "east12"):
        user = django_user_model.objects.create_user(
            username=f"portal_{key}", password=county.password, role=Role.CUSTOMER
        )
        services.customer_contact_create(
            customer=county.customers[key], name=f"联系人{key}", email=f"{key}@example.cn", portal_user=user
        )
        users[key] = user
    return users
