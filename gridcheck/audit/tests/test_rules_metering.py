"""Metering rules (电能计量, JL-01..JL-09): each with a hand-made positive and negative case on the small
county."""

import datetime
from decimal import Decimal

import pandas as pd
import pytest
from django.utils import timezone

from gridcheck.archive.models import Meter, MeteringPoint
from gridcheck.audit import library  # noqa: F401 - registers the rules
from gridcheck.audit.engine import RULES, RuleContext
from gridcheck.billing.models import Bill, MeterExchange, MeterReading, ReadingBook, ReadingCycle
from gridcheck.seals.models import Pliers, PliersLoan, Seal, SealBatch, SealBreak, SealMovement, SealUse

MONTH = datetime.date(2025, 3, 1)
ON = datetime.date(2025, 4, 10)


def hits(code: str, *, on=ON, month=MONTH, area_ids=None, **params) -> dict:
    """The hits of rule ``code`` by key, under its default thresholds (``params`` override them)."""
    definition = RULES[code]
    values = {name: Decimal(value) for name, value in definition.default_params().items()}
    values.update({name: Decimal(str(value)) for name, value in params.items()})
    context = RuleContext(on=on, month=month, params=values, area_ids=area_ids)
    found = {}
    for hit in definition.function(context):
        assert hit.key not in found, f"{code} found {hit.key} twice"
        found[hit.key] = hit
    return found


def meter(county, key: str) -> Meter:
    return Meter.objects.get(metering_point__customer=county.customers[key], status="in_service")


def point(county, key: str) -> MeteringPoint:
    return MeteringPoint.objects.get(customer=county.customers[key])


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def cycle(county):
    """A reading cycle of the audited month for the east station (rows are added by the tests)."""
    book = ReadingBook.objects.create(
        station=county.stations["east"],
        code="E-01",
        name="东城一册",
        reading_day=5,
        reader=county.users["reader_east"],
    )
    return ReadingCycle.objects.create(
        book=book,
        station=county.stations["east"],
        period=MONTH,
        reading_date=datetime.date(2025, 4, 5),
        previous_reading_date=datetime.date(2025, 3, 5),
    )


def reading(county, cycle, key: str, **fields) -> MeterReading:
    customer = county.customers[key]
    return MeterReading.objects.create(
        cycle=cycle,
        meter=meter(county, key),
        customer=customer,
        station=customer.station,
        area=customer.area,
        read_on=cycle.reading_date,
        source="ami",
        **fields,
    )


def bill(county, cycle, key: str, energy_kwh) -> Bill:
    customer = county.customers[key]
    return Bill.objects.create(
        number=f"B{customer.account_number}",
        customer=customer,
        station=customer.station,
        area=customer.area,
        cycle=cycle,
        period=MONTH,
        period_start=cycle.previous_reading_date,
        period_end=cycle.reading_date,
        tariff_code=customer.tariff_code,
        tariff_name="一般工商业",
        energy_kwh=Decimal(energy_kwh),
        energy_charge_yuan=Decimal("1.00"),
        total_yuan=Decimal("1.00"),
    )


# ------------------------------------------------------------------------------------------- JL-01
def test_jl01_ct_load_outside_the_band(county, cycle):
    """50 kVA at 380 V is about 76 A: a 200 A CT is loaded 38 % (fine), a 600 A CT 13 % (too big); a
    demand of 120 kW through a 100 A CT is far above its rating."""
    MeteringPoint.objects.filter(pk=point(county, "east12").pk).update(ct_primary_a=200)
    MeteringPoint.objects.filter(pk=point(county, "west12").pk).update(ct_primary_a=600)
    MeteringPoint.objects.filter(pk=point(county, "east22").pk).update(ct_primary_a=200)
    reading(county, cycle, "east22", max_demand_kw=Decimal("150"))  # 150/0.9 kVA at 380 V: 253 A
    found = hits("JL-01")
    assert set(found) == {f"metering-point:{point(county, k).pk}" for k in ("west12", "east22")}
    west = found[f"metering-point:{point(county, 'west12').pk}"]
    assert "12.7%" in west.summary and "低于30%" in west.summary
    demand = found[f"metering-point:{point(county, 'east22').pk}"]
    assert "高于100%" in demand.summary and any("最大需量" in e.value for e in demand.evidence)
    # The area-themed run sees only its area.
    assert set(hits("JL-01", area_ids=[county.areas["east2"].pk])) == {
        f"metering-point:{point(county, 'east22').pk}"
    }


