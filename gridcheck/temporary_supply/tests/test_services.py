"""Temporary supply's services: the life cycle, the limits, the prepayment, the daily job, the settlement,
unauthorised connections and scope. Amounts are worked by hand in each test."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.archive.choices import CustomerStatus
from gridcheck.cases.models import Case
from gridcheck.collection.selectors.payments import account_of
from gridcheck.inspections.models import WorkOrder
from gridcheck.notifications.models import Message
from gridcheck.temporary_supply import services
from gridcheck.temporary_supply.choices import ExtensionStatus, SupplyStatus
from gridcheck.temporary_supply.models import UnauthorisedConnection
from gridcheck.temporary_supply.tests.helpers import apply, connected, prepay, today

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_lifecycle_apply_approve_connect_end_close(county):
    supply = apply(county)
    assert supply.status == SupplyStatus.APPLIED
    assert supply.customer.status == CustomerStatus.SUSPENDED
    assert supply.customer.account_number.startswith("LS")
    # 10 kW × 8 h × 60 days × 0.65 yuan/kWh = 3,120.00 yuan (art. 87)
    assert supply.prepayment_yuan == Decimal("3120.00")
    supply = services.temporary_supply_approve(user=county.users["head_east"], supply=supply)
    assert supply.status == SupplyStatus.APPROVED and supply.contract is not None
    prepay(county, supply)
    supply = services.temporary_supply_connect(user=county.users["auditor_east"], supply=supply)
    assert supply.status == SupplyStatus.CONNECTED
    supply.customer.refresh_from_db()
    assert supply.customer.status == CustomerStatus.ACTIVE
    counts = services.temporary_supply_daily(on=supply.end_on + DAY)
    assert counts["ended"] == 1
    supply.refresh_from_db()
    assert supply.status == SupplyStatus.ENDED and supply.disconnection_work_order is not None
    supply = services.temporary_supply_close(
        user=county.users["auditor_east"], supply=supply, completion="removed", closed_on=today()
    )
    assert supply.status == SupplyStatus.CLOSED
    statuses = list(supply.events.values_list("to_status", flat=True))
    assert statuses == ["applied", "approved", "connected", "ended", "closed"]
    supply.customer.refresh_from_db()
    assert supply.customer.status == CustomerStatus.CLOSED


def test_more_than_six_months_refused(county):
    start = datetime.date(2026, 1, 31)
    with pytest.raises(ValidationError) as error:
        apply(county, start=start, end=datetime.date(2026, 8, 1), applied_on=datetime.date(2025, 12, 1))
    assert "2026-07-31" in str(error.value)
    assert not county.areas["east1"].customers.filter(account_number__startswith="LS").exists()
    # exactly six months is accepted
    supply = apply(county, start=start, end=datetime.date(2026, 7, 31), applied_on=datetime.date(2025, 12, 1))
    assert supply.end_on == datetime.date(2026, 7, 31)


def test_connect_refused_without_prepayment_or_contract(county):
    supply = apply(county)
    with pytest.raises(ValidationError):  # not approved: no contract
        services.temporary_supply_connect(user=county.users["auditor_east"], supply=supply)
    supply = services.temporary_supply_approve(user=county.users["head_east"], supply=supply)
    prepay(county, supply, Decimal("100.00"))
    with pytest.raises(ValidationError) as error:
        services.temporary_supply_connect(user=county.users["auditor_east"], supply=supply)
    assert "3120.00" in str(error.value)
    supply.refresh_from_db()
    assert supply.status == SupplyStatus.APPROVED
    # the contract terminated: refused although prepaid
    from gridcheck.contracts.services import contract_terminate

    prepay(county, supply, Decimal("3020.00"))
    contract_terminate(contract=supply.contract, user=county.users["head_east"], on=today(), reason="x")
    with pytest.raises(ValidationError) as error:
        services.temporary_supply_connect(
            user=county.users["auditor_east"], supply=supply, on=today() + DAY * 0
        )
    assert supply.customer.account_number in str(error.value)


def test_preparer_may_not_approve(county):
    supply = apply(county, user="head_east")
    with pytest.raises(PermissionDenied):
        services.temporary_supply_approve(user=county.users["head_east"], supply=supply)
    with pytest.raises(PermissionDenied):  # an auditor lacks approve_station
        services.temporary_supply_approve(user=county.users["auditor_east"], supply=supply)


def test_extension_approved_by_another_person_only(county):
    supply = connected(county)
    with pytest.raises(ValidationError):  # more than six months beyond the present end
        services.temporary_supply_extension_request(
            user=county.users["auditor_east"],
            supply=supply,
            new_end_on=supply.end_on + DAY * 200,
            reason="工期",
        )
    extension = services.temporary_supply_extension_request(
        user=county.users["head_east"], supply=supply, new_end_on=supply.end_on + DAY * 30, reason="工期延长"
    )
    with pytest.raises(PermissionDenied):
        services.temporary_supply_extension_decide(
            user=county.users["head_east"], extension=extension, approve=True
        )
    services.temporary_supply_extension_decide(user=county.users["admin"], extension=extension, approve=True)
    supply.refresh_from_db()
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert supply.status == SupplyStatus.EXTENDED
    assert supply.end_on == supply.original_end_on + DAY * 30
    # 10 × 8 × 90 × 0.65 = 4,680.00 yuan for the longer term
    assert supply.prepayment_yuan == Decimal("4680.00")
    supply.contract.refresh_from_db()
    assert supply.contract.valid_to == supply.end_on


def test_daily_job_notifies_once_then_raises_disconnection(county):
    supply = connected(county)
    before = supply.end_on - DAY * 20
    assert services.temporary_supply_daily(on=before)["reminded"] == 0
    on = supply.end_on - DAY * 10
    first = services.temporary_supply_daily(on=on)
    second = services.temporary_supply_daily(on=on + DAY)
    assert first["reminded"] == 1 and second["reminded"] == 0
    sms = Message.objects.filter(channel="sms", recipient_address="13800000001")
    in_app = Message.objects.filter(channel="in_app")
    assert sms.count() == 1
    # the station's contract managers: head_east and auditor_east
    assert sorted(in_app.values_list("recipient_user__username", flat=True)) == ["auditor_east", "head_east"]
    assert services.temporary_supply_daily(on=supply.end_on)["ended"] == 0
    assert services.temporary_supply_daily(on=supply.end_on + DAY)["ended"] == 1
    assert services.temporary_supply_daily(on=supply.end_on + DAY * 2)["ended"] == 0
    orders = WorkOrder.objects.filter(related_type="temporary_supply.temporarysupply", related_id=supply.pk)
    assert orders.count() == 1 and orders.get().customer_id == supply.customer_id


def test_settlement_capacity_time_used_less_than_half(county):
    supply = connected(county)  # 60 agreed days, prepaid 3,120.00
    closed_on = today()
    supply = services.temporary_supply_close(
        user=county.users["auditor_east"], supply=supply, completion="removed", closed_on=closed_on
    )
    # used 1 day of 60 (< half): half of 3,120.00 refunded; charge 1,560.00; refund 1,560.00
    assert supply.used_days == 1 and supply.term_days == 60
    assert supply.charge_yuan == Decimal("1560.00")
    assert supply.refund_yuan == Decimal("1560.00")
    assert supply.balance_due_yuan == Decimal("0.00")
    assert account_of(supply.customer).credit_yuan == Decimal("0.00")


def test_settlement_capacity_time_used_more_than_half(county):
    start = today() - DAY * 40
    supply = apply(county, start=start, end=start + DAY * 59, applied_on=start - DAY)
    supply = services.temporary_supply_approve(user=county.users["head_east"], supply=supply, on=start)
    prepay(county, supply, Decimal("3200.00"))
    supply.contract.refresh_from_db()
    supply = services.temporary_supply_connect(user=county.users["auditor_east"], supply=supply, on=start)
    supply = services.temporary_supply_close(
        user=county.users["auditor_east"], supply=supply, completion="converted", closed_on=today()
    )
    # used 41 of 60 days (> half): nothing refunded of the 3,120.00; prepaid 3,200.00 -> refund 80.00
    assert supply.used_days == 41
    assert supply.charge_yuan == Decimal("3120.00")
    assert supply.refund_yuan == Decimal("80.00")
    assert supply.completion == "converted"
    supply.customer.refresh_from_db()
    assert supply.customer.status == CustomerStatus.ACTIVE


def test_settlement_metered(county):
    supply = connected(county, mode="meter")  # estimate prepaid 3,120.00; reading 100 at connection
    supply = services.temporary_supply_close(
        user=county.users["auditor_east"], supply=supply, completion="removed", final_reading_kwh="1334.5"
    )
    # 1,234.5 kWh × 0.65 = 802.425 -> 802.43 yuan; refund 3,120.00 − 802.43 = 2,317.57
    assert supply.energy_kwh == Decimal("1234.50")
    assert supply.charge_yuan == Decimal("802.43")
    assert supply.refund_yuan == Decimal("2317.57")
    with pytest.raises(ValidationError):
        services.settlement(supply, closed_on=today(), final_reading_kwh="50", prepaid_yuan=Decimal("0"))


def test_metered_connection_needs_reading(county):
    supply = apply(county, mode="meter")
    supply = services.temporary_supply_approve(
        user=county.users["head_east"], supply=supply, prepayment_yuan="500"
    )
    assert supply.prepayment_yuan == Decimal("500.00")
    prepay(county, supply)
    with pytest.raises(ValidationError):
        services.temporary_supply_connect(user=county.users["auditor_east"], supply=supply)


def test_unauthorised_connection_by_staff_is_fined(county):
    record = services.unauthorised_connection_record(
        user=county.users["auditor_east"],
        area=county.areas["east1"],
        found_on=today(),
        address="某村晒场",
        connected_by="staff",
        staff=county.users["reader_east"],
        facts="未办手续私接临时电源",
    )
    assert record.fine_yuan == Decimal("200.00")
    assert record.staff == county.users["reader_east"] and record.case is None
    with pytest.raises(ValidationError):  # a west inspector is not on the east station's staff
        services.unauthorised_connection_record(
            user=county.users["auditor_east"],
            area=county.areas["east1"],
            found_on=today(),
            address="x",
            connected_by="staff",
            staff=county.users["inspector_west"],
            facts="x",
        )


def test_unauthorised_connection_by_customer_opens_theft_case(county):
    supply = apply(county)
    record = services.unauthorised_connection_record(
        user=county.users["inspector_east"],
        area=county.areas["east1"],
        found_on=today(),
        address=supply.address,
        connected_by="customer",
        supply=supply,
        facts="用户自行搭接",
    )
    case = Case.objects.get(pk=record.case_id)
    assert case.kind == "theft" and case.theft_type == "tap_supply_facility"
    assert case.customer_id == supply.customer_id
    assert UnauthorisedConnection.objects.filter(connected_by="customer").count() == 1


def test_scope_east_user_cannot_touch_west(county):
    supply = apply(county, key="west", user="admin")
    with pytest.raises(PermissionDenied):
        services.temporary_supply_approve(user=county.users["head_east"], supply=supply)
    with pytest.raises(PermissionDenied):
        apply(county, key="west", user="auditor_east")
    with pytest.raises(PermissionDenied):  # an inspector may not apply
        apply(county, user="inspector_east")
