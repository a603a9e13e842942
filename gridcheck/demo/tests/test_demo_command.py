"""``gridcheck demo``: builds the simulated county, one login per role, and a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from gridcheck.archive.models import (
    Area,
    Company,
    Customer,
    ImportBatch,
    Line,
    Meter,
    MeteringPoint,
    Station,
    Tariff,
)
from gridcheck.billing.tests.demo_checks import assert_demo_billing, billing_state
from gridcheck.core.roles import Role
from gridcheck.hazards.models import Hazard, Notice
from gridcheck.lineloss.models import AreaMonthLoss
from gridcheck.users.models import Qualification, User
from gridcheck_analytics.datasets import simulate_county

MODELS = (Company, Station, Line, Area, Tariff, Customer, MeteringPoint, Meter, User, Qualification)


def _counts() -> dict[str, tuple[int, int]]:
    """Rows and history rows of every archive and staff model."""
    return {m.__name__: (m.objects.count(), m.history.count()) for m in MODELS}


def _demo(tmp_path, **options) -> str:
    out = StringIO()
    with override_settings(GRIDCHECK_DATA_DIR=str(tmp_path / "data")):
        # The audit's injected anomalies change the archive on purpose: gridcheck/audit/tests/test_demo.py.
        options.setdefault("skip_audit", True)
        call_command("demo", customers=300, directory=str(tmp_path), stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_builds_the_county_and_a_second_run_changes_nothing(tmp_path, client):
    output = _demo(tmp_path)
    expected = simulate_county(n_customers=300)
    # Each temporary supply of the demo opened its own (temporary) customer account.
    from gridcheck.temporary_supply.models import TemporarySupply

    assert Customer.objects.count() == 300 + TemporarySupply.objects.count()
    assert TemporarySupply.objects.exists()
    # Meter data was simulated into the store and the last month analysed: every area has its loss.
    assert (tmp_path / "data").is_dir()
    assert AreaMonthLoss.objects.values("area").distinct().count() == Area.objects.count()
    assert Station.objects.count() == len(expected["stations"]) == 8
    assert Area.objects.count() == len(expected["areas"])
    assert MeteringPoint.objects.count() == len(expected["metering_points"])
    # The billing step changes one meter in the middle of a month, the metering ledger's demo another:
    # each new meter is one more.
    from gridcheck.billing.models import MeterExchange
    from gridcheck.metering.models import MeterChange

    changed = MeterExchange.objects.count() + MeterChange.objects.count()
    assert Meter.objects.count() == len(expected["meters"]) + changed
    assert MeterExchange.objects.count() == 1
    assert User.objects.exclude(role=Role.CUSTOMER).count() == len(expected["staff"])
    # The hazard simulation adds the customer portal login, linked to its customer.
    assert User.objects.filter(role=Role.CUSTOMER, username="customer_demo").exists()
    # The service desk adds electricians (portal logins) of important customers, with their questions.
    from gridcheck.servicedesk.models import Complaint, Consultation

    assert User.objects.filter(role=Role.CUSTOMER, username__startswith="electrician_demo").exists()
    assert Consultation.objects.filter(escalated_at__isnull=False).exists()
    assert Consultation.objects.filter(rating__isnull=False).exists()
    assert Complaint.objects.filter(status="closed").exists()
    from gridcheck.servicedesk.models import Announcement, GuidanceDocument, ReadReceipt

    assert GuidanceDocument.objects.count() == 4 and ReadReceipt.objects.exists()
    from gridcheck.servicedesk.models import PublicityCampaign, TypicalCase

    # Two announcements, and the published typical case announced on the portal.
    assert Announcement.objects.count() == 2 + TypicalCase.objects.exclude(announcement=None).count()
    assert PublicityCampaign.objects.filter(status="held").exists()
    assert TypicalCase.objects.filter(status="published").exists()
    from gridcheck.servicedesk.models import Attendance, QuizResult

    assert Attendance.objects.exists() and QuizResult.objects.exists()
    assert Hazard.objects.exists() and Notice.objects.exists()
    assert Qualification.objects.count() == len(expected["qualifications"])
    assert Tariff.objects.count() == 18
    # Station is repeated on customers from their area; owners are set.
    assert not Customer.objects.exclude(station=F("area__station")).exists()
    assert Area.objects.filter(owner__role=Role.AREA_MANAGER).count() >= 1
    for entity in ("stations", "customers", "meters"):
        assert (tmp_path / f"{entity}.csv").is_file()

    _assert_collection()
    _assert_management()
    assert_demo_billing(output)

    first = _counts()
    collection = _collection_counts()
    billing = billing_state()
    _demo(tmp_path)
    assert _counts() == first
    assert _collection_counts() == collection
    assert billing_state() == billing
    second_run = ImportBatch.objects.filter(status=ImportBatch.Status.SUCCEEDED).order_by("-pk")[
        : len(expected)
    ]
    assert len(second_run) == len(expected) == 9
    for batch in second_run:
        assert (batch.rows_created, batch.rows_updated) == (0, 0), batch.entity
        assert batch.rows_unchanged == len(expected[batch.entity]), batch.entity

    # One login per role works with the password shown on screen.
    logins = _logins(output, "gridcheck-demo")
    roles = {User.objects.get(username=username).role: username for username in logins}
    assert set(roles) == set(Role.values)
    for role, username in roles.items():
        assert _login(client, username, "gridcheck-demo"), role
        client.logout()
    admin = User.objects.get(username=roles[Role.ADMINISTRATOR])
    assert admin.is_superuser and admin.is_staff and admin.station_id is None
    assert User.objects.get(username=roles[Role.GOVERNMENT_LIAISON]).station_id is None
    # The customer's portal login belongs to a customer, not to a station.
    portal = User.objects.get(username=roles[Role.CUSTOMER])
    assert portal.station_id is None and portal.customer_contact.customer_id is not None
    for role in set(Role.values) - {Role.ADMINISTRATOR, Role.GOVERNMENT_LIAISON, Role.CUSTOMER}:
        user = User.objects.get(username=roles[role])
        assert user.station.code == "S01", role
        assert not user.is_superuser
    # The area manager shown owns areas; the inspector shown holds a valid qualification.
    assert Area.objects.filter(owner__username=roles[Role.AREA_MANAGER]).exists()
    assert User.objects.get(username=roles[Role.INSPECTOR]).valid_qualification_on(timezone.localdate())
    # The demo inspector has today's visits on the phone (suspects' work orders, or the station's open
    # ones where it has too few suspects), each with a colleague.
    from gridcheck.inspections.models import WorkOrder

    mine = WorkOrder.objects.filter(assignments__inspector__username=roles[Role.INSPECTOR])
    assert mine.exists()
    for order in mine:
        assert order.status == "assigned" and order.visit_date == timezone.localdate()
        assert order.assignments.count() == 2
    assert _login(client, roles[Role.INSPECTOR], "gridcheck-demo")
    page = client.get("/inspections/mine/").content.decode()
    assert all(order.number in page for order in mine)


def _collection_counts() -> dict[str, int]:
    from gridcheck.collection import models

    names = ("Payment", "PaymentAllocation", "Receivable", "BankFile", "DunningNotice", "Disconnection")
    return {n: getattr(models, n).objects.count() for n in names + ("BankDeposit", "CollectionEvent")}


def _assert_management() -> None:
    """Loss management, scorecards and the first station's reports of the last month."""
    from gridcheck.assessment.models import Adjustment, Scorecard
    from gridcheck.lineloss.models import StationLossIndicator, TheoreticalLoss
    from gridcheck.reports.models import GeneratedReport

    assert StationLossIndicator.objects.exists() and TheoreticalLoss.objects.exists()
    months = set(Scorecard.objects.values_list("month", flat=True))
    assert len(months) == 2
    assert set(Adjustment.objects.values_list("status", flat=True)) >= {"approved", "proposed"}
    generated = GeneratedReport.objects.all()
    assert {"economic_activity", "lineloss_monthly"} <= set(generated.values_list("kind", flat=True))
    assert all(report.pdf and report.xlsx for report in generated)