# ------------------------------------------------------------------------------------------- JL-02
def test_jl02_three_wire_meter_on_an_unbalanced_load(county, settings, tmp_path):
    from gridcheck_analytics.store import MeterStore

    settings.GRIDCHECK_DATA_DIR = str(tmp_path / "data")
    three_wire = {k: meter(county, k) for k in ("east12", "east22", "west12")}
    Meter.objects.filter(pk__in=[m.pk for m in three_wire.values()]).update(rated_voltage_v=Decimal("100"))
    store = MeterStore(settings.GRIDCHECK_DATA_DIR)
    stamp = pd.Timestamp("2025-03-12 08:00", tz="Asia/Shanghai")
    store.upsert(
        "events",
        pd.DataFrame(
            {
                "meter_id": [three_wire["east12"].asset_number, meter(county, "east11").asset_number],
                "timestamp": [stamp, stamp],
                "event_code": ["current_imbalance", "current_imbalance"],  # east11: a single-phase meter
            }
        ),
    )
    times = pd.date_range("2025-03-01", periods=4, freq="15min", tz="Asia/Shanghai")
    store.upsert(
        "curves",
        pd.DataFrame(
            {
                "meter_id": [three_wire["east22"].asset_number] * 4 + [three_wire["west12"].asset_number] * 4,
                "timestamp": list(times) * 2,
                "current_a_a": [10.0] * 4 + [10.0] * 4,
                "current_b_a": [None] * 8,
                "current_c_a": [4.0] * 4 + [9.0] * 4,  # east22: 60 % apart; west12: 10 %, within 20 %
            }
        ),
    )
    found = hits("JL-02")
    assert set(found) == {f"meter:{three_wire['east12'].pk}", f"meter:{three_wire['east22'].pk}"}
    assert "电流不平衡事件1次" in found[f"meter:{three_wire['east12'].pk}"].summary
    assert "60.0%" in found[f"meter:{three_wire['east22'].pk}"].summary


# ------------------------------------------------------------------------------------------- JL-03
def test_jl03_obsolete_meter_types(county):
    Meter.objects.filter(pk=meter(county, "east11").pk).update(max_current_a=Decimal("10"))  # 5(10)A: 2x
    Meter.objects.filter(pk=meter(county, "east21").pk).update(accuracy_class="3.0")
    Meter.objects.filter(pk=meter(county, "west11").pk).update(install_date=datetime.date(2006, 5, 1))
    Meter.objects.filter(pk=meter(county, "west21").pk).update(accuracy_class="0.5S")  # a fine class
    found = hits("JL-03")
    assert set(found) == {f"meter:{meter(county, k).pk}" for k in ("east11", "east21", "west11")}
    assert "过载倍数2.0倍" in found[f"meter:{meter(county, 'east11').pk}"].summary
    assert "2006年安装" in found[f"meter:{meter(county, 'west11').pk}"].summary
    assert set(hits("JL-03", before_year=2000)) == {
        f"meter:{meter(county, k).pk}" for k in ("east11", "east21")
    }


# ------------------------------------------------------------------------------------------- JL-04
def test_jl04_verification_overdue(county):
    """Meters of 2022 are young; a class-2 meter of 2016 is past 8 years, a 0.5S meter of 2018 past 6."""
    Meter.objects.filter(pk=meter(county, "east11").pk).update(install_date=datetime.date(2016, 3, 1))
    Meter.objects.filter(pk=meter(county, "east12").pk).update(
        install_date=datetime.date(2018, 3, 1), accuracy_class="0.5S"
    )
    Meter.objects.filter(pk=meter(county, "west11").pk).update(install_date=datetime.date(2018, 3, 1))  # 7 y
    found = hits("JL-04")
    assert set(found) == {f"meter:{meter(county, k).pk}" for k in ("east11", "east12")}
    assert "超过8年" in found[f"meter:{meter(county, 'east11').pk}"].summary
    assert "超过6年" in found[f"meter:{meter(county, 'east12').pk}"].summary
    # A removed meter or a closed customer is not audited.
    Meter.objects.filter(pk=meter(county, "east11").pk).update(status="removed")
    assert f"meter:{meter(county, 'east12').pk}" in hits("JL-04")


# ------------------------------------------------------------------------------------------- JL-05
def _seal(county, number: str, station="east", status="issued") -> Seal:
    batch = SealBatch.objects.get_or_create(
        station=county.stations[station],
        prefix="E",
        start_number=1,
        end_number=100,
        received_on=datetime.date(2025, 1, 1),
    )[0]
    return Seal.objects.create(
        batch=batch,
        station=county.stations[station],
        number=number,
        status=status,
        holder=county.users["inspector_east"] if status == "issued" else None,
    )


