"""An inspector fills the visit on a phone: checklist, a finding, a photo, three signatures; the phone
goes offline, the draft survives a reload, and the visit is sent when the connection is back."""

import datetime
import io

import pytest
from PIL import Image

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(path):
    image = Image.new("RGB", (80, 60), (30, 140, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _sign(page, who):
    canvas = page.locator(f".gc-sign[data-who={who}] canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + 90)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 20 + step * 20, y + 90 - (step % 3) * 25)
    page.mouse.up()


def test_phone_visit_offline_draft_then_submit(county, phone_page, live_server, shot, tmp_path, settings):
    from gridcheck.hazards.models import Hazard
    from gridcheck.inspections import services
    from gridcheck.inspections.checklists import checklist_keys
    from gridcheck.inspections.models import Visit

    settings.MEDIA_ROOT = tmp_path / "media"
    head = county.users["head_east"]
    order = services.work_order_create(
        source="tipoff", customer=county.customers["east12"], reason="举报：表箱处有私拉线", created_by=head
    )
    services.work_order_assign(
        work_order=order,
        inspectors=[county.users["inspector_east"], county.users["inspector2_east"]],
        visit_date=datetime.date.today(),
        assigned_by=head,
    )
    page = phone_page
    context = page.context
    log_in(page, live_server, "inspector_east", county.password)
    page.goto(f"{live_server.url}/inspections/{order.pk}/visit/")
    page.wait_for_selector("#gc-visit[data-ready='1']")

    keys = checklist_keys(order.customer)
    for key in keys:
        page.click(f"label[for=check-{key}-ok]")
    # Connection lost in the field: the page says so, and the draft is kept on the phone.
    context.set_offline(True)
    page.wait_for_selector("#gc-net.offline")
    page.fill("input[name=note-wiring]", "进线端子有新划痕")
    page.select_option("#gc-finding-kind", "hazard")
    page.fill("#gc-finding-text", "表箱门锁损坏，箱体带电部分外露")
    page.click("#gc-finding-add")
    page.set_input_files("#gc-photo-input", str(_jpeg(tmp_path / "meter.jpg")))
    page.wait_for_selector("#gc-photos img")
    page.fill("textarea[name=notes]", "客户在场，检查员出示检查证")
    page.fill("#gc-signer", "王五")
    for who in ("customer", "inspector1", "inspector2"):
        _sign(page, who)
    page.click("#gc-save")
    shot(page, "inspections-visit-phone-offline")
    # The page is 390 px wide and nothing overflows sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Back online, the inspector reloads: everything is restored from the phone.
    context.set_offline(False)
    page.reload()
    page.wait_for_selector("#gc-visit[data-ready='1']")
    for key in keys:
        assert page.is_checked(f"#check-{key}-ok"), key
    assert page.input_value("input[name=note-wiring]") == "进线端子有新划痕"
    assert page.input_value("textarea[name=notes]") == "客户在场，检查员出示检查证"
    assert page.locator("#gc-photos img").count() == 1
    assert page.locator("#gc-findings .gc-finding").count() == 1
    signatures = page.evaluate(
        f"Object.keys(JSON.parse(localStorage.getItem('gridcheck.visit.draft.{order.pk}')).signatures).sort()"
    )
    assert signatures == ["customer", "inspector1", "inspector2"]

    # Offline again at the moment of sending: nothing is lost, nothing is sent yet.
    context.set_offline(True)
    page.wait_for_selector("#gc-net.offline")
    page.click("[data-testid=submit-visit]")
    page.wait_for_timeout(300)
    assert not Visit.objects.filter(work_order=order).exists()
    assert (
        page.evaluate(f"JSON.parse(localStorage.getItem('gridcheck.visit.draft.{order.pk}')).pending") is True
    )
    # The connection comes back: the draft goes out by itself.
    context.set_offline(False)
    page.wait_for_url("**/inspections/visits/*/")
    visit = Visit.objects.get(work_order=order)
    assert visit.photos.count() == 1 and visit.photos.get().content_type == "image/jpeg"
    assert visit.checklist["wiring"]["note"] == "进线端子有新划痕"
    assert visit.customer_signature and visit.inspector1_signature and visit.inspector2_signature
    assert Hazard.objects.filter(found_by_inspection_ref=order.number).count() == 1
    assert page.evaluate(f"localStorage.getItem('gridcheck.visit.draft.{order.pk}')") is None
    shot(page, "inspections-visit-detail-phone")
