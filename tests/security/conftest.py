"""The permission matrix's world: one object of every kind at the east station (in area S01-A1, the area
manager's) and its twin at the west station, made with the apps' services and their test fixtures.

``world.obj(kind, side)`` gives the object of a kind (``"own"``: east, ``"other"``: west); the kinds are
the keys of ``OBJECT_KINDS`` in the test module. A portal login (role ``customer``) is linked to customer
east11, whose hazard, hazard photo and monthly notice are the ones the matrix opens.
"""

import base64
import datetime
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

# Fixtures of the apps' tests, reused: meter data in a temporary store, the detection scorer stand-in.
from gridcheck.detection.tests.conftest import scored  # noqa: F401
from gridcheck.hazards.tests.conftest import png
from gridcheck.inspections.tests.conftest import VISIT_DAY, visit_data
from gridcheck.lineloss.tests.conftest import data_dir, meter_data  # noqa: F401

MONTH = datetime.date(2026, 10, 1)  # the analysed month of the meter data fixtures
HAZARD_MONTH = datetime.date(2026, 11, 1)


@dataclass
class World:
    county: object
    objects: dict = field(default_factory=dict)  # (kind, side) -> object
    portal_user: object = None
    inbox: dict = field(default_factory=dict)  # username -> their own in-app message

    def obj(self, kind: str, side: str = "own"):
        return self.objects[(kind, side)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GRIDCHECK_SMS_BACKEND = "gridcheck.notifications.sms.LoggingSmsBackend"
    return settings.MEDIA_ROOT


def _second_inspector(county, station_key: str):
    """A second qualified inspector at ``station_key`` (a visit needs two); not part of the role matrix."""
    from gridcheck.core.roles import Role
    from gridcheck.users.models import Qualification, User

    user = User.objects.create_user(
        username=f"inspector3_{station_key}",
        password=county.password,
        full_name=f"inspector3_{station_key}",
        role=Role.INSPECTOR,
        station=county.stations[station_key],
    )
    Qualification.objects.create(
        user=user,
        level="2",
        certificate_number=f"JC-2024-9-{station_key}",
        issued_on=datetime.date(2024, 1, 1),
        expires_on=datetime.date(2029, 12, 31),
    )
    return user


def _archive(world, county):
    from gridcheck.archive.models import ImportBatch, Meter, MeteringPoint, Tariff
    from gridcheck.readings.models import MeterDataImport

    for side, key in (("own", "east"), ("other", "west")):
        customer = county.customers[f"{key}11"]
        world.objects[("station", side)] = county.stations[key]
        world.objects[("line", side)] = county.lines[key]
        world.objects[("area", side)] = county.areas[f"{key}1"]
        world.objects[("customer", side)] = customer
        world.objects[("meteringpoint", side)] = MeteringPoint.objects.get(customer=customer)
        world.objects[("meter", side)] = Meter.objects.get(metering_point__customer=customer)
        world.objects[("importbatch", side)] = ImportBatch.objects.create(
            entity="customers",
            file_name=f"{key}.csv",
            sha256="0" * 64,
            status=ImportBatch.Status.SUCCEEDED,
            started_by=county.users["admin"],
            station=county.stations[key],
        )
        world.objects[("user", side)] = county.users[f"inspector{'2' if key == 'east' else ''}_{key}"]
        world.objects[("qualification", side)] = world.obj("user", side).qualifications.get()
    world.objects[("tariff", "own")] = Tariff.objects.order_by("pk").first()
    world.objects[("meterdataimport", "own")] = MeterDataImport.objects.create(
        kind="daily", file_name="daily.csv", status="succeeded", user=county.users["admin"]
    )


def _lineloss_and_detection(world, county):
    from gridcheck.detection.models import Suspect
    from gridcheck.detection.services import detection_run_create, detection_run_execute
    from gridcheck.lineloss.models import AreaMonthLoss, LineMonthLoss
    from gridcheck.lineloss.services import analysis_run_create, analysis_run_execute, loss_target_set
    from gridcheck.readings.models import ReadingRate

    run = analysis_run_execute(run=analysis_run_create(month=f"{MONTH:%Y-%m}"))
    assert run.status == "succeeded", run.error
    world.objects[("analysisrun", "own")] = run
    detection = detection_run_execute(run=detection_run_create(month=f"{MONTH:%Y-%m}"))
    assert detection.status == "succeeded", detection.error
    world.objects[("detectionrun", "own")] = detection
    for side, key in (("own", "east"), ("other", "west")):
        area = county.areas[f"{key}1"]
        world.objects[("readingrate", side)] = ReadingRate.objects.filter(area=area).first()
        world.objects[("areamonthloss", side)] = AreaMonthLoss.objects.get(area=area, month=MONTH)
        world.objects[("linemonthloss", side)] = LineMonthLoss.objects.get(
            line=county.lines[key], month=MONTH
        )
        world.objects[("losstarget", side)] = loss_target_set(
            max_loss_rate_percent=8, effective_from=MONTH, area=area
        )
        world.objects[("suspect", side)] = Suspect.objects.get(customer=county.customers[f"{key}11"])


def _inspections(world, county):
    from gridcheck.inspections import services
    from gridcheck.seals import services as seal_services

    for side, key in (("own", "east"), ("other", "west")):
        station = county.stations[key]
        head = county.users["head_east"] if key == "east" else county.users["admin"]
        first = county.users["inspector_east" if key == "east" else "inspector_west"]
        second = county.users["inspector2_east"] if key == "east" else _second_inspector(county, key)
        order = services.work_order_create(
            source="manual",
            customer=county.customers[f"{key}12"],
            reason="核查计量装置",
            created_by=head,
            due_on=VISIT_DAY,
        )
        order = services.work_order_assign(
            work_order=order, inspectors=[first, second], visit_date=VISIT_DAY, assigned_by=head
        )
        visit = services.visit_submit(work_order=order, data=visit_data(order.customer), user=first)
        # A second work order, open (assigned, not visited): the one the visit and action URLs open.
        open_order = services.work_order_create(
            source="manual",
            customer=county.customers[f"{key}11"],
            reason="复查",
            created_by=head,
            due_on=VISIT_DAY,
        )
        open_order = services.work_order_assign(
            work_order=open_order, inspectors=[first, second], visit_date=VISIT_DAY, assigned_by=head
        )
        world.objects[("workorder", side)] = open_order
        world.objects[("visit", side)] = visit
        world.objects[("visitphoto", side)] = visit.photos.first()
        world.objects[("plan", side)] = services.plan_generate(station=station, month=HAZARD_MONTH).plan
        world.objects[("campaign", side)] = services.campaign_create(
            station=station,
            name="专项",
            starts_on=datetime.date(2026, 11, 1),
            ends_on=datetime.date(2026, 11, 30),
            targets=[county.customers[f"{key}11"]],
            created_by=head,
        )
        world.objects[("tipoff", side)] = services.tipoff_create(
            station=station,
            channel="hotline",
            description="表箱有私拉线",
            received_by=head,
            reporter_name="匿名张三",
            reporter_phone="13912345678",
            customer=county.customers[f"{key}11"],
        )
        batch = seal_services.seal_batch_create(
            station=station,
            prefix="DF" if key == "east" else "XS",
            start_number=1,
            end_number=3,
            received_on=datetime.date(2026, 11, 1),
            received_by=head,
        )
        world.objects[("seal", side)] = batch.seals.order_by("number").first()
        world.objects[("pliers", side)] = seal_services.pliers_create(station=station, code=f"FQ-{key}")


def _cases(world, county):
    from gridcheck.cases import selectors, services
    from gridcheck.cases.tests.conftest import run_to_pending

    for side, key in (("own", "east"), ("other", "west")):
        case = services.case_create(
            customer=county.customers[f"{key}11"],
            kind="theft",
            theft_type="bypass_meter",
            case_date=datetime.date(2023, 5, 1),
            facts="表前绕越接线",
            created_by=county.users["inspector_east" if key == "east" else "inspector_west"],
        )
        world.objects[("case", side)] = services.case_compute(case=case, user=case.created_by)
    # The east case approved, so that its payment notice is printed (the west one stays computed).
    case = run_to_pending(world.obj("case"), county)
    while (level := selectors.next_approval_level(case)) is not None:
        approver = county.users["head_east" if level == "station" else "admin"]
        case = services.case_approve(case=case, user=approver, level=level, decision="approve")
    world.objects[("case", "own")] = case


def _hazards(world, county, django_user_model):
    from gridcheck.core.roles import Role
    from gridcheck.hazards import services
    from gridcheck.hazards.models import Notice

    portal = django_user_model.objects.create_user(
        username="portal_east11", password=county.password, role=Role.CUSTOMER
    )
    services.customer_contact_create(
        customer=county.customers["east11"], name="联系人", email="east11@example.cn", portal_user=portal
    )
    world.portal_user = portal
    services.customer_contact_create(customer=county.customers["west11"], name="联系人", email="w@example.cn")
    for side, key in (("own", "east"), ("other", "west")):
        found_on = datetime.date(2026, 11, 3)
        hazards = [
            services.hazard_create(
                customer=county.customers[f"{key}1{m}"],
                category="ageing_equipment",
                severity="general",
                description="配电箱老化，绝缘破损",
                found_on=found_on,
                deadline=found_on + datetime.timedelta(days=30),
                responsible_person="张电工",
                found_by=county.users["inspector_east" if key == "east" else "inspector_west"],
                photos=[png()],
            )
            for m in (1, 2)
        ]
        world.objects[("hazard", side)] = hazards[0]
        world.objects[("hazardphoto", side)] = hazards[0].photos.first()
        world.objects[("drill", side)] = services.drill_schedule(
            customer=county.customers[f"{key}11"],
            scenario="全站停电",
            scheduled_on=datetime.date(2026, 12, 20),
        )
    services.hazard_monthly_run(month=HAZARD_MONTH, today=datetime.date(2026, 11, 18))
    for side, key in (("own", "east"), ("other", "west")):
        world.objects[("notice", side)] = Notice.objects.get(
            kind="customer_monthly", customer=county.customers[f"{key}11"]
        )
        # The customers without an email get their notice on paper: its delivery receipt.
        paper = Notice.objects.get(kind="customer_monthly", customer=county.customers[f"{key}12"])
        assert paper.paper_required
        world.objects[("paper_notice", side)] = services.notice_paper_delivery_record(
            notice=paper,
            delivered_on=timezone.localdate(),
            received_by="王五",
            receipt=SimpleUploadedFile("receipt.png", png().read(), content_type="image/png"),
        )


def _notifications(world, county):
    from gridcheck.notifications.choices import Channel
    from gridcheck.notifications.services import message_enqueue

    for side, key in (("own", "east"), ("other", "west")):
        message = message_enqueue(
            channel=Channel.EMAIL,
            recipient=f"{key}@kehu.example",
            subject="告知书",
            body="正文",
            station=county.stations[key],
            attachments=[("告知书.pdf", b"%PDF-1.4 " + key.encode(), "application/pdf")],
        )
        world.objects[("message", side)] = message
        world.objects[("attachment", side)] = message.attachments.get()
    for username, user in county.users.items():
        world.inbox[username] = message_enqueue(
            channel=Channel.IN_APP, recipient=user, subject=f"致{username}", body="站内消息"
        )


def _billing(world, county):
    """One reading book per station (two cycles read, the second billed, checked and issued), a book change,
    a refund, a category change and a reading anomaly. The west book is read and decided by the
    administrator (the west station has no reader or head), its bills prepared by no one (a run)."""
    from decimal import Decimal

    from gridcheck.archive.models import Meter
    from gridcheck.billing import services
    from gridcheck.billing.tests.conftest import FEBRUARY, MARCH

    for side, key in (("own", "east"), ("other", "west")):
        admin = county.users["admin"]
        preparer = county.users["auditor_east"] if key == "east" else admin
        checker = county.users["head_east"] if key == "east" else admin
        reader = county.users["reader_east"] if key == "east" else admin
        book = services.book_create(
            user=preparer,
            station=county.stations[key],
            code=f"{key}-01",
            name=f"{key}一册",
            reading_day=5,
            reader=reader,
            areas=[county.areas[f"{key}1"], county.areas[f"{key}2"]],
        )
        first = services.cycle_open(user=preparer, book=book, period=datetime.date(2025, 2, 1))
        cycle = services.cycle_open(user=preparer, book=book, period=datetime.date(2025, 3, 1))
        for n in ("11", "12", "21", "22"):
            meter = Meter.objects.get(metering_point__customer=county.customers[f"{key}{n}"])
            for month_cycle, totals in ((first, FEBRUARY), (cycle, MARCH)):
                services.reading_enter(
                    user=reader,
                    cycle=month_cycle,
                    meter=meter,
                    source="manual",
                    total=Decimal(totals[f"east{n}"]),
                )
        services.cycle_bill(user=preparer if key == "east" else None, cycle=cycle)
        for bill in cycle.bills.all():
            services.bill_check(user=checker, bill=bill, note="核对无误")
        services.cycle_issue(user=checker, cycle=cycle)
        bill = cycle.bills.get(customer=county.customers[f"{key}11"])
        world.objects[("readingbook", side)] = book
        world.objects[("readingcycle", side)] = cycle
        world.objects[("bill", side)] = bill
        reading = cycle.readings.get(meter__metering_point__customer=bill.customer)
        reading.photo.save("display.jpg", ContentFile(_jpeg()), save=True)
        world.objects[("meterreading", side)] = reading
        world.objects[("bookchange", side)] = services.book_change_request(
            user=preparer, book=book, reading_day=10, cycle_months=1, reason="合并抄表线路"
        )
        world.objects[("billadjustment", side)] = services.adjustment_prepare(
            user=preparer,
            bill=bill,
            kind="correction",
            reason="抄表错误",
            inputs={"energies": {"total": 120}},
        )
        world.objects[("categorychange", side)] = services.category_change_apply(
            user=preparer,
            customer=county.customers[f"{key}11"],
            new_tariff_code="GEN-1",
            effective_on=datetime.date(2025, 5, 1),
            reason="改为经营",
        )
        world.objects[("readeranomaly", side)] = services.anomaly_report(
            user=reader,
            meter=Meter.objects.get(metering_point__customer=county.customers[f"{key}11"]),
            kind="display_dark",
            note="黑屏",
            cycle=cycle,
        )


def _collection(world, county):
    """Per station: a counter payment (and one asking to be reversed), a bank file, a dunning notice, a
    disconnection proposal, a receipt book with a cancelled number, a bank deposit. The west station's
    are made by the administrator (county level)."""
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from gridcheck.collection.models import (
        BankDeposit,
        Disconnection,
        DunningNotice,
        ReceiptCancellation,
        ReceiptStock,
    )
    from gridcheck.collection.services import bankfiles, payments, reversals

    today = timezone.localdate()
    for side, key in (("own", "east"), ("other", "west")):
        admin = county.users["admin"]
        collector = county.users["reader_east"] if key == "east" else admin
        customer = county.customers[f"{key}11"]
        station, area = county.stations[key], county.areas[f"{key}1"]
        world.objects[("payment", side)] = payments.payment_post(
            user=collector,
            customer=customer,
            amount_yuan=Decimal("10.00"),
            channel="counter",
            idempotency_key=f"world-{key}-1",
            receipt_number=f"{key}-0001",
        )
        second = payments.payment_post(
            user=collector,
            customer=county.customers[f"{key}12"],
            amount_yuan=Decimal("5.00"),
            channel="counter",
            idempotency_key=f"world-{key}-2",
            receipt_number=f"{key}-0002",
        )
        world.objects[("reversal", side)] = reversals.reversal_request(
            user=collector, payment=second, reason="金额录错"
        )
        content = f"户号,金额,银行流水号,扣款日期\n{customer.account_number},1.00,S{key}1,{today}\n".encode()
        world.objects[("bankfile", side)] = bankfiles.bank_file_import(
            user=county.users["auditor_east"] if key == "east" else admin,
            upload=SimpleUploadedFile(f"{key}.csv", content),
            bank="农业银行",
        )
        receivable = customer.receivables.first()
        notice = DunningNotice.objects.create(
            customer=customer,
            station=station,
            area=area,
            number=f"CF-{key}-1",
            channel="paper",
            arrears_yuan=Decimal("50.00"),
            pay_by=today,
        )
        notice.receivables.add(receivable)
        world.objects[("dunningnotice", side)] = notice
        world.objects[("disconnection", side)] = Disconnection.objects.create(
            customer=county.customers[f"{key}12"],
            station=station,
            area=area,
            number=f"TD-{key}-1",
            arrears_yuan=Decimal("80.00"),
            reason="多次催交未缴",
            proposed_by=county.users["auditor_east"] if key == "east" else admin,
        )
        stock = ReceiptStock.objects.create(
            station=station,
            kind="receipt",
            series=key.upper(),
            first_number=1,
            last_number=100,
            holder=collector,
        )
        world.objects[("receiptstock", side)] = stock
        world.objects[("receiptcancellation", side)] = ReceiptCancellation.objects.create(
            stock=stock, number=50, reason="污损", cancelled_by=collector
        )
        world.objects[("bankdeposit", side)] = BankDeposit.objects.create(
            station=station,
            collector=collector,
            collection_day=today,
            deposited_on=today,
            amount_yuan=Decimal("10.00"),
            bank="农业银行",
            slip_number=f"JK-{key}-1",
        )


def _audit(world, county):
    """An audit run of rule DF-01 (county-wide) that finds customer east11 and west11 on the general
    tariff: one finding per station."""
    import datetime

    from gridcheck.audit import services
    from gridcheck.audit.models import Finding

    for key in ("east", "west"):
        customer = county.customers[f"{key}11"]
        customer.tariff_code = "GEN-1"
        customer.save()
    run = services.audit_run_start(
        month=datetime.date(2025, 3, 1), user=county.users["admin"], rule_codes=["DF-01"], enqueue=False
    )
    run = services.audit_run_execute(run)
    world.objects[("auditrun", "own")] = world.objects[("auditrun", "other")] = run
    for side, key in (("own", "east"), ("other", "west")):
        world.objects[("finding", side)] = Finding.objects.get(customer=county.customers[f"{key}11"])


def _metering(world, county):
    """The metering ledger (gridcheck.metering): the archive meters synced as assets; at each station an
    asset, a rectification notice and a meter change (a new meter from stock, sealed with seals issued
    to the station's inspector; the west's second person is the county administrator)."""
    import datetime
    from decimal import Decimal

    from gridcheck.metering import services
    from gridcheck.metering.models import Asset
    from gridcheck.seals import services as seal_services

    services.assets_sync_from_archive()
    day = datetime.date(2026, 11, 2)
    for side, key, digit in (("own", "east", "1"), ("other", "west", "2")):
        station, inspector = county.stations[key], county.users[f"inspector_{key}"]
        second = county.users["inspector2_east"] if key == "east" else county.users["admin"]
        asset = Asset.objects.get(asset_number=f"M{digit}100000002")
        world.objects[("meteringasset", side)] = asset
        world.objects[("rectificationnotice", side)] = services.notice_issue(
            user=inspector,
            metering_point=asset.metering_point,
            asset=asset,
            problem="接线错误",
            issued_on=day,
        )
        new = services.asset_receive(
            user=inspector,
            station=station,
            kind="meter",
            asset_number=f"MX{key}01",
            accuracy_class="2.0",
            phase="single",
            rated_current_a=Decimal("5"),
            first_verified_on=day,
        )
        batch = seal_services.seal_batch_create(
            station=station,
            prefix=f"JLMX{digit}",
            start_number=1,
            end_number=2,
            received_on=day,
            received_by=inspector,
        )
        seals = list(batch.seals.all())
        seal_services.seal_issue(seals=seals, staff=inspector, by=inspector)
        world.objects[("meterchange", side)] = services.meter_change(
            user=inspector,
            old_asset=Asset.objects.get(asset_number=f"M{digit}100000001"),
            new_asset=new,
            changed_on=day,
            reason="rotation",
            old_registers={"total": "10"},
            new_registers={"total": "0"},
            second_person=second,
            seals_used=seals[:1],
        )


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


def _pdf_stub(template_name, context):
    """PDFs are rendered by WeasyPrint in about a second each: the apps' tests check them; here only who
    may fetch them matters."""
    return b"%PDF-1.4 " + template_name.encode()


def _census(world, county):
    """The business census (gridcheck.census): at each station a campaign of the current quarter whose
    team of two (the east's inspectors; the west's inspector and its second inspector) records customer
    <station>11 with a photo, seeing a shop where the archive has a household (a category discrepancy)."""
    from gridcheck.census import services
    from gridcheck.census.models import Discrepancy
    from gridcheck.users.models import User

    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    first = datetime.date(year, 3 * quarter - 2, 1)
    for side, key in (("own", "east"), ("other", "west")):
        planner = county.users["head_east"] if key == "east" else county.users["admin"]
        members = (
            [county.users["inspector_east"], county.users["inspector2_east"]]
            if key == "east"
            else [county.users["inspector_west"], User.objects.get(username="inspector3_west")]
        )
        area = county.areas[f"{key}1"]
        campaign = services.campaign_create(
            user=planner,
            station=county.stations[key],
            quarter=f"{year}Q{quarter}",
            areas=[area],
            starts_on=first,
            ends_on=today,
            teams=[{"name": "一组", "members": members, "areas": [area]}],
        )
        customer = county.customers[f"{key}11"]
        photo = "data:image/jpeg;base64," + base64.b64encode(_jpeg()).decode()
        record = services.record_save(
            user=members[0],
            campaign=campaign,
            customer=customer,
            data={
                "certificate_shown": True,
                "consent_given": True,
                "category_seen": "commercial",
                "customer_signature": "data:image/png;base64," + base64.b64encode(_png_bytes()).decode(),
                "photos": [{"name": "现场.jpg", "data_url": photo}],
            },
        )
        world.objects[("censuscampaign", side)] = campaign
        world.objects[("censusrecord", side)] = record
        world.objects[("censusphoto", side)] = record.photos.get()
        world.objects[("discrepancy", side)] = Discrepancy.objects.get(record=record, kind="category")


def _png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _temporary_supply(world, county):
    """Temporary supply (gridcheck.temporary_supply): east, an application of the auditor approved by the
    head, prepaid and connected, with an extension requested; west, an application of the administrator
    (its extension written directly: no second person at the west station may approve). Both with a
    scanned application."""
    from decimal import Decimal

    from gridcheck.collection.services.payments import payment_post
    from gridcheck.temporary_supply import services
    from gridcheck.temporary_supply.models import TemporarySupplyExtension

    today = timezone.localdate()
    for side, key in (("own", "east"), ("other", "west")):
        preparer = county.users["auditor_east"] if key == "east" else county.users["admin"]
        supply = services.temporary_supply_apply(
            user=preparer,
            area=county.areas[f"{key}1"],
            applicant_name=f"临时用电{key}",
            applied_on=today,
            purpose="施工",
            address="某地",
            capacity_kva=Decimal("10"),
            tariff_code="GEN-1",
            start_on=today,
            end_on=today + datetime.timedelta(days=59),
            metering_mode="capacity_time",
            application_file=SimpleUploadedFile("申请.jpg", _jpeg(), content_type="image/jpeg"),
        )
        if key == "east":
            supply = services.temporary_supply_approve(user=county.users["head_east"], supply=supply)
            payment_post(
                user=county.users["reader_east"],
                customer=supply.customer,
                amount_yuan=supply.prepayment_yuan,
                channel="counter",
                idempotency_key="world-temporary-supply",
                kind="top_up",
            )
            supply = services.temporary_supply_connect(user=preparer, supply=supply)
            extension = services.temporary_supply_extension_request(
                user=preparer,
                supply=supply,
                new_end_on=supply.end_on + datetime.timedelta(days=30),
                reason="x",
            )
        else:
            extension = TemporarySupplyExtension.objects.create(
                supply=supply,
                requested_on=today,
                previous_end_on=supply.end_on,
                new_end_on=supply.end_on + datetime.timedelta(days=30),
                reason="x",
            )
        supply.refresh_from_db()
        world.objects[("temporarysupply", side)] = supply
        world.objects[("temporarysupplyextension", side)] = extension


def _contracts(world, county):
    """Supply contracts (gridcheck.contracts): for east12 and west12 a non-standard contract drafted by the
    administrator, signed, extended with a written confirmation (a photo), its scan stored and its paper
    file lent out."""
    from gridcheck.contracts import services

    today = timezone.localdate()
    admin = county.users["admin"]
    clauses = {
        name: "条款"
        for name in (
            "clause_supply",
            "clause_capacity_use",
            "clause_metering_tariff",
            "clause_boundary",
            "clause_term",
            "clause_liability",
            "clause_other",
        )
    }
    for side, key in (("own", "east"), ("other", "west")):
        contract = services.contract_draft(
            customer=county.customers[f"{key}12"],
            user=admin,
            kind="non_standard",
            valid_from=today - datetime.timedelta(days=30),
            capacity_kva=50,
            tariff_code="GEN-1",
            theft_liability_acknowledged=True,
            theft_liability_acknowledged_on=today,
            **clauses,
        )
        services.contract_sign(
            contract=contract, user=admin, signed_on=today, customer_signatory="甲", supplier_signatory=admin
        )
        services.contract_attach_scan(
            contract=contract,
            user=admin,
            upload=SimpleUploadedFile("合同.jpg", _jpeg(), content_type="image/jpeg"),
        )
        contract.refresh_from_db()
        extension = services.contract_renew(
            contract=contract,
            user=admin,
            new_valid_to=contract.valid_to + datetime.timedelta(days=365),
            supplier_confirmed_on=today,
            customer_confirmed_on=today,
            confirmation_file=SimpleUploadedFile("确认.jpg", _jpeg(), content_type="image/jpeg"),
        )
        loan = services.loan_out(
            contract=contract,
            user=admin,
            borrower_name="检查班",
            lent_on=today,
            due_on=today + datetime.timedelta(days=7),
        )
        contract.refresh_from_db()
        world.objects[("contract", side)] = contract
        world.objects[("contractloan", side)] = loan
        world.objects[("contractextension", side)] = extension


def _loss_management(world, county):
    """Loss management (gridcheck.lineloss): at each station this month's loss indicator (decomposed into
    area and line targets), a theoretical loss of area 1, and for a September in which area 1 failed its
    target three months running, its analysis and rectification plan."""
    from gridcheck.lineloss import loss_management as lm
    from gridcheck.lineloss.models import AreaMonthLoss, LineLossTarget

    today = timezone.localdate()
    september = datetime.date(2026, 9, 1)
    for side, key in (("own", "east"), ("other", "west")):
        station, area = county.stations[key], county.areas[f"{key}1"]
        actor = county.users["head_east" if key == "east" else "admin"]
        indicator = lm.station_indicator_set(
            station=station, month=f"{today:%Y-%m}", max_loss_rate_percent=6, actor=actor, today=today
        )
        world.objects[("lossindicator", side)] = indicator
        world.objects[("linelosstarget", side)] = LineLossTarget.objects.get(
            line=county.lines[key], month=indicator.month
        )
        world.objects[("theoreticalloss", side)] = lm.theoretical_loss_enter(
            area=area, loss_rate_percent="3.2", actor=actor, calculated_on=today, today=today
        )
        AreaMonthLoss.objects.create(
            area=area,
            line=area.line,
            station=station,
            month=september,
            supply_kwh=1000.0,
            sales_kwh=900.0,
            loss_kwh=100.0,
            loss_rate_percent=10.0,
            days=30,
            target_percent=7.0,
            flagged=True,
            failing_months=3,
            failing_three_months=True,
            above_target=True,
        )
        analyst = county.users["manager_east" if key == "east" else "inspector_west"]
        analysis = lm.analysis_record(
            area=area,
            month=september,
            cause="theft_suspects",
            cause_detail="绕越计量",
            measures="现场检查",
            actor=analyst,
            today=today,
        )
        world.objects[("lossanalysis", side)] = analysis
        world.objects[("rectificationplan", side)] = lm.plan_open(
            analysis=analysis, measures="更换表计", responsible=analyst, actor=analyst, today=today
        )


def _case_documents(world, county):
    """Each case's settlement (with its document) and its transfer to the police (with the receipt), so
    that both scanned documents can be fetched; the west case is notified first (the east one is approved
    already)."""
    import io

    from pypdf import PdfWriter

    from gridcheck.cases import services

    def pdf(name):
        writer = PdfWriter()
        writer.add_blank_page(width=200, height=200)
        buffer = io.BytesIO()
        writer.write(buffer)
        return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")

    today = timezone.localdate()
    for side, key in (("own", "east"), ("other", "west")):
        case, user = world.obj("case", side), county.users[f"inspector_{key}"]
        if side == "other":
            case = services.case_notify(case=case, signed_by_customer=True, signer_name="李四", user=user)
        case = services.case_settle(
            case=case,
            user=user,
            amount_yuan=case.total_due_yuan,
            kind="negotiated",
            settled_on=today,
            reference="协议1号",
            document=pdf("agreement.pdf"),
        )
        case = services.case_legal_record(
            case=case,
            user=user,
            step="police_transfer",
            transfer_on=today,
            reference="JA-1",
            receipt=pdf("receipt.pdf"),
        )
        world.objects[("case", side)] = case


def _assessment(world, county):
    """Assessment (gridcheck.assessment): October's scorecards of both stations; the own scorecard is
    inspector_east's (the other inspector_west's), each with a proposed deduction and its evidence."""
    from gridcheck.assessment import services
    from gridcheck.assessment.models import KpiDefinition, Scorecard

    services.scorecards_compute(month=MONTH)
    world.objects[("kpi", "own")] = KpiDefinition.objects.order_by("code", "version").first()
    for side, person, proposer in (
        ("own", "inspector_east", "head_east"),
        ("other", "inspector_west", "admin"),
    ):
        card = Scorecard.objects.get(month=MONTH, person=county.users[person])
        world.objects[("scorecard", side)] = card
        world.objects[("adjustment", side)] = services.adjustment_propose(
            scorecard=card,
            by=county.users[proposer],
            kind="deduction",
            points=1,
            reason="漏检",
            evidence=SimpleUploadedFile("证据.png", _png_bytes(), content_type="image/png"),
        )


def _reports(world, county):
    """Reports (gridcheck.reports): a generated monthly line-loss report of each station (stored files: the
    reports' own tests check their contents)."""
    from gridcheck.reports.models import GeneratedReport

    for side, key in (("own", "east"), ("other", "west")):
        report = GeneratedReport(
            kind="lineloss_monthly",
            station=county.stations[key],
            period_start=MONTH,
            period_end=datetime.date(2026, 10, 31),
            status="generated",
            generated_at=timezone.now(),
        )
        report.pdf.save(f"lineloss-{key}.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
        report.xlsx.save(f"lineloss-{key}.xlsx", ContentFile(b"PK matrix"), save=False)
        report.save()
        world.objects[("generatedreport", side)] = report


#: The token of a meter-data file waiting for its columns (``readings:import_mapping``).
PENDING_TOKEN = "matrix-pending"


def _pending_meter_data(monkeypatch, tmp_path):
    """A meter-data file waiting for its columns: its token lives in the uploader's session only, which
    the matrix's clients do not share, so the look-up of that one token is stood in for (any other token
    is looked up as the app does)."""
    from gridcheck.readings import views

    folder = tmp_path / "pending"
    folder.mkdir()
    (folder / "daily.csv").write_text("表号,日期,示数\nM1,2026-10-01,1\n", encoding="utf-8")
    original = views._pending_get

    def pending_get(request, token):
        if token == PENDING_TOKEN:
            entry = {"dir": str(folder), "name": "daily.csv", "kind": "daily", "source": "matrix"}
            return {**entry, "path": folder / "daily.csv"}
        return original(request, token)

    monkeypatch.setattr(views, "_pending_get", pending_get)


def _pdf_bytes() -> bytes:
    import io

    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=100, height=100)
    writer.write(buffer)
    return buffer.getvalue()


def _servicedesk(world, county, django_user_model):
    """The service desk (gridcheck.servicedesk): east, a question of the portal customer (east11) with a
    photo, answered and published, and its portal complaint and business lead; west, the same by an
    electrician of west11."""
    from gridcheck.core.roles import Role
    from gridcheck.hazards.services import customer_contact_create
    from gridcheck.servicedesk import services

    west = django_user_model.objects.create_user(
        username="portal_west11", password=county.password, role=Role.CUSTOMER
    )
    customer_contact_create(customer=county.customers["west11"], name="西山电工", portal_user=west)
    for side, electrician, staff in (
        ("own", world.portal_user, county.users["inspector_east"]),
        ("other", west, county.users["inspector_west"]),
    ):
        consultation = services.consultation_ask(
            user=electrician,
            topic="technical",
            subject="电容柜",
            question="电容柜频繁投切",
            photos=[SimpleUploadedFile("p.png", _png_bytes(), content_type="image/png")],
        )
        world.objects[("consultationphoto", side)] = consultation.photos.get()
        answered = services.consultation_answer(consultation=consultation, user=staff, answer="检查控制器")
        world.objects[("knowledgearticle", side)] = services.knowledge_article_publish(
            consultation=answered, user=staff
        )
        # The matrix's consultation waits for its answer (the answer form's POST would change it).
        world.objects[("consultation", side)] = services.consultation_ask(
            user=electrician, topic="safety", subject="接地", question="接地电阻多少合格"
        )
        world.objects[("complaint", side)] = services.complaint_submit(
            user=electrician, subject="counter", text="排队太久"
        )
        world.objects[("businesslead", side)] = services.business_feedback_submit(
            user=electrician, kind="expand", text="明年扩建"
        )
        document = services.guidance_document_create(
            user=county.users["head_east" if side == "own" else "inspector_west"],
            title="客户变电站（配电室）标准化管理指南",
            audience="customers",
            body="配电室应防水、防火、防小动物。",
            must_acknowledge=True,
            attachment=SimpleUploadedFile("指南.pdf", _pdf_bytes(), content_type="application/pdf"),
        )
        world.objects[("guidancedocument", side)] = document
        world.objects[("guidanceversion", side)] = document.versions.get()
        world.objects[("trainingsession", side)] = services.training_create(
            user=county.users["head_east" if side == "own" else "inspector_west"],
            kind="rehearsal",
            title="事故演练",
            starts_at=timezone.now(),
            place="会议室",
            customers=[electrician.customer_contact.customer],
            material=SimpleUploadedFile("材料.pdf", _pdf_bytes(), content_type="application/pdf"),
            questions="第一步？|验电|断电|2",
        )
        world.objects[("forumthread", side)] = services.forum_thread_start(
            user=electrician,
            topic="technical",
            title="电容柜",
            text="频繁投切",
            attachments=[SimpleUploadedFile("接线.png", _png_bytes(), content_type="image/png")],
        )
        world.objects[("forumattachment", side)] = (
            world.objects[("forumthread", side)].posts.get().attachments.get()
        )
        manager = county.users["head_east" if side == "own" else "inspector_west"]
        campaign = services.campaign_create(
            user=manager,
            kind="stall",
            place="集市",
            held_at=timezone.now(),
            materials="宣传单 | 100",
            photos=[SimpleUploadedFile("现场.png", _png_bytes(), content_type="image/png")],
        )
        world.objects[("publicitycampaign", side)] = campaign
        world.objects[("campaignphoto", side)] = campaign.photos.get()
        # A closed case of the side's station (closed here directly: its closure is the cases tests') and
        # its typical case, drafted by an inspector and published by a second person where there is one.
        from gridcheck.cases.models import Case
        from gridcheck.cases.services import case_create

        case = case_create(
            customer=county.customers["east12" if side == "own" else "west12"],
            kind="theft",
            theft_type="bypass_meter",
            case_date=datetime.date(2023, 6, 1),
            facts="表前绕越接线",
            created_by=staff,
        )
        Case.objects.filter(pk=case.pk).update(status="closed", closed_on=datetime.date(2023, 8, 1))
        typical = services.typical_case_prepare(case=case, user=staff)
        if side == "own":
            typical = services.typical_case_publish(typical_case=typical, user=county.users["head_east"])
        world.objects[("typicalcase", side)] = typical
        world.objects[("announcement", side)] = services.announcement_publish(
            user=county.users["head_east" if side == "own" else "inspector_west"],
            kind="planned_outage",
            reach="all",
            title="计划停电",
            body="检修停电",
        )


@pytest.fixture
def world(county, scored, meter_data, django_user_model, monkeypatch, tmp_path):  # noqa: F811
    for module in ("gridcheck.hazards.pdf", "gridcheck.cases.pdf", "gridcheck.core.pdf"):
        monkeypatch.setattr(f"{module}.render_pdf", _pdf_stub)
    w = World(county=county)
    _archive(w, county)
    _lineloss_and_detection(w, county)
    _inspections(w, county)
    _cases(w, county)
    _hazards(w, county, django_user_model)
    _notifications(w, county)
    _billing(w, county)
    _collection(w, county)
    _audit(w, county)
    _metering(w, county)
    _census(w, county)
    _temporary_supply(w, county)
    _contracts(w, county)
    _loss_management(w, county)
    _case_documents(w, county)
    _assessment(w, county)
    _reports(w, county)
    _servicedesk(w, county, django_user_model)
    _pending_meter_data(monkeypatch, tmp_path)
    return w