def test_jl05_meter_change_or_new_connection_without_a_seal(county):
    inspector = county.users["inspector_east"]
    exchanges = {}
    for key in ("east11", "west11"):
        old = meter(county, key)
        new = Meter.objects.create(
            metering_point=old.metering_point,
            asset_number=f"N{old.asset_number}",
            phase=old.phase,
            accuracy_class=old.accuracy_class,
            rated_current_a=old.rated_current_a,
            max_current_a=old.max_current_a,
            install_date=datetime.date(2025, 3, 14),
        )
        old.status = "removed"
        old.save()
        customer = county.customers[key]
        exchanges[key] = MeterExchange.objects.create(
            metering_point=old.metering_point,
            customer=customer,
            station=customer.station,
            changed_on=datetime.date(2025, 3, 14),
            old_meter=old,
            new_meter=new,
            old_multiplier=1,
            new_multiplier=1,
        )
    # east11's new meter was sealed the same day: accounted for.
    SealUse.objects.create(
        seal=_seal(county, "E000001", status="used"),
        meter=exchanges["east11"].new_meter,
        used_by=inspector,
        used_at=at(datetime.date(2025, 3, 14)),
        reason="meter_change",
    )
    # New connections in March: east22 sealed, west22 not; east21 was connected in February.
    for key, day in (("east22", 20), ("west22", 21), ("east21", 1)):
        county.customers[key].connected_on = datetime.date(2025, 3 if key != "east21" else 2, day)
        county.customers[key].save()
    SealUse.objects.create(
        seal=_seal(county, "E000002", status="used"),
        meter=meter(county, "east22"),
        used_by=inspector,
        used_at=at(datetime.date(2025, 3, 20)),
        reason="new_connection",
    )
    found = hits("JL-05")
    assert set(found) == {f"exchange:{exchanges['west11'].pk}", f"connection:{county.customers['west22'].pk}"}
    assert "新表无加封记录" in found[f"exchange:{exchanges['west11'].pk}"].summary


# ------------------------------------------------------------------------------------------- JL-06
def test_jl06_pliers_not_returned(county):
    head = county.users["head_east"]
    loans = {}
    for n, (issued, returned) in enumerate(
        [
            (datetime.date(2025, 4, 1), None),
            (datetime.date(2025, 4, 8), None),
            (datetime.date(2025, 3, 1), True),
        ]
    ):
        pliers = Pliers.objects.create(station=county.stations["east"], code=f"FQ-{n}")
        loans[n] = PliersLoan.objects.create(
            pliers=pliers,
            issued_to=county.users["inspector_east"],
            issued_by=head,
            issued_at=at(issued),
            purpose="换表",
            returned_at=at(datetime.date(2025, 3, 2)) if returned else None,
        )
    found = hits("JL-06")
    assert set(found) == {f"pliers-loan:{loans[0].pk}"}  # 9 days out; the second only 2 days
    assert "已9天未归还" in found[f"pliers-loan:{loans[0].pk}"].summary
    assert set(hits("JL-06", return_days=1)) == {f"pliers-loan:{loans[0].pk}", f"pliers-loan:{loans[1].pk}"}
    assert hits("JL-06", area_ids=[county.areas["east1"].pk]) == {}


# ------------------------------------------------------------------------------------------- JL-07
def test_jl07_seals_issued_and_not_accounted_for(county):
    inspector, head = county.users["inspector_east"], county.users["head_east"]
    seals = {n: _seal(county, f"E0000{n:02d}") for n in (10, 11, 12)}
    for n, day in (
        (10, datetime.date(2025, 2, 1)),
        (11, datetime.date(2025, 4, 1)),
        (12, datetime.date(2025, 1, 5)),
    ):
        SealMovement.objects.create(seal=seals[n], kind="issue", staff=inspector, by=head, at=at(day))
    # Seal 12 was found broken after its issue (its status not yet moved on): accounted for.
    SealBreak.objects.create(
        seal=seals[12], kind="found_broken", at=at(datetime.date(2025, 2, 1)), by=inspector, reason="现场发现"
    )
    found = hits("JL-07")
    assert set(found) == {f"seal:{seals[10].pk}"}
    assert "68天无使用或退回记录" in found[f"seal:{seals[10].pk}"].summary


# ------------------------------------------------------------------------------------------- JL-08
def test_jl08_active_account_without_a_meter(county):
    Meter.objects.filter(pk=meter(county, "east11").pk).update(status="removed")
    closed = county.customers["west11"]
    Meter.objects.filter(metering_point__customer=closed).update(status="removed")
    closed.status = "closed"
    closed.save()
    found = hits("JL-08")
    assert set(found) == {f"customer:{county.customers['east11'].pk}"}
    assert any("已拆除" in e.value for e in found[f"customer:{county.customers['east11'].pk}"].evidence)


# ------------------------------------------------------------------------------------------- JL-09
def test_jl09_capacity_above_the_contract(county, cycle):
    """east12 (50 kVA) shows a demand of 65 kW; east22 (50 kVA) billed 40,000 kWh in 31 days, 54 kW on
    average; east11 (8 kVA) with 2,000 kWh and 6 kW of demand stays within its contract."""
    reading(county, cycle, "east12", max_demand_kw=Decimal("65"))
    reading(county, cycle, "east11", max_demand_kw=Decimal("6"))
    bill(county, cycle, "east22", 40000)
    bill(county, cycle, "east11", 2000)
    found = hits("JL-09")
    assert set(found) == {f"customer:{county.customers[k].pk}" for k in ("east12", "east22")}
    assert "130.0%" in found[f"customer:{county.customers['east12'].pk}"].evidence[2].value
    assert "本月结算电量" in found[f"customer:{county.customers['east22'].pk}"].evidence[2].label
    assert set(hits("JL-09", demand_percent=150, average_percent=150)) == set()