def _assert_collection() -> None:
    """The demo station's year of collection: bank files with one unmatched row, late fees charged,
    customers in arrears dunned, disconnections cut and reconnected, one reconciliation difference."""
    from decimal import Decimal

    from django.db.models import Sum

    from gridcheck.billing.models import Bill
    from gridcheck.collection.models import (
        BankDeposit,
        BankFile,
        BankFileRow,
        Disconnection,
        DunningNotice,
        Payment,
        PaymentAllocation,
        Receivable,
        Reversal,
    )

    issued = Bill.objects.filter(status__in=["issued", "adjusted"]).count()
    assert Receivable.objects.count() == issued > 0
    files = BankFile.objects.count()
    assert files >= 10 and BankFileRow.objects.count() == 1
    assert (
        Payment.objects.filter(bank_file__isnull=False).count()
        > Payment.objects.filter(channel="counter").count()
    )
    assert PaymentAllocation.objects.filter(late_fee_yuan__gt=0).exists()
    assert Receivable.objects.filter(status="open", late_fee_accrued_yuan__gt=0).exists()
    assert (
        DunningNotice.objects.filter(status__in=["delivered", "settled"], delivered_by__isnull=False).count()
        >= 4
    )
    statuses = set(Disconnection.objects.values_list("status", flat=True))
    assert {"reconnected", "reconnect_ordered"} <= statuses
    assert Reversal.objects.filter(status="approved").count() == 1
    assert Reversal.objects.filter(status="pending").count() == 1
    # The temporary supplies' prepayments (top-ups at the counter, after collection's demo) are not
    # deposited by it.
    handed = (
        Payment.objects.filter(
            channel__in=["counter", "rural_electrician"], status__in=["posted", "reversal_pending"]
        )
        .exclude(kind="top_up")
        .aggregate(s=Sum("amount_yuan"))["s"]
    )
    assert BankDeposit.objects.aggregate(s=Sum("amount_yuan"))["s"] == handed - Decimal("100.00")


def _login(client, username: str, password: str) -> bool:
    """Log in through the real login form (django-axes needs the request); True when it let us in."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def _logins(output: str, password: str) -> list[str]:
    """Usernames of the printed login table (role, username, password, station)."""
    rows = [line.split() for line in output.splitlines() if f" {password} " in line]
    return [row[1] for row in rows if len(row) >= 4 and row[2] == password]


@pytest.mark.django_db
def test_demo_refuses_a_weak_password(tmp_path):
    with pytest.raises(CommandError):
        _demo(tmp_path, password="123")
    assert not User.objects.filter(username="admin").exclude(password__startswith="!").exists()


@pytest.mark.django_db
def test_demo_password_option(tmp_path, client):
    # The password goes to the staff logins and to the portal logins (the hazards' customer, the service
    # desk's electricians); the meter data, bills and the rest (--skip-meter-data) have no login, and the
    # whole demo is built by the test above.
    output = _demo(tmp_path, password="another-demo-pw", skip_meter_data=True)
    assert "another-demo-pw" in output
    assert _login(client, "s01_head", "another-demo-pw")
    client.logout()
    assert _login(client, "customer_demo", "another-demo-pw")
    client.logout()
    assert _login(client, "electrician_demo1", "another-demo-pw")
    client.logout()
    assert not _login(client, "s01_insp2", "gridcheck-demo")
