"""Rules of the seal and pliers services: batches, issue and return, use, unsealing, broken seals."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridcheck.archive.models import Customer, Meter
from gridcheck.inspections.choices import WorkOrderSource
from gridcheck.seals import services
from gridcheck.seals.choices import SealStatus
from gridcheck.seals.models import Seal
from gridcheck.seals.tests.conftest import jpeg_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the msgids); the UI itself is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_seal_batch_issue_use_return(county, seals):
    assert [s.number for s in seals[:2]] == ["DF000001", "DF000002"]
    assert seals[0].history.count() == 1
    inspector = county.users["inspector_east"]
    assert services.seal_issue(seals=seals[:3], staff=inspector, by=county.users["head_east"]) == 3
    meter = Meter.objects.get(asset_number="M1100000001")
    use = services.seal_use(
        seal=seals[0], meter=meter, used_by=inspector, reason="inspection", photo=jpeg_upload()
    )
    assert use.photo and Seal.objects.get(pk=seals[0].pk).status == SealStatus.USED
    services.seal_return(seals=seals[1:3], staff=inspector, by=county.users["head_east"])
    assert Seal.objects.get(pk=seals[1].pk).status == SealStatus.RETURNED
    # A used seal cannot be issued again; a west inspector cannot take east seals.
    with pytest.raises(ValidationError):
        services.seal_issue(seals=[seals[0]], staff=inspector, by=county.users["head_east"])
    with pytest.raises(ValidationError):
        services.seal_issue(
            seals=[seals[4]], staff=county.users["inspector_west"], by=county.users["head_east"]
        )
    # Overlapping batch refused.
    with pytest.raises(ValidationError):
        services.seal_batch_create(
            station=county.stations["east"],
            prefix="DF",
            start_number=10,
            end_number=12,
            received_on=datetime.date(2026, 11, 1),
            received_by=None,
        )


def test_unsealing_needs_two_people(county, used_seal):
    inspector = county.users["inspector_east"]
    with pytest.raises(ValidationError, match="two people"):
        services.seal_unseal(seal=used_seal, by=inspector, second_person=None, reason="换表")
    with pytest.raises(ValidationError, match="two people"):
        services.seal_unseal(seal=used_seal, by=inspector, second_person=inspector, reason="换表")
    with pytest.raises(ValidationError):
        services.seal_unseal(
            seal=used_seal, by=inspector, second_person=county.users["inspector_west"], reason="换表"
        )
    event = services.seal_unseal(
        seal=used_seal, by=inspector, second_person=county.users["inspector2_east"], reason="换表"
    )
    assert event.second_person == county.users["inspector2_east"]
    assert Seal.objects.get(pk=used_seal.pk).status == SealStatus.BROKEN


def test_broken_seal_opens_a_work_order(county, used_seal):
    event = services.seal_broken_report(
        seal=used_seal, reported_by=county.users["reader_east"], reason="抄表时发现封印断开"
    )
    order = event.work_order
    assert order.source == WorkOrderSource.SEAL
    assert order.customer == Customer.objects.get(account_number="1100000002")
    assert used_seal.number in order.reason
    assert Seal.objects.get(pk=used_seal.pk).status == SealStatus.BROKEN


def test_broken_seal_work_order_due_by_the_rule(county, used_seal, monkeypatch):
    from dataclasses import replace
    from decimal import Decimal

    from gridcheck.core import rules
    from gridcheck_analytics.regulations import RuleTable, default_table

    key = "seals.broken_seal.work_order_due_days"
    table = default_table()
    changed = RuleTable(
        [replace(r, value=Decimal(5)) if r.key == key else r for r in table.rows()], table.regulations
    )
    monkeypatch.setattr(rules, "default_table", lambda: changed)
    at = timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 0))
    event = services.seal_broken_report(
        seal=used_seal, reported_by=county.users["reader_east"], reason="断开", at=at
    )
    assert event.work_order.due_on == datetime.date(2026, 11, 25)


def test_pliers_register(county):
    pliers = services.pliers_create(station=county.stations["east"], code="FQ-01")
    services.pliers_issue(
        pliers=pliers,
        issued_to=county.users["inspector_east"],
        issued_by=county.users["head_east"],
        purpose="普查",
    )
    with pytest.raises(ValidationError):
        services.pliers_issue(
            pliers=pliers,
            issued_to=county.users["inspector2_east"],
            issued_by=county.users["head_east"],
            purpose="x",
        )
    loan = services.pliers_return(pliers=pliers, returned_to=county.users["head_east"])
    assert loan.returned_at is not None
    pliers.refresh_from_db()
    assert pliers.status == "in_store" and pliers.history.count() == 3
