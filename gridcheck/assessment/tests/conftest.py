"""A small county's October 2026 for assessment, with every figure's value worked out by hand.

East station, book B1 (reader ``reader_east``) covers areas east1 (owner ``manager_east``) and east2:

* readings: east11 handheld, east12 estimated, east21 AMI, east22 none
  -> reader: actual 2/3 = 66.6667 %, 1 estimated, 1 incomplete card (fine 1 x 5 yuan);
  -> manager_east (east1 only): actual 1/2 = 50 %;
* east11 is an important customer with a theft case dated 2026-10-05 -> manager_east: 1 key-customer theft;
* work order W1 (due 10-15, inspector_east + inspector2_east) visited 10-14 with a photo and the customer's
  signature; W2 (due 10-20, inspector_east only) visited 10-25 by inspector_east and inspector2_east,
  no photo -> inspector_east: on time 1/2, evidence 1/2; inspector2_east: on time 1/1, evidence 1/2;
* hazards: one due 10-10 rectified 10-08, one due 10-20 open -> station east: 50 % closed on time.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

MONTH = datetime.date(2026, 10, 1)


def aware(y, m, d, h=10):
    return timezone.make_aware(datetime.datetime(y, m, d, h, 0))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def october(county):
    from gridcheck.archive.models import Meter
    from gridcheck.billing.models import BookArea, MeterReading, ReadingBook, ReadingCycle
    from gridcheck.cases.models import Case
    from gridcheck.hazards.models import Hazard
    from gridcheck.inspections.models import Assignment, Visit, VisitPhoto, WorkOrder

    c = county
    east = c.stations["east"]
    book = ReadingBook.objects.create(
        station=east, code="B1", name="东城1册", reading_day=10, reader=c.users["reader_east"]
    )
    for key in ("east1", "east2"):
        BookArea.objects.create(book=book, area=c.areas[key])
    cycle = ReadingCycle.objects.create(
        book=book,
        station=east,
        period=MONTH,
        reading_date=datetime.date(2026, 10, 10),
        previous_reading_date=datetime.date(2026, 9, 10),
    )
    for key, source in (("east11", "handheld"), ("east12", "estimated"), ("east21", "ami")):
        customer = c.customers[key]
        MeterReading.objects.create(
            cycle=cycle,
            meter=Meter.objects.get(metering_point__customer=customer),
            customer=customer,
            station=east,
            area=customer.area,
            read_on=datetime.date(2026, 10, 10),
            source=source,
            total=Decimal("100"),
        )
    key_customer = c.customers["east11"]
    key_customer.is_important = True
    key_customer.save()
    Case.objects.create(
        number="CASE-1",
        kind="theft",
        theft_type="tap_supply_facility",
        customer=key_customer,
        station=east,
        case_date=datetime.date(2026, 10, 5),
        created_by=c.users["inspector_east"],
    )
    i1, i2 = c.users["inspector_east"], c.users["inspector2_east"]
    w1 = WorkOrder.objects.create(
        number="W1",
        source="plan",
        customer=c.customers["east21"],
        station=east,
        reason="巡视",
        due_on=datetime.date(2026, 10, 15),
    )
    w2 = WorkOrder.objects.create(
        number="W2",
        source="plan",
        customer=c.customers["east22"],
        station=east,
        reason="巡视",
        due_on=datetime.date(2026, 10, 20),
    )
    for order, people in ((w1, (i1, i2)), (w2, (i1,))):
        for person in people:
            Assignment.objects.create(
                work_order=order,
                inspector=person,
                qualification=person.qualifications.first(),
                assigned_by=c.users["head_east"],
            )
    v1 = Visit.objects.create(
        work_order=w1,
        station=east,
        visited_at=aware(2026, 10, 14),
        inspector1=i1,
        inspector2=i2,
        inspector1_signature=ContentFile(b"sig", name="s1.png"),
        inspector2_signature=ContentFile(b"sig", name="s2.png"),
        customer_signer="张三",
    )
    VisitPhoto.objects.create(
        visit=v1,
        image=ContentFile(b"img", name="p.jpg"),
        sha256="0" * 64,
        captured_at=aware(2026, 10, 14),
        size_bytes=3,
        content_type="image/jpeg",
    )
    Visit.objects.create(
        work_order=w2,
        station=east,
        visited_at=aware(2026, 10, 25),
        inspector1=i1,
        inspector2=i2,
        inspector1_signature=ContentFile(b"sig", name="s3.png"),
        inspector2_signature=ContentFile(b"sig", name="s4.png"),
        customer_signer="李四",
    )
    common = {
        "customer": c.customers["east12"],
        "station": east,
        "category": "generator_no_interlock",
        "severity": "general",
        "description": "隐患",
        "found_on": datetime.date(2026, 10, 1),
        "responsible_person": "王五",
    }
    Hazard.objects.create(
        deadline=datetime.date(2026, 10, 10), rectified_on=datetime.date(2026, 10, 8), **common
    )
    Hazard.objects.create(deadline=datetime.date(2026, 10, 20), **common)
    return c
