"""Fixtures of the inspections tests: media in a temporary folder, images, a work order, signatures."""

import base64
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridcheck.inspections import services


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def rule_table(monkeypatch):
    """Change station rules for one test: ``rule_table("inspections.tipoff.visit_hours", 12)``.

    Builds a copy of the rule table whose rows of ``key`` carry ``value`` and makes
    ``gridcheck.core.rules`` read it; the table itself is unchanged.
    """
    from dataclasses import replace
    from decimal import Decimal

    from gridcheck.core import rules
    from gridcheck_analytics.regulations import RuleTable, default_table

    table = default_table()

    def change(key: str, value) -> None:
        nonlocal table
        assert key in table.keys(), key
        value = Decimal(value) if isinstance(value, int) else value
        rows = [replace(row, value=value) if row.key == key else row for row in table.rows()]
        table = RuleTable(rows, table.regulations)
        monkeypatch.setattr(rules, "default_table", lambda: table)

    return change


def image_bytes(fmt="PNG", size=(16, 16), color=(200, 40, 40, 255)) -> bytes:
    from PIL import Image

    mode = "RGBA" if fmt == "PNG" else "RGB"
    image = Image.new(mode, size, color[: len(mode)])
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def data_url(content: bytes, kind="image/png") -> str:
    return f"data:{kind};base64," + base64.b64encode(content).decode()


def signature() -> str:
    """A drawn signature: a dark stroke on a transparent pad."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (120, 40), (0, 0, 0, 0))
    ImageDraw.Draw(image).line((5, 30, 115, 8), fill=(0, 0, 0, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return data_url(buffer.getvalue())


def blank_signature() -> str:
    return data_url(image_bytes(color=(0, 0, 0, 0)))


def jpeg_upload(name="meter.jpg"):
    return SimpleUploadedFile(name, image_bytes("JPEG"), content_type="image/jpeg")


VISIT_DAY = datetime.date(2026, 11, 20)


@pytest.fixture
def work_order(county):
    return services.work_order_create(
        source="manual",
        customer=county.customers["east12"],
        reason="核查计量装置",
        created_by=county.users["head_east"],
        due_on=VISIT_DAY,
    )


@pytest.fixture
def assigned(county, work_order):
    return services.work_order_assign(
        work_order=work_order,
        inspectors=[county.users["inspector_east"], county.users["inspector2_east"]],
        visit_date=VISIT_DAY,
        assigned_by=county.users["head_east"],
    )


def full_checklist(customer):
    from gridcheck.inspections.checklists import checklist_keys

    return {k: {"result": "ok", "note": ""} for k in checklist_keys(customer)}


def visit_data(customer, **overrides):
    data = {
        "checklist": full_checklist(customer),
        "findings": [],
        "notes": "表计运行正常",
        "signatures": {"customer": signature(), "inspector1": signature(), "inspector2": signature()},
        "customer_signer": "王五",
        "photos": [{"data_url": data_url(image_bytes("JPEG"), "image/jpeg"), "name": "m.jpg"}],
    }
    data.update(overrides)
    return data
