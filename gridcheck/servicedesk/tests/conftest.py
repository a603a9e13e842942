"""Fixtures of the service desk tests: media in a temporary folder, electricians (portal logins) of east11
and west11, a question with a photo."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridcheck.core.roles import Role
from gridcheck.hazards.services import customer_contact_create


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GRIDCHECK_SMS_BACKEND = "gridcheck.notifications.sms.LoggingSmsBackend"
    return settings.MEDIA_ROOT


def png_bytes(size=(16, 16)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def png(name="photo.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def electrician(county, customer_key: str, username: str | None = None, phone: str = "13912345678"):
    """A portal login of the customer's electrician (a ``CustomerContact`` with a login)."""
    from gridcheck.users.models import User

    user = User.objects.create_user(
        username=username or f"el_{customer_key}",
        password=county.password,
        full_name=f"电工{customer_key}",
        role=Role.CUSTOMER,
    )
    customer_contact_create(
        customer=county.customers[customer_key], name=f"电工{customer_key}", phone=phone, portal_user=user
    )
    return user


@pytest.fixture
def el_east(county):
    return electrician(county, "east11")


@pytest.fixture
def el_west(county):
    return electrician(county, "west11", phone="13700000000")
