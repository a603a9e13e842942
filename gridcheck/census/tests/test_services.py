"""The census services: campaigns and teams, the record of a visit and its comparison, resolutions."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridcheck.census import services
from gridcheck.census.choices import DiscrepancyKind, DiscrepancyStatus, Resolution
from gridcheck.census.models import CensusEvent, CensusPhoto, Discrepancy
from gridcheck.census.tests.conftest import clean_data, data_url, quarter_first, quarter_now


def _record(county, campaign, key="east11", user="inspector_east", **overrides):
    customer = county.customers[key]
    return services.record_save(
        user=county.users[user], campaign=campaign, customer=customer, data=clean_data(customer, **overrides)
    )


def _kinds(record):
    return sorted(record.discrepancies.values_list("kind", flat=True))


def test_a_clean_record_finds_nothing_and_keeps_hashed_photos(county, campaign):
    record = _record(county, campaign)
    assert record.status == "submitted"
    assert _kinds(record) == []
    photo = CensusPhoto.objects.get(record=record)
    assert len(photo.sha256) == 64 and photo.content_type == "image/jpeg"
    assert record.customer_signature and record.customer_signature_sha256
    assert CensusEvent.objects.filter(
        subject_type="CensusRecord", subject_id=record.pk, to_status="submitted"
    ).exists()


def test_comparison_finds_archive_differences(county, campaign):
    from gridcheck.seals.models import Seal, SealBatch

    customer = county.customers["east12"]  # commercial, GEN-1, 50 kVA
    meter = customer.metering_points.first().meters.first()
    batch = SealBatch.objects.create(
        station=county.stations["east"],
        prefix="E",
        start_number=1,
        end_number=2,
        received_on=datetime.date(2024, 1, 1),
        received_by=county.users["head_east"],
    )
    Seal.objects.create(
        batch=batch, station=county.stations["east"], number="E000001", status="used", meter=meter
    )
    record = _record(
        county,
        campaign,
        "east12",
        meter_asset_number_seen="M-OTHER",
        category_seen="industrial",
        capacity_seen_kva="80",
        seal_numbers_seen="E000009",
        unmetered_load_kw="5",
        favour_supply="relationship",
        irregular_charge="levy",
    )
    kinds = _kinds(record)
    assert kinds == sorted(
        [
            DiscrepancyKind.METER_NUMBER,
            DiscrepancyKind.CATEGORY,
            DiscrepancyKind.CAPACITY,
            DiscrepancyKind.SEAL_NUMBER,
            DiscrepancyKind.UNMETERED_LOAD,
            DiscrepancyKind.FAVOUR_SUPPLY,
            DiscrepancyKind.IRREGULAR_CHARGE,
        ]
    )
    seal = record.discrepancies.get(kind="seal_number")
    assert seal.expected == "E000001" and seal.seen == "E000009" and "E000009" in seal.summary
    assert record.discrepancies.get(kind="favour_supply").summary == "现场发现关系电"
    # Seals gone: missing.
    other = _record(county, campaign, "east11", seals_present=False)
    assert _kinds(other) == [DiscrepancyKind.SEAL_MISSING]


def test_tariff_that_does_not_fit_the_use_seen(county, campaign):
    customer = county.customers["east11"]  # residential on RES-1
    customer.category = "commercial"
    customer.save()
    record = _record(county, campaign, "east11", category_seen="commercial")
    assert _kinds(record) == [DiscrepancyKind.TARIFF]


def test_reading_and_energy_against_the_last_bill(county, campaign, book, read_march):
    from gridcheck.billing import services as billing
    from gridcheck.billing.models import Bill, MeterReading

    read_march()
    billing.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    customer = county.customers["east11"]
    last = MeterReading.objects.filter(customer=customer).order_by("-read_on").first()
    bill = Bill.objects.filter(customer=customer).latest("period")
    daily = Decimal(bill.energy_kwh) / (bill.period_end - bill.period_start).days
    days = (timezone.localdate() - last.read_on).days
    plausible = last.total + daily * days
    assert _kinds(_record(county, campaign, reading_seen_kwh=str(round(plausible, 2)))) == []
    record = _record(county, campaign, "east12", reading_seen_kwh="1")
    assert _kinds(record) == [DiscrepancyKind.READING]
    customer21 = county.customers["east21"]
    last21 = MeterReading.objects.filter(customer=customer21).order_by("-read_on").first()
    huge = (
        last21.total
        + 100 * (Decimal(Bill.objects.filter(customer=customer21).latest("period").energy_kwh) + 1) * days
    )
    record = _record(county, campaign, "east21", user="auditor_east", reading_seen_kwh=str(huge))
    assert _kinds(record) == [DiscrepancyKind.ENERGY]


def test_team_of_one_and_bad_dates_are_refused(county):
    area = county.areas["east1"]
    with pytest.raises(ValidationError, match="2"):
        services.campaign_create(
            user=county.users["head_east"],
            station=county.stations["east"],
            quarter=quarter_now(),
            areas=[area],
            starts_on=quarter_first(),
            ends_on=quarter_first(),
            teams=[{"name": "独行", "members": [county.users["inspector_east"]], "areas": [area]}],
        )
    with pytest.raises(ValidationError):
        services.campaign_create(
            user=county.users["head_east"],
            station=county.stations["east"],
            quarter="2020Q1",
            areas=[area],
            starts_on=quarter_first(),
            ends_on=quarter_first(),
            teams=[
                {
                    "name": "一组",
                    "members": [county.users["inspector_east"], county.users["inspector2_east"]],
                    "areas": [area],
                }
            ],
        )
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            user=county.users["inspector_east"],
            station=county.stations["east"],
            quarter=quarter_now(),
            areas=[area],
            starts_on=quarter_first(),
            ends_on=quarter_first(),
            teams=[],
        )
    from gridcheck.census.models import CensusCampaign

    assert not CensusCampaign.objects.exists()


def test_customer_outside_the_team_areas_and_non_image_photo_are_refused(county, campaign):
    with pytest.raises(ValidationError, match=county.customers["east21"].account_number):
        _record(county, campaign, "east21")  # area east2 is team 二组's
    with pytest.raises(ValidationError, match="notes.txt"):
        _record(
            county, campaign, photos=[{"name": "notes.txt", "data_url": data_url(b"hello", "text/plain")}]
        )
    with pytest.raises(ValidationError, match="fake.jpg"):
        _record(
            county, campaign, photos=[{"name": "fake.jpg", "data_url": data_url(b"not a jpeg", "image/jpeg")}]
        )
    with pytest.raises(PermissionDenied):
        _record(county, campaign, user="inspector_west")
    assert not campaign.records.exists() and not CensusPhoto.objects.exists()


def _propose(county, discrepancy, resolution, user="inspector_east", **values):
    return services.discrepancy_propose(
        user=county.users[user], discrepancy=discrepancy, resolution=resolution, note="现场核实", **values
    )


def test_proposer_cannot_approve_and_category_change_application_is_entered(county, campaign):
    from gridcheck.billing.models import CategoryChange

    record = _record(county, campaign, category_seen="commercial")
    discrepancy = record.discrepancies.get(kind="category")
    discrepancy = _propose(
        county, discrepancy, Resolution.CATEGORY_CHANGE, user="head_east", new_tariff_code="GEN-1"
    )
    with pytest.raises(PermissionDenied):
        services.discrepancy_decide(user=county.users["head_east"], discrepancy=discrepancy, approve=True)
    with pytest.raises(PermissionDenied):
        services.discrepancy_decide(
            user=county.users["inspector2_east"], discrepancy=discrepancy, approve=True
        )
    # Rejected, proposed again by the inspector, approved by the head.
    discrepancy = services.discrepancy_decide(
        user=county.users["admin"], discrepancy=discrepancy, approve=False, note="再核"
    )
    assert discrepancy.status == DiscrepancyStatus.REJECTED
    discrepancy = _propose(county, discrepancy, Resolution.CATEGORY_CHANGE, new_tariff_code="GEN-1")
    discrepancy = services.discrepancy_decide(
        user=county.users["head_east"], discrepancy=discrepancy, approve=True
    )
    assert discrepancy.status == DiscrepancyStatus.DONE
    change = CategoryChange.objects.get(customer=county.customers["east11"])
    assert (change.old_tariff_code, change.new_tariff_code, change.status) == ("RES-1", "GEN-1", "pending")
    assert discrepancy.category_change == change
    statuses = list(
        CensusEvent.objects.filter(subject_type="Discrepancy", subject_id=discrepancy.pk).values_list(
            "to_status", flat=True
        )
    )
    assert statuses == ["open", "proposed", "rejected", "proposed", "approved", "done"]


def test_archive_correction_keeps_history(county, campaign):
    record = _record(county, campaign, capacity_seen_kva="12")
    discrepancy = _propose(county, record.discrepancies.get(kind="capacity"), Resolution.ARCHIVE_CORRECTION)
    services.discrepancy_decide(user=county.users["head_east"], discrepancy=discrepancy, approve=True)
    customer = county.customers["east11"]
    customer.refresh_from_db()
    assert customer.contracted_capacity_kva == Decimal("12")
    last = customer.history.order_by("-history_date").first()
    assert last.history_user == county.users["head_east"] and "营业普查" in (last.history_change_reason or "")
    with pytest.raises(ValidationError):  # a favour supply is not corrected in the archive
        other = _record(county, campaign, "east12", favour_supply="favour")
        _propose(county, other.discrepancies.get(), Resolution.ARCHIVE_CORRECTION)


def test_audit_finding_and_case_with_two_person_evidence(county, campaign):
    from gridcheck.audit.models import Finding
    from gridcheck.cases.models import Case

    record = _record(county, campaign, irregular_charge="fees", unmetered_load_kw="4")
    charge = _propose(county, record.discrepancies.get(kind="irregular_charge"), Resolution.AUDIT_FINDING)
    charge = services.discrepancy_decide(user=county.users["head_east"], discrepancy=charge, approve=True)
    finding = Finding.objects.get(pk=charge.finding_id)
    assert finding.rule.code == "YP-01" and finding.customer == county.customers["east11"]
    assert "乱收费" in finding.summary and finding.events.exists()

    theft = _propose(county, record.discrepancies.get(kind="unmetered_load"), Resolution.CASE)
    theft = services.discrepancy_decide(user=county.users["head_east"], discrepancy=theft, approve=True)
    case = Case.objects.get(pk=theft.case_id)
    assert (case.kind, case.theft_type) == ("theft", "bypass_meter")
    assert "inspector_east" in case.facts and "inspector2_east" in case.facts and "照片1张" in case.facts
    # Without photos no case.
    bare = _record(county, campaign, "east12", photos=[], unmetered_load_kw="4")
    with pytest.raises(ValidationError, match="photos|照片"):
        _propose(county, bare.discrepancies.get(), Resolution.CASE)
    assert Discrepancy.objects.filter(status="done").count() == 2


def test_scope_east_does_not_see_west(county, campaign):
    from gridcheck.census import selectors

    _record(county, campaign, category_seen="commercial")
    assert selectors.discrepancies_for(county.users["head_east"]).count() == 1
    assert selectors.discrepancies_for(county.users["inspector_west"]).count() == 0
    assert selectors.campaigns_for(county.users["inspector_west"]).count() == 0
    d = Discrepancy.objects.get()
    with pytest.raises(PermissionDenied):
        _propose(county, d, Resolution.AUDIT_FINDING, user="inspector_west")
    cov = selectors.coverage(campaign)
    assert (cov["visited"], cov["customers"]) == (1, 4)
    owners = {o["owner"]: (o["visited"], o["customers"]) for o in cov["owners"]}
    assert owners[str(county.users["manager_east"])] == (1, 2)


def test_census_due_reminds_the_heads_once(county):
    from gridcheck.notifications.models import Message

    assert services.census_due_remind() == 2  # neither station has a census this quarter
    assert services.census_due_remind() == 2
    messages = Message.objects.filter(
        recipient_user=county.users["head_east"], dedup_key__startswith="census-due:"
    )
    assert messages.count() == 1  # once a quarter
    services.campaign_create(
        user=county.users["head_east"],
        station=county.stations["east"],
        quarter=quarter_now(),
        areas=[county.areas["east1"]],
        starts_on=quarter_first(),
        ends_on=quarter_first(),
        teams=[
            {
                "name": "一组",
                "members": [county.users["inspector_east"], county.users["inspector2_east"]],
                "areas": [county.areas["east1"]],
            }
        ],
    )
    assert services.census_due_remind() == 1
