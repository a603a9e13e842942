"""A customer confirms a hazard's rectification on the portal; an inspector verifies it on re-inspection."""

import datetime
import io

import pytest
from PIL import Image

from tests.browser.conftest import click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png(path):
    image = Image.new("RGB", (64, 48), (40, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_customer_confirms_and_inspector_verifies(county, phone_page, desk_page, live_server, shot, tmp_path):
    from gridcheck.core.roles import Role
    from gridcheck.hazards import services
    from gridcheck.hazards.choices import HazardCategory, HazardSeverity, HazardStatus
    from gridcheck.hazards.models import Hazard
    from gridcheck.users.models import User

    customer = county.customers["east12"]
    other = county.customers["east22"]
    today = datetime.date.today()
    inspector = county.users["inspector_east"]
    hazard = services.hazard_create(
        customer=customer,
        category=HazardCategory.choices[0][0],
        severity=HazardSeverity.SERIOUS,
        description="自备发电机未装设闭锁装置，存在向电网倒送电风险",
        found_on=today - datetime.timedelta(days=10),
        deadline=today + datetime.timedelta(days=20),
        responsible_person="张经理",
        found_by=inspector,
    )
    foreign = services.hazard_create(
        customer=other,
        category=HazardCategory.choices[0][0],
        severity=HazardSeverity.GENERAL,
        description="配电室无应急预案",
        found_on=today - datetime.timedelta(days=5),
        deadline=today + datetime.timedelta(days=25),
        responsible_person="李厂长",
        found_by=inspector,
    )
    for status in (HazardStatus.NOTIFIED, HazardStatus.RECTIFYING):
        services.hazard_transition(hazard=hazard, to_status=status, actor=inspector)
    portal_user = User.objects.create_user(
        username="customer_east12", password=county.password, role=Role.CUSTOMER
    )
    services.customer_contact_create(
        customer=customer, name="张经理", email="zhang@example.cn", portal_user=portal_user
    )

    # The customer, on a phone: sees their own hazard, not another customer's, and confirms with a photo.
    page = phone_page
    log_in(page, live_server, "customer_east12", county.password)
    page.goto(f"{live_server.url}/hazards/portal/")
    body = page.inner_text("main")
    assert "自备发电机未装设闭锁装置" in body and "配电室无应急预案" not in body
    shot(page, "11-portal-home")
    assert page.goto(f"{live_server.url}/hazards/portal/{foreign.pk}/").status == 404
    assert page.goto(f"{live_server.url}/archive/customers/{customer.pk}/").status in (403, 404) or (
        "/hazards/portal/" in page.url
    )
    page.goto(f"{live_server.url}/hazards/portal/{hazard.pk}/")
    page.set_input_files("[data-testid=confirm-form] input[type=file]", str(_png(tmp_path / "after.png")))
    note = page.locator("[data-testid=confirm-form] textarea, [data-testid=confirm-form] input[name=note]")
    if note.count():
        note.first.fill("已加装双投闸刀闭锁装置")
    click_to_load(page, "[data-testid=confirm-form] button[type=submit]")
    shot(page, "12-portal-confirmed")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFIED
    assert hazard.photos.filter(stage="after").count() == 1

    # The inspector, at a desk: verifies it on re-inspection; the history names both steps.
    page = desk_page
    log_in(page, live_server, "inspector_east", county.password)
    page.goto(f"{live_server.url}/hazards/{hazard.pk}/")
    page.select_option("select[name=to_status]", HazardStatus.VERIFIED)
    click_to_load(page, "[data-testid=transition]")
    shot(page, "13-hazard-verified")
    hazard = Hazard.objects.get(pk=hazard.pk)
    assert hazard.status == HazardStatus.VERIFIED
    events = list(hazard.events.order_by("pk").values_list("to_status", "actor__username"))
    assert (HazardStatus.RECTIFIED, "customer_east12") in events
    assert (HazardStatus.VERIFIED, "inspector_east") in events
