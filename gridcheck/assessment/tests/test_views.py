"""Assessment pages and API: who sees what, computing, proposing with evidence, approving, signing off,
XLSX export, the to-do lines, the monthly job and the demo."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gridcheck.assessment import services
from gridcheck.assessment.models import Adjustment, Scorecard
from gridcheck.assessment.tests.conftest import MONTH


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def computed(october):
    services.scorecards_compute(month=MONTH)
    return october


@pytest.mark.django_db
def test_pages_and_scoping(computed, login):
    u = computed.users
    client = login("inspector_east")
    page = client.get(reverse("assessment:scorecard_list"))
    assert page.status_code == 200
    assert page.context["count"] == 1  # only one's own
    own = Scorecard.objects.get(month=MONTH, person=u["inspector_east"])
    other = Scorecard.objects.get(month=MONTH, person=u["reader_east"])
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("assessment:month")).status_code == 403
    assert (
        client.post(
            reverse("assessment:compute"), {"station": computed.stations["east"].pk, "month": "2026-10"}
        ).status_code
        == 403
    )
    assert login("liaison").get(reverse("assessment:scorecard_list")).status_code == 403

    head = login("head_east")
    page = head.get(
        reverse("assessment:month"), {"station": computed.stations["east"].pk, "month": "2026-10"}
    )
    assert page.status_code == 200
    subjects = [g["subject"] for g in page.context["groups"]]
    assert subjects == ["area_manager", "meter_reader", "inspector", "station"]
    assert head.get(other.get_absolute_url()).status_code == 200
    west = Scorecard.objects.get(month=MONTH, person=u["inspector_west"])
    assert head.get(west.get_absolute_url()).status_code == 404
    export = head.get(reverse("assessment:scorecard_list"), {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    for name in ("kpi_list", "kpi_define", "evaluation_list"):
        assert head.get(reverse(f"assessment:{name}")).status_code == 200


@pytest.mark.django_db
def test_the_kpi_page_reads_in_chinese(computed, login):
    """Every default KPI's name translated, formulas as the figures' labels, the fine rule as its value
    and description, and no development note: nothing a station reads is a key or English."""
    import re

    from django.utils import translation

    from gridcheck.assessment.defaults import DEFAULT_KPIS

    with translation.override("zh-hans"):
        untranslated = [row[1] for row in DEFAULT_KPIS if translation.gettext(row[1]) == row[1]]
    assert not untranslated
    page = login("head_east").get(reverse("assessment:kpi_list"))
    table = page.content.decode().split('data-testid="kpi-table"')[1]
    cells = re.sub(r"<[^>]+>|title=\"[^\"]*\"", " ", table)  # the text, not the formulas' hover titles
    assert "所辖台区实抄率" in cells and "area_actual_reading_rate" not in cells
    assert "5 元（抄表员抄表卡片不完整" in cells and "assessment.incomplete_card_fine_yuan" not in cells
    assert "系统预置的初始考核指标" in cells and "issue" not in cells
    assert not re.search(r"[A-Za-z]{4,}", cells.replace("kWh", "")), re.findall(r"[A-Za-z]{4,}", cells)


@pytest.mark.django_db
def test_head_computes_and_adjustment_flow_through_pages(computed, login):
    u = computed.users
    head = login("head_east")
    response = head.post(
        reverse("assessment:compute"), {"station": computed.stations["east"].pk, "month": "2026-10"}
    )
    assert response.status_code == 302
    card = Scorecard.objects.get(month=MONTH, person=u["reader_east"])
    evidence = SimpleUploadedFile("证据.png", png(), content_type="image/png")
    head.post(
        reverse("assessment:adjustment_propose", args=[card.pk]),
        {"kind": "deduction", "points": "2", "reason": "抄表数据迟交", "evidence": evidence},
    )
    adjustment = Adjustment.objects.get(scorecard=card)
    assert adjustment.evidence_name == "证据.png" and adjustment.evidence
    # the proposer sees no approve button and is refused if they try
    page = head.get(card.get_absolute_url())
    assert b'data-testid="approve"' not in page.content
    head.post(reverse("assessment:adjustment_decide", args=[adjustment.pk]), {"decision": "approve"})
    adjustment.refresh_from_db()
    assert adjustment.status == "proposed"
    # a head sees it in the to-do list; the county administrator approves it
    admin = login("admin")
    page = admin.get(card.get_absolute_url())
    assert b'data-testid="approve"' in page.content
    assert admin.get(reverse("assessment:adjustment_evidence", args=[adjustment.pk])).status_code == 200
    admin.post(
        reverse("assessment:adjustment_decide", args=[adjustment.pk]), {"decision": "approve", "note": "属实"}
    )
    adjustment.refresh_from_db()
    card.refresh_from_db()
    assert adjustment.status == "approved" and card.total_points == Decimal("86.50")
    admin.post(reverse("assessment:scorecard_sign", args=[card.pk]))
    card.refresh_from_db()
    assert card.status == "signed"


@pytest.mark.django_db
def test_todos(computed):
    from gridcheck.assessment.todos import TODOS

    u = computed.users
    card = Scorecard.objects.get(month=MONTH, person=u["reader_east"])
    services.adjustment_propose(scorecard=card, by=u["admin"], kind="bonus", points=1, reason="x")
    assert TODOS["assessment.approve"].number(u["head_east"]) == 1
    assert TODOS["assessment.approve"].number(u["admin"]) == 0  # their own proposal
    assert TODOS["assessment.sign"].number(u["head_east"]) == 5  # the east station's cards


@pytest.mark.django_db
def test_api(computed, login):
    u = computed.users
    client = login("inspector_east")
    data = client.get("/api/assessment/scorecards/").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [r["person"] for r in rows] == ["inspector_east"]
    assert {line["code"] for line in rows[0]["lines"]} >= {"in_on_time", "in_evidence"}
    card = Scorecard.objects.get(month=MONTH, person=u["reader_east"])
    head = login("head_east")
    response = head.post(
        f"/api/assessment/scorecards/{card.pk}/adjust/",
        {"kind": "deduction", "points": "1", "reason": "迟交"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    response = head.post(
        f"/api/assessment/adjustments/{response.json()['id']}/decide/",
        {"approve": True},
        content_type="application/json",
    )
    assert response.status_code == 400  # the proposer
    bad = head.post(
        "/api/assessment/kpis/",
        {
            "code": "x1",
            "name": "x",
            "subject": "meter_reader",
            "formula": "no_such_figure * 2",
            "unit": "count",
            "direction": "lower",
            "target": "0",
            "weight": "1",
            "scoring": "per_unit",
            "effective_from": "2026-10-01",
            "reason": "试",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "no_such_figure" in bad.content.decode()
    reader = login("reader_east")
    assert (
        reader.post(
            f"/api/assessment/scorecards/{card.pk}/adjust/", {}, content_type="application/json"
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_monthly_job_period(settings, october):
    from gridcheck.assessment.registrations import monthly

    settings.GRIDCHECK_DAILY_JOBS_HOUR = 1
    tz = datetime.timezone(datetime.timedelta(hours=8))
    assert monthly(datetime.datetime(2026, 11, 4, 9, tzinfo=tz)) is None
    assert monthly(datetime.datetime(2026, 11, 5, 9, tzinfo=tz)) == "2026-10"


@pytest.mark.django_db
def test_demo(october):
    from gridcheck.assessment.demo import demo_assessment

    result = demo_assessment(on=datetime.date(2026, 11, 20))
    assert result["months"] == ["2026-09", "2026-10"]
    assert result["approved"] == 1 and result["pending"] == 1
    assert demo_assessment(on=datetime.date(2026, 11, 20))["adjustments"] == 0  # kept
