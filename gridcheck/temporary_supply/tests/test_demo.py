"""The demo builder on the small county: every kind of the ledger is there, and a second call adds nothing."""

import pytest

from gridcheck.temporary_supply.choices import Ledger, SupplyStatus
from gridcheck.temporary_supply.demo import demo_temporary_supply_build
from gridcheck.temporary_supply.models import TemporarySupply, UnauthorisedConnection
from gridcheck.temporary_supply.selectors import ledger_filter
from gridcheck.temporary_supply.tests.helpers import today

pytestmark = pytest.mark.django_db


def test_demo_builds_every_kind_once(county):
    counts = demo_temporary_supply_build(on=today())
    assert counts["supplies"] == 12 and counts["unauthorised"] == 1
    supplies = TemporarySupply.objects.all()
    # the west station has no one who may prepare an application: every supply is the east's
    assert set(supplies.values_list("station__code", flat=True)) == {"S01"}
    assert ledger_filter(supplies, Ledger.ENDING).count() >= 2
    assert ledger_filter(supplies, Ledger.OVERDUE).count() == 1
    assert ledger_filter(supplies, Ledger.UNPREPAID).filter(status=SupplyStatus.APPROVED).count() == 1
    closed = supplies.get(status=SupplyStatus.CLOSED)
    assert closed.refund_yuan is not None and closed.charge_yuan > 0
    assert supplies.filter(status=SupplyStatus.EXTENSION_REQUESTED).count() == 1
    assert UnauthorisedConnection.objects.get().fine_yuan == 200
    again = demo_temporary_supply_build(on=today())
    assert again["supplies"] == 12 and TemporarySupply.objects.count() == 12


def test_command_builds_the_demo_and_the_daily_job_ends_the_overdue_one(county):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("temporary_supply", "demo", stdout=out)
    assert "supplies 12" in out.getvalue()
    out = io.StringIO()
    call_command("temporary_supply", "daily", stdout=out)
    assert "ended 1" in out.getvalue()
    overdue = TemporarySupply.objects.get(status=SupplyStatus.ENDED)
    assert overdue.disconnection_work_order is not None
