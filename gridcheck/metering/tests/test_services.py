"""Services of the metering ledger: due dates from the rule table, acceptance before installing, the
meter change (archive, seals, registers), faults and notices, the archive sync, the daily reminders."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.archive.models import Meter, MeteringPoint
from gridcheck.metering import selectors, services
from gridcheck.metering.choices import ACCEPTANCE_CHECKLIST, AssetStatus, NoticeStatus
from gridcheck.metering.models import Asset, AssetEvent, MeterChange
from gridcheck.notifications.models import Message
from gridcheck.seals import services as seal_services
from gridcheck.seals.choices import SealStatus
from gridcheck.seals.models import Seal, SealBreak, SealUse

pytestmark = pytest.mark.django_db

ALL_OK = {key: True for key, _label in ACCEPTANCE_CHECKLIST}


@pytest.mark.parametrize(
    ("kind", "klass", "verified", "due"),
    [
        ("meter", "2.0", datetime.date(2020, 5, 10), datetime.date(2028, 5, 10)),
        ("meter", "0.5S", datetime.date(2020, 5, 10), datetime.date(2026, 5, 10)),
        ("meter", "1", datetime.date(2020, 2, 29), datetime.date(2028, 2, 29)),
        ("meter", "0.2S", datetime.date(2020, 2, 29), datetime.date(2026, 2, 28)),
        ("ct", "0.5S", datetime.date(2010, 1, 1), datetime.date(2030, 1, 1)),
        ("pt", "0.5", datetime.date(2010, 1, 1), datetime.date(2020, 1, 1)),
        ("meter", "2.0", None, None),
    ],
)
def test_due_date_from_the_rule_table(kind, klass, verified, due):
    assert services.due_date(kind=kind, accuracy_class=klass, verified_on=verified) == due


def test_sync_creates_each_meter_once_and_links_an_imported_asset(county):
    first = services.assets_sync_from_archive()
    assert first == {"created": Meter.objects.count(), "linked": 0}
    assert services.assets_sync_from_archive() == {"created": 0, "linked": 0}
    asset = Asset.objects.get(asset_number="M1100000001")
    assert asset.meter.asset_number == "M1100000001"
    assert asset.status == AssetStatus.INSTALLED
    assert asset.station == county.stations["east"]
    assert asset.due_on == datetime.date(2030, 3, 1)  # class 2.0 installed 2022-03-01: 8 years


def test_verify_recomputes_due(county, synced):
    asset = synced["M1100000001"]
    services.asset_verify(
        asset=asset, user=county.users["inspector_east"], verified_on=datetime.date(2025, 6, 1)
    )
    asset.refresh_from_db()
    assert asset.due_on == datetime.date(2033, 6, 1)
    with pytest.raises(ValidationError):
        services.asset_verify(
            asset=asset, user=county.users["inspector_east"], verified_on=datetime.date(2024, 1, 1)
        )


def test_acceptance_required_before_install(county, synced, stock_meter):
    inspector, second = county.users["inspector_east"], county.users["inspector2_east"]
    point = MeteringPoint.objects.create(customer=county.customers["east11"], code="MPNEW1")
    with pytest.raises(ValidationError, match="验收"):
        services.asset_install(asset=stock_meter, metering_point=point, user=inspector)
    failed = services.acceptance_record(
        user=inspector,
        metering_point=point,
        assets=[stock_meter],
        checklist={**ALL_OK, "seals": False},
        second_person=second,
    )
    assert failed.result == "failed"
    with pytest.raises(ValidationError):
        services.asset_install(asset=stock_meter, metering_point=point, user=inspector)
    with pytest.raises(ValidationError):  # one person is not an acceptance
        services.acceptance_record(
            user=inspector,
            metering_point=point,
            assets=[stock_meter],
            checklist=ALL_OK,
            second_person=inspector,
        )
    services.acceptance_record(
        user=inspector, metering_point=point, assets=[stock_meter], checklist=ALL_OK, second_person=second
    )
    asset = services.asset_install(
        asset=stock_meter, metering_point=point, user=inspector, installed_on=datetime.date(2026, 11, 2)
    )
    assert asset.status == AssetStatus.INSTALLED
    meter = Meter.objects.get(asset_number="NEW0001")
    assert meter.metering_point == point and meter.status == "in_service"
    assert asset.meter == meter
    assert list(asset.events.values_list("to_status", flat=True)) == ["installed", "in_stock"]


def _seal_on_old_meter(county, synced, issued_seals):
    old_meter = synced["M1100000001"].meter
    seal_services.seal_use(
        seal=issued_seals[0], meter=old_meter, used_by=county.users["inspector_east"], reason="new_connection"
    )
    return Seal.objects.get(pk=issued_seals[0].pk)


def test_meter_change_updates_archive_seals_and_registers(county, synced, stock_meter, issued_seals):
    inspector, second = county.users["inspector_east"], county.users["inspector2_east"]
    on_meter = _seal_on_old_meter(county, synced, issued_seals)
    change = services.meter_change(
        user=inspector,
        old_asset=synced["M1100000001"],
        new_asset=stock_meter,
        changed_on=datetime.date(2026, 11, 10),
        reason="rotation",
        old_registers={"total": "1234.5", "peak": "400", "flat": "500", "valley": "334.5"},
        new_registers={"total": "0", "peak": "0", "flat": "0", "valley": "0"},
        second_person=second,
        seals_removed=[on_meter],
        seals_used=issued_seals[1:3],
    )
    change = MeterChange.objects.get(pk=change.pk)
    assert change.old_total == Decimal("1234.50") and change.old_valley == Decimal("334.50")
    assert change.new_total == 0
    old = Meter.objects.get(asset_number="M1100000001")
    new = Meter.objects.get(asset_number="NEW0001")
    assert old.status == "removed" and new.status == "in_service"
    assert new.metering_point_id == old.metering_point_id
    assert Asset.objects.get(asset_number="M1100000001").status == AssetStatus.REMOVED
    assert Asset.objects.get(asset_number="NEW0001").status == AssetStatus.INSTALLED
    assert SealBreak.objects.get(seal=on_meter).second_person == second
    assert Seal.objects.get(pk=on_meter.pk).status == SealStatus.BROKEN
    assert set(SealUse.objects.filter(meter=new).values_list("seal_id", flat=True)) == {
        s.pk for s in issued_seals[1:3]
    }
    assert set(change.seals_removed.all()) == {on_meter}
    assert change.seals_used.count() == 2


def test_meter_change_refused_whole(county, synced, stock_meter, issued_seals):
    inspector = county.users["inspector_east"]
    kwargs = dict(
        user=inspector,
        old_asset=synced["M1100000001"],
        new_asset=stock_meter,
        changed_on=datetime.date(2026, 11, 10),
        reason="fault",
        old_registers={"total": "100", "peak": "10", "flat": "10", "valley": "10"},
        new_registers={"total": "0"},
        second_person=county.users["inspector2_east"],
        seals_used=issued_seals[1:2],
    )
    with pytest.raises(ValidationError, match="不符"):
        services.meter_change(**kwargs)
    with pytest.raises(ValidationError):
        services.meter_change(**{**kwargs, "old_registers": {"total": "100"}, "second_person": inspector})
    with pytest.raises(ValidationError):
        services.meter_change(**{**kwargs, "old_registers": {"total": "100"}, "seals_used": []})
    assert Meter.objects.get(asset_number="M1100000001").status == "in_service"
    assert Seal.objects.get(pk=issued_seals[1].pk).status == SealStatus.ISSUED
    assert not MeterChange.objects.exists()


def test_fault_notice_and_overdue_list(county, synced):
    inspector = county.users["inspector_east"]
    asset = synced["M1100000002"]
    fault = services.asset_fault_record(
        asset=asset, user=inspector, found_on=datetime.date(2026, 11, 1), kind="wiring"
    )
    assert Asset.objects.get(pk=asset.pk).status == AssetStatus.FAULTY
    notice = services.notice_issue(
        user=inspector,
        metering_point=asset.metering_point,
        asset=asset,
        fault=fault,
        problem="接线错误",
        issued_on=datetime.date(2026, 11, 1),
    )
    assert notice.deadline == datetime.date(2026, 11, 16)  # metering.rectification_days = 15
    assert list(selectors.notices_overdue(inspector, on=datetime.date(2026, 11, 20))) == [notice]
    assert not selectors.notices_overdue(
        county.users["inspector_west"], on=datetime.date(2026, 11, 20)
    ).exists()
    services.asset_fault_close(fault=fault, user=inspector, outcome="repaired")
    assert Asset.objects.get(pk=asset.pk).status == AssetStatus.INSTALLED
    with pytest.raises(ValidationError):
        services.notice_close(notice=notice, user=inspector, outcome=" ")
    services.notice_close(notice=notice, user=inspector, outcome="已改正接线")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED


def test_scope_east_vs_west(county, synced, stock_meter):
    west = county.users["inspector_west"]
    assert not selectors.asset_ledger(west).filter(station=county.stations["east"]).exists()
    assert selectors.asset_ledger(west).filter(station=county.stations["west"]).exists()
    with pytest.raises(PermissionDenied):
        services.asset_verify(asset=stock_meter, user=west, verified_on=datetime.date(2026, 11, 1))
    with pytest.raises(PermissionDenied):  # the reader sees the ledger but may not change it
        services.asset_scrap(asset=stock_meter, user=county.users["reader_east"])
    with pytest.raises(PermissionDenied):
        services.asset_receive(
            user=west,
            station=county.stations["east"],
            kind="ct",
            asset_number="CT9",
            accuracy_class="0.5S",
            ratio=40,
        )


def test_due_list_and_reminders_once(county, synced):
    # Three east meters verified 2018 (class 2.0: due 2026), one due in 20 days.
    on = datetime.date(2026, 11, 20)
    Asset.objects.filter(asset_number="M1100000001").update(due_on=datetime.date(2026, 3, 1))
    Asset.objects.filter(asset_number="M1200000001").update(due_on=on + datetime.timedelta(days=20))
    Asset.objects.filter(asset_number="M2100000001").update(due_on=datetime.date(2026, 1, 1))
    head = county.users["head_east"]
    due = list(selectors.assets_due(head, on=on).values_list("asset_number", flat=True))
    assert due == ["M1100000001", "M1200000001"]
    assert list(
        selectors.assets_due(head, on=on, overdue_only=True).values_list("asset_number", flat=True)
    ) == ["M1100000001"]
    counts = services.metering_reminders(on=on)
    assert counts["assets"] == 3
    east_messages = Message.objects.filter(recipient_user__station=county.stations["east"])
    # head, auditor and the two inspectors of the east station manage metering; the reader does not
    assert {m.recipient_user.username for m in east_messages} == {
        "head_east",
        "auditor_east",
        "inspector_east",
        "inspector2_east",
    }
    assert "M1100000001" in east_messages.first().body
    before = Message.objects.count()
    assert services.metering_reminders(on=on)["messages"] == 0
    assert services.metering_reminders(on=on + datetime.timedelta(days=1))["messages"] == 0
    assert Message.objects.count() == before
    # a new due date (after a verification) is announced again
    Asset.objects.filter(asset_number="M1100000001").update(due_on=datetime.date(2026, 4, 1))
    assert services.metering_reminders(on=on + datetime.timedelta(days=2))["assets"] == 1


def test_events_logged_for_remove_and_scrap(county, synced):
    inspector = county.users["inspector_east"]
    asset = services.asset_remove(asset=synced["M1100000002"], user=inspector)
    assert Meter.objects.get(asset_number="M1100000002").status == "removed"
    services.asset_scrap(asset=asset, user=inspector)
    assert list(AssetEvent.objects.filter(asset=asset).values_list("to_status", flat=True)) == [
        "scrapped",
        "removed",
    ]
