"""Changing census state: campaigns and their teams, the record of a visit (compared on submit with the
archive and the last bill), and the discrepancies' proposals and approvals.

Every state change is logged (``CensusEvent``). Whoever proposes what a discrepancy becomes never
approves it; approving needs ``approve_station`` and carries out the resolution in the same transaction:
an archive correction (the customer's history records it), a category-change application (billing), an
audit finding (rule ``YP-01``) or a theft / violation case with the two-person evidence.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gridcheck.archive.choices import CustomerCategory, TariffCategory
from gridcheck.archive.models import Area, Customer, Meter, Tariff
from gridcheck.archive.selectors import tariff_in_force
from gridcheck.census import wording
from gridcheck.census.choices import (
    CORRECTABLE,
    PROPOSABLE,
    CampaignStatus,
    DiscrepancyKind,
    DiscrepancyStatus,
    RecordStatus,
    Resolution,
)
from gridcheck.census.models import (
    CensusCampaign,
    CensusEvent,
    CensusPhoto,
    CensusRecord,
    CensusTeam,
    Discrepancy,
)
from gridcheck.core.periods import quarter_bounds, quarter_parse
from gridcheck.core.roles import APPROVE_STATION, DISPATCH, FIELD_WORK, has_capability
from gridcheck.core.rules import rule_int, rule_value
from gridcheck.core.scoping import scope_queryset
from gridcheck.core.uploads import upload_accept

#: The tariff category that fits each use category seen on site.
FITTING_TARIFF = {
    CustomerCategory.RESIDENTIAL: {TariffCategory.RESIDENTIAL},
    CustomerCategory.COMMERCIAL: {TariffCategory.GENERAL_COMMERCIAL_INDUSTRIAL},
    CustomerCategory.INDUSTRIAL: {
        TariffCategory.GENERAL_COMMERCIAL_INDUSTRIAL,
        TariffCategory.LARGE_INDUSTRY,
    },
    CustomerCategory.AGRICULTURAL: {TariffCategory.AGRICULTURAL},
}
#: The case a discrepancy opens by default: (kind, theft or violation type).
CASE_DEFAULTS = {
    DiscrepancyKind.UNMETERED_LOAD: ("theft", "bypass_meter"),
    DiscrepancyKind.SEAL_MISSING: ("theft", "seal_forged_or_opened"),
    DiscrepancyKind.SEAL_NUMBER: ("theft", "seal_forged_or_opened"),
    DiscrepancyKind.METER_NUMBER: ("violation", "meter_interference"),
    DiscrepancyKind.READING: ("theft", "meter_tampered_inaccurate"),
    DiscrepancyKind.ENERGY: ("theft", "meter_tampered_inaccurate"),
    DiscrepancyKind.CATEGORY: ("violation", "category_change"),
    DiscrepancyKind.TARIFF: ("violation", "category_change"),
    DiscrepancyKind.CAPACITY: ("violation", "excess_capacity"),
}


def _require(user, capability: str, message: str) -> None:
    if user is not None and not has_capability(user, capability):
        raise PermissionDenied(message)


def _require_scope(user, obj) -> None:
    if user is not None and not scope_queryset(type(obj)._default_manager.filter(pk=obj.pk), user).exists():
        raise PermissionDenied(_("This is outside your station or areas."))


def _event(subject, *, to_status: str, from_status: str = "", actor=None, note: str = "") -> None:
    CensusEvent.objects.create(
        subject_type=type(subject).__name__,
        subject_id=subject.pk,
        from_status=from_status or "",
        to_status=to_status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note or "",
    )


# ------------------------------------------------------------------------------------------- campaigns
def _team_check(*, station, name: str, members, areas, campaign_areas, on: datetime.date) -> None:
    minimum = rule_int("census.team_min_members", on)
    members = list(members)
    if len({m.pk for m in members}) < minimum:
        raise ValidationError(
            _("Team %(team)s: a census team needs at least %(n)s members.") % {"team": name, "n": minimum}
        )
    strangers = [str(m) for m in members if not m.is_active or m.station_id not in (None, station.pk)]
    if strangers:
        raise ValidationError(
            _("Team %(team)s: %(names)s are not active staff of %(station)s.")
            % {"team": name, "names": "、".join(strangers), "station": station}
        )
    outside = [a.code for a in areas if a.pk not in campaign_areas]
    if outside:
        raise ValidationError(
            _("Team %(team)s: areas %(codes)s are not areas of the campaign.")
            % {"team": name, "codes": ", ".join(outside)}
        )
    if not areas:
        raise ValidationError(_("Team %(team)s: give the team its areas.") % {"team": name})


@transaction.atomic
def campaign_create(
    *,
    user,
    station,
    quarter: str,
    areas,
    starts_on: datetime.date,
    ends_on: datetime.date,
    teams: list[dict],
) -> CensusCampaign:
    """Plan the census of ``station`` in ``quarter`` (``"2026Q4"``): its areas, dates and teams
    (``[{"name", "members", "areas"}]``, each of at least ``census.team_min_members`` people)."""
    _require(user, DISPATCH, _("Your role may not plan a census."))
    _require_scope(user, station)
    year, q = quarter_parse(quarter)
    first, last = quarter_bounds(year, q)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The census cannot end before it starts.")})
    if starts_on < first or ends_on > last:
        raise ValidationError(
            {
                "starts_on": _("The dates must lie within %(q)s (%(first)s to %(last)s).")
                % {"q": f"{year}Q{q}", "first": first, "last": last}
            }
        )
    if CensusCampaign.objects.filter(station=station, year=year, quarter=q).exists():
        raise ValidationError(
            _("%(station)s already has a census in %(q)s.") % {"station": station, "q": f"{year}Q{q}"}
        )
    areas = list(areas)
    if not areas:
        raise ValidationError({"areas": _("Choose the areas of the census.")})
    wrong = [a.code for a in areas if a.station_id != station.pk]
    if wrong:
        raise ValidationError(
            {"areas": _("Areas %(codes)s are not of this station.") % {"codes": ", ".join(wrong)}}
        )
    if not teams:
        raise ValidationError(_("A census needs at least one team."))
    area_ids = {a.pk for a in areas}
    for team in teams:
        _team_check(
            station=station,
            name=team["name"],
            members=team["members"],
            areas=list(team["areas"]),
            campaign_areas=area_ids,
            on=starts_on,
        )
    campaign = CensusCampaign(
        station=station, year=year, quarter=q, starts_on=starts_on, ends_on=ends_on, created_by=user
    )
    campaign.full_clean()
    campaign.save()
    campaign.areas.set(areas)
    for team in teams:
        row = CensusTeam.objects.create(campaign=campaign, name=team["name"])
        row.members.set(team["members"])
        row.areas.set(team["areas"])
    _event(campaign, to_status=campaign.status, actor=user, note=_("Campaign planned"))
    return campaign


@transaction.atomic
def campaign_move(*, user, campaign: CensusCampaign, to: str, note: str = "") -> CensusCampaign:
    """Start (planned → running) or close (running → closed) a campaign."""
    _require(user, DISPATCH, _("Your role may not start or close a census."))
    _require_scope(user, campaign)
    campaign = CensusCampaign.objects.select_for_update().get(pk=campaign.pk)
    allowed = {CampaignStatus.RUNNING: CampaignStatus.PLANNED, CampaignStatus.CLOSED: CampaignStatus.RUNNING}
    if allowed.get(to) != campaign.status:
        raise ValidationError(
            _("A campaign that is %(status)s cannot be moved to %(to)s.")
            % {"status": campaign.get_status_display(), "to": CampaignStatus(to).label}
        )
    before, campaign.status = campaign.status, to
    campaign.save(update_fields=["status", "updated_at"])
    _event(campaign, from_status=before, to_status=to, actor=user, note=note)
    return campaign


# ---------------------------------------------------------------------------------------------- records
def team_for(*, user, campaign: CensusCampaign, customer: Customer) -> CensusTeam:
    """The team of ``user`` in ``campaign`` whose areas hold ``customer``; refuses clearly otherwise."""
    teams = list(campaign.teams.filter(members=user).prefetch_related("areas"))
    if not teams:
        raise PermissionDenied(_("You are not a member of a team of this census."))
    for team in teams:
        if any(a.pk == customer.area_id for a in team.areas.all()):
            return team
    raise ValidationError(
        _("Customer %(account)s (%(name)s) lies in area %(area)s, outside the areas of your team.")
        % {"account": customer.account_number, "name": customer.name, "area": customer.area.code}
    )


def _decimal(value, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": value}
        ) from None
    if not number.is_finite() or number < 0 or number >= Decimal("1e11"):
        raise ValidationError(_("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": value})
    return number.quantize(Decimal("0.01"))


def _flag(value) -> bool:
    return value in (True, "true", "on", "1", 1, "yes")


def _data_url(value: str, name: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("data:") or "," not in value:
        raise ValidationError(_("The file %(name)s is not a JPEG or PNG photo.") % {"name": name})
    header, payload = value.split(",", 1)
    try:
        return base64.b64decode(payload, validate=True) if ";base64" in header else b""
    except (binascii.Error, ValueError):
        raise ValidationError(_("The file %(name)s is not a JPEG or PNG photo.") % {"name": name}) from None


FIELDS = {
    "meter_asset_number_seen": _("meter asset number seen"),
    "reading_seen_kwh": _("register reading seen [kWh]"),
    "load_seen_kw": _("load seen [kW]"),
    "capacity_seen_kva": _("capacity seen [kVA]"),
    "unmetered_load_kw": _("unmetered load seen [kW]"),
}


def _apply_data(record: CensusRecord, data: dict) -> None:
    from gridcheck.census.choices import FavourSupply, IrregularCharge

    record.certificate_shown = _flag(data.get("certificate_shown"))
    record.consent_given = _flag(data.get("consent_given"))
    record.safety_checked = _flag(data.get("safety_checked"))
    record.publicity_given = _flag(data.get("publicity_given"))
    record.meter_asset_number_seen = str(data.get("meter_asset_number_seen") or "").strip()[:40]
    for name in ("reading_seen_kwh", "load_seen_kw", "capacity_seen_kva", "unmetered_load_kw"):
        setattr(record, name, _decimal(data.get(name), str(FIELDS[name])))
    seals = data.get("seals_present")
    record.seals_present = None if seals in (None, "") else _flag(seals)
    numbers = data.get("seal_numbers_seen") or []
    if isinstance(numbers, str):
        numbers = numbers.replace("，", ",").replace(" ", ",").split(",")
    record.seal_numbers_seen = sorted({str(n).strip()[:30] for n in numbers if str(n).strip()})[:20]
    category = str(data.get("category_seen") or "")
    if category and category not in CustomerCategory.values:
        raise ValidationError(_("Unknown use category “%(value)s”.") % {"value": category})
    record.category_seen = category
    favour = str(data.get("favour_supply") or "")
    record.favour_supply = favour if favour in FavourSupply.values else ""
    charge = str(data.get("irregular_charge") or "")
    record.irregular_charge = charge if charge in IrregularCharge.values else ""
    record.customer_signer = str(data.get("customer_signer") or "").strip()[:50]
    record.notes = str(data.get("notes") or "")[:4000]
    visited = data.get("visited_at")
    when = parse_datetime(visited) if isinstance(visited, str) else visited
    if isinstance(when, datetime.datetime):
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        if when > timezone.now() + datetime.timedelta(minutes=10):
            when = timezone.now()
        record.visited_at = when
    elif not record.visited_at:
        record.visited_at = timezone.now()


def _photos(record: CensusRecord, data: dict, uploads) -> None:
    limit = settings.GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES
    items = [(upload, getattr(upload, "name", "photo")) for upload in uploads or ()]
    for n, photo in enumerate(data.get("photos") or [], start=1):
        if isinstance(photo, dict):
            name = str(photo.get("name") or f"photo-{n}.jpg")[:100]
            items.append((_data_url(photo.get("data_url", ""), name), name))
    for content, name in items:
        accepted = upload_accept(content, kind="photo", max_bytes=limit, name=name)
        CensusPhoto.objects.create(
            record=record,
            image=accepted.file,
            content_type=accepted.content_type,
            sha256=accepted.sha256,
            original_name=accepted.original_name,
            size_bytes=accepted.size_bytes,
        )
    signature = data.get("customer_signature")
    if signature:
        accepted = upload_accept(
            _data_url(signature, "signature.png"), kind="photo", max_bytes=limit, name="signature.png"
        )
        record.customer_signature = accepted.file
        record.customer_signature_sha256 = accepted.sha256


@transaction.atomic
def record_save(
    *, user, campaign: CensusCampaign, customer: Customer, data: dict, photos=(), submit: bool = True
) -> CensusRecord:
    """Record (and by default submit) the census visit of ``customer`` by a member of its team.

    ``data``: ``certificate_shown``, ``consent_given``, ``meter_asset_number_seen``, ``reading_seen_kwh``,
    ``seals_present``, ``seal_numbers_seen``, ``category_seen``, ``load_seen_kw``, ``capacity_seen_kva``,
    ``unmetered_load_kw``, ``favour_supply``, ``irregular_charge``, ``safety_checked``,
    ``publicity_given``, ``notes``, ``customer_signer``, ``customer_signature`` (PNG data URL),
    ``photos`` (``[{"data_url", "name"}]``), ``visited_at``, ``draft_id``. ``photos`` may also be uploaded
    files. Refuses a customer outside the team's areas, a file that is not a JPEG/PNG photo, a closed
    campaign; nothing is written when anything is refused.
    """
    _require(user, FIELD_WORK, _("Your role may not record census visits."))
    _require_scope(user, customer)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError(_("This census is closed."))
    if customer.station_id != campaign.station_id:
        raise ValidationError(
            _("Customer %(account)s is not of this station.") % {"account": customer.account_number}
        )
    team = team_for(user=user, campaign=campaign, customer=customer)
    draft_id = str(data.get("draft_id") or "")[:64]
    record = CensusRecord.objects.select_for_update().filter(campaign=campaign, customer=customer).first()
    if record is not None and record.status == RecordStatus.SUBMITTED:
        if draft_id and record.draft_id == draft_id:
            return record  # the same draft sent twice (the phone resent it after a dropped answer)
        raise ValidationError(
            _("Customer %(account)s was already recorded in this census.")
            % {"account": customer.account_number}
        )
    if record is None:
        record = CensusRecord(
            campaign=campaign, customer=customer, station_id=customer.station_id, area_id=customer.area_id
        )
    record.team, record.recorded_by, record.draft_id = team, user, draft_id
    _apply_data(record, data)
    if submit:
        missing = [
            str(label)
            for flag, label in (
                (record.certificate_shown, _("certificate shown")),
                (record.consent_given, _("customer consented")),
            )
            if not flag
        ]
        if missing:
            raise ValidationError(_("A census visit needs: %(items)s.") % {"items": "、".join(missing)})
    record.full_clean(exclude=["customer_signature"])
    new = record.pk is None
    record.save()
    _photos(record, data, photos)
    record.save()
    if new:
        _event(record, to_status=RecordStatus.DRAFT, actor=user)
    if submit:
        record = record_submit(user=user, record=record)
    return record


@transaction.atomic
def record_submit(*, user, record: CensusRecord) -> CensusRecord:
    """Submit a draft record: compare it with the archive and the last bill and write its discrepancies."""
    record = CensusRecord.objects.select_for_update().get(pk=record.pk)
    if record.status == RecordStatus.SUBMITTED:
        return record
    if not record.campaign.teams.filter(pk=record.team_id, members=user).exists():
        raise PermissionDenied(_("Only a member of the record's team submits it."))
    if not (record.certificate_shown and record.consent_given):
        raise ValidationError(_("A census visit needs the certificate shown and the customer's consent."))
    record.status, record.submitted_at = RecordStatus.SUBMITTED, timezone.now()
    record.save(update_fields=["status", "submitted_at", "updated_at"])
    _event(record, from_status=RecordStatus.DRAFT, to_status=RecordStatus.SUBMITTED, actor=user)
    if record.campaign.status == CampaignStatus.PLANNED:
        before = record.campaign.status
        CensusCampaign.objects.filter(pk=record.campaign_id).update(status=CampaignStatus.RUNNING)
        _event(
            record.campaign,
            from_status=before,
            to_status=CampaignStatus.RUNNING,
            actor=user,
            note=_("First record submitted"),
        )
    for found in compare(record):
        discrepancy = Discrepancy.objects.create(
            record=record,
            campaign_id=record.campaign_id,
            customer_id=record.customer_id,
            station_id=record.station_id,
            area_id=record.area_id,
            summary=wording.summary(kind=found["kind"], expected=found["expected"], seen=found["seen"]),
            **found,
        )
        _event(discrepancy, to_status=DiscrepancyStatus.OPEN, actor=user)
    return record


# ------------------------------------------------------------------------------------------- comparison
def _meters(customer: Customer) -> list[Meter]:
    return list(
        Meter.objects.filter(metering_point__customer=customer, status="in_service")
        .select_related("metering_point")
        .order_by("asset_number")
    )


def compare(record: CensusRecord) -> list[dict]:
    """What ``record`` shows different from the archive (category, tariff, capacity, meter, seals) and the
    last reading and bill, and what the team saw on site (unmetered load, favour supply, irregular
    charges): ``[{"kind", "detail", "expected", "seen"}]``."""
    from gridcheck.billing.models import Bill, MeterReading
    from gridcheck.seals.choices import SealStatus
    from gridcheck.seals.models import Seal

    customer = record.customer
    on = timezone.localdate(record.visited_at)
    found: list[dict] = []

    def add(kind, expected="", seen="", detail=""):
        found.append(
            {"kind": kind, "expected": str(expected)[:200], "seen": str(seen)[:200], "detail": detail}
        )

    meters = _meters(customer)
    numbers = [m.asset_number for m in meters]
    seen_number = record.meter_asset_number_seen
    meter = next((m for m in meters if m.asset_number == seen_number), None)
    if seen_number and meter is None:
        add(DiscrepancyKind.METER_NUMBER, "、".join(numbers) or "无", seen_number)
    meter = meter or (meters[0] if meters else None)

    if (
        record.reading_seen_kwh is not None
        and meter is not None
        and meter.asset_number == (seen_number or meter.asset_number)
    ):
        last = MeterReading.objects.filter(meter=meter, read_on__lte=on).order_by("-read_on", "-pk").first()
        if last is not None:
            if record.reading_seen_kwh < last.total:
                add(
                    DiscrepancyKind.READING,
                    f"{last.total:,.2f}（{last.read_on:%Y-%m-%d}）",
                    f"{record.reading_seen_kwh:,.2f}",
                )
            else:
                bill = Bill.objects.filter(customer=customer).order_by("-period", "-pk").first()
                days = (on - last.read_on).days
                bill_days = (bill.period_end - bill.period_start).days if bill else 0
                if bill is not None and bill.energy_kwh > 0 and days >= 1 and bill_days >= 1:
                    multiplier = meter.metering_point.multiplier or Decimal(1)
                    daily_seen = (record.reading_seen_kwh - last.total) * multiplier / days
                    daily_bill = Decimal(bill.energy_kwh) / bill_days
                    ratio = Decimal(str(rule_value("census.energy_ratio_max", on)))
                    if daily_seen > daily_bill * ratio or daily_seen * ratio < daily_bill:
                        add(DiscrepancyKind.ENERGY, f"{daily_bill:,.1f} kWh/日", f"{daily_seen:,.1f} kWh/日")

    if record.category_seen and record.category_seen != customer.category:
        add(
            DiscrepancyKind.CATEGORY,
            wording.category_name(customer.category),
            wording.category_name(record.category_seen),
        )
    else:
        use = record.category_seen or customer.category
        tariff = tariff_in_force(customer.tariff_code, on) if customer.tariff_code else None
        fitting = FITTING_TARIFF.get(use)
        if record.category_seen and tariff is not None and fitting and tariff.category not in fitting:
            add(DiscrepancyKind.TARIFF, f"{tariff.code} {tariff.name}", wording.category_name(use))

    if record.capacity_seen_kva is not None:
        archive = customer.contracted_capacity_kva or Decimal(0)
        tolerance = Decimal(str(rule_value("census.capacity_tolerance_percent", on))) / 100
        if abs(record.capacity_seen_kva - archive) > archive * tolerance:
            add(DiscrepancyKind.CAPACITY, f"{archive:,.0f} kVA", f"{record.capacity_seen_kva:,.0f} kVA")

    if meter is not None and record.seals_present is not None:
        sealed = sorted(
            Seal.objects.filter(meter__metering_point__customer=customer, status=SealStatus.USED).values_list(
                "number", flat=True
            )
        )
        if record.seals_present is False:
            add(DiscrepancyKind.SEAL_MISSING, "、".join(sealed) or "无")
        elif record.seal_numbers_seen and sorted(record.seal_numbers_seen) != sealed:
            add(DiscrepancyKind.SEAL_NUMBER, "、".join(sealed) or "无", "、".join(record.seal_numbers_seen))

    if record.unmetered_load_kw:
        add(DiscrepancyKind.UNMETERED_LOAD, "", f"{record.unmetered_load_kw:,.1f} kW")
    if record.favour_supply:
        add(
            DiscrepancyKind.FAVOUR_SUPPLY,
            "",
            wording.FAVOUR_NAMES[record.favour_supply],
            record.favour_supply,
        )
    if record.irregular_charge:
        add(
            DiscrepancyKind.IRREGULAR_CHARGE,
            "",
            wording.CHARGE_NAMES[record.irregular_charge],
            record.irregular_charge,
        )
    return found


# ------------------------------------------------------------------------------------------ discrepancies
def _evidence_check(discrepancy: Discrepancy) -> None:
    record = discrepancy.record
    minimum = rule_int("census.team_min_members", timezone.localdate(record.visited_at))
    if record.team.members.count() < minimum or not record.photos.exists():
        raise ValidationError(
            _("A case needs the evidence of %(n)s people and photos: this record has %(photos)s photos.")
            % {"n": minimum, "photos": record.photos.count()}
        )


def _clean_proposal(discrepancy: Discrepancy, resolution: str, values: dict) -> dict:
    kind = discrepancy.kind
    if resolution not in Resolution.values:
        raise ValidationError({"resolution": _("Choose what the discrepancy becomes.")})
    if resolution == Resolution.CATEGORY_CHANGE:
        if kind not in (DiscrepancyKind.CATEGORY, DiscrepancyKind.TARIFF):
            raise ValidationError(
                {"resolution": _("A category-change application is for a category or tariff discrepancy.")}
            )
        code = str(values.get("new_tariff_code") or "").strip()
        if not code or tariff_in_force(code, timezone.localdate()) is None:
            raise ValidationError({"new_tariff_code": _("Choose a tariff in force.")})
        if code == discrepancy.customer.tariff_code:
            raise ValidationError({"new_tariff_code": _("This is the customer's present tariff.")})
        return {"new_tariff_code": code}
    if resolution == Resolution.ARCHIVE_CORRECTION:
        field = CORRECTABLE.get(kind)
        if field is None:
            raise ValidationError(
                {
                    "resolution": _(
                        "Only the use category and the capacity are corrected in the archive from a census."
                    )
                }
            )
        record = discrepancy.record
        value = record.category_seen if field == "category" else record.capacity_seen_kva
        return {"field": field, "value": str(value)}
    if resolution == Resolution.CASE:
        _evidence_check(discrepancy)
        case_kind, case_type = CASE_DEFAULTS.get(kind, ("theft", "other"))
        case_kind = values.get("case_kind") or case_kind
        if case_kind not in ("theft", "violation"):
            raise ValidationError({"case_kind": _("Choose theft or violation.")})
        return {"case_kind": case_kind, "case_type": str(values.get("case_type") or case_type)}
    return {}


@transaction.atomic
def discrepancy_propose(
    *, user, discrepancy: Discrepancy, resolution: str, note: str = "", **values
) -> Discrepancy:
    """Propose what ``discrepancy`` becomes (``Resolution``), with the reason; approved by someone else."""
    if not (has_capability(user, FIELD_WORK) or has_capability(user, DISPATCH)):
        raise PermissionDenied(_("Your role may not propose what a census discrepancy becomes."))
    _require_scope(user, discrepancy)
    discrepancy = (
        Discrepancy.objects.select_for_update().select_related("record", "customer").get(pk=discrepancy.pk)
    )
    if discrepancy.status not in PROPOSABLE:
        raise ValidationError(
            _("A discrepancy that is %(status)s cannot be proposed.")
            % {"status": discrepancy.get_status_display()}
        )
    if not (note or "").strip():
        raise ValidationError({"note": _("Give the reason for the proposal.")})
    proposal = _clean_proposal(discrepancy, resolution, values)
    before = discrepancy.status
    discrepancy.status, discrepancy.resolution, discrepancy.proposal = (
        DiscrepancyStatus.PROPOSED,
        resolution,
        proposal,
    )
    discrepancy.proposal_note, discrepancy.proposed_by, discrepancy.proposed_at = (
        note.strip(),
        user,
        timezone.now(),
    )
    discrepancy.decided_by, discrepancy.decided_at, discrepancy.decision_note = None, None, ""
    discrepancy.save()
    _event(
        discrepancy,
        from_status=before,
        to_status=discrepancy.status,
        actor=user,
        note=f"{Resolution(resolution).label}: {note.strip()}",
    )
    return discrepancy


@transaction.atomic
def discrepancy_decide(*, user, discrepancy: Discrepancy, approve: bool, note: str = "") -> Discrepancy:
    """The station head (``approve_station``, never the proposer) approves the proposal, which is carried
    out at once (the discrepancy is then done), or rejects it with a reason (it may be proposed again)."""
    _require(
        user, APPROVE_STATION, _("Only the station head or above approves what a census discrepancy becomes.")
    )
    _require_scope(user, discrepancy)
    discrepancy = (
        Discrepancy.objects.select_for_update()
        .select_related("record__campaign", "customer")
        .get(pk=discrepancy.pk)
    )
    if discrepancy.status != DiscrepancyStatus.PROPOSED:
        raise ValidationError(
            _("A discrepancy that is %(status)s cannot be decided.")
            % {"status": discrepancy.get_status_display()}
        )
    if user.pk == discrepancy.proposed_by_id:
        raise PermissionDenied(_("Whoever proposed it may not approve it."))
    if not approve and not (note or "").strip():
        raise ValidationError({"note": _("Say why it is rejected.")})
    discrepancy.decided_by, discrepancy.decided_at, discrepancy.decision_note = user, timezone.now(), note
    if not approve:
        discrepancy.status = DiscrepancyStatus.REJECTED
        discrepancy.save()
        _event(
            discrepancy,
            from_status=DiscrepancyStatus.PROPOSED,
            to_status=DiscrepancyStatus.REJECTED,
            actor=user,
            note=note,
        )
        return discrepancy
    discrepancy.status = DiscrepancyStatus.APPROVED
    discrepancy.save()
    _event(
        discrepancy,
        from_status=DiscrepancyStatus.PROPOSED,
        to_status=DiscrepancyStatus.APPROVED,
        actor=user,
        note=note,
    )
    _carry_out(discrepancy, user)
    discrepancy.status = DiscrepancyStatus.DONE
    discrepancy.save()
    _event(
        discrepancy,
        from_status=DiscrepancyStatus.APPROVED,
        to_status=DiscrepancyStatus.DONE,
        actor=user,
        note=discrepancy.result_note,
    )
    return discrepancy


def _reason(discrepancy: Discrepancy) -> str:
    return f"营业普查{discrepancy.record.campaign.period}：{discrepancy.summary}。{discrepancy.proposal_note}"


def _carry_out(discrepancy: Discrepancy, user) -> None:
    resolution, proposal = discrepancy.resolution, discrepancy.proposal or {}
    customer = Customer.objects.select_for_update().get(pk=discrepancy.customer_id)
    if resolution == Resolution.CATEGORY_CHANGE:
        from gridcheck.billing.services import category_change_apply

        change = category_change_apply(
            user=user,
            customer=customer,
            new_tariff_code=proposal["new_tariff_code"],
            effective_on=timezone.localdate(),
            reason=_reason(discrepancy),
        )
        discrepancy.category_change = change
        discrepancy.result_note = _("Category-change application %(pk)s entered") % {"pk": change.pk}
    elif resolution == Resolution.ARCHIVE_CORRECTION:
        from gridcheck.archive.services import customer_update

        field, value = proposal["field"], proposal["value"]
        if field == "contracted_capacity_kva":
            value = Decimal(value)
        before = getattr(customer, field)
        customer._change_reason = _reason(discrepancy)[:100]
        customer_update(customer=customer, user=user, **{field: value})
        discrepancy.result_note = _("Archive corrected: %(field)s %(before)s → %(after)s") % {
            "field": Customer._meta.get_field(field).verbose_name,
            "before": before,
            "after": value,
        }
    elif resolution == Resolution.AUDIT_FINDING:
        from gridcheck.audit.rules.census import CENSUS_RULE
        from gridcheck.audit.services import finding_record

        record = discrepancy.record
        finding = finding_record(
            rule_code=CENSUS_RULE,
            key=f"census:{discrepancy.pk}",
            station_id=discrepancy.station_id,
            area_id=discrepancy.area_id,
            customer_id=discrepancy.customer_id,
            summary=f"营业普查{record.campaign.period}：{discrepancy.summary}",
            user=user,
            evidence=[
                {"label": "档案/账单", "value": discrepancy.expected or "—", "url": ""},
                {"label": "现场", "value": discrepancy.seen or "—", "url": ""},
                {
                    "label": "普查记录",
                    "value": f"{record.visited_at:%Y-%m-%d}",
                    "url": discrepancy.get_absolute_url(),
                },
            ],
        )
        discrepancy.finding = finding
        discrepancy.result_note = _("Audit finding %(pk)s recorded") % {"pk": finding.pk}
    elif resolution == Resolution.CASE:
        from gridcheck.cases.services import case_create

        _evidence_check(discrepancy)
        record = discrepancy.record
        members = [str(m) for m in record.team.members.order_by("username")]
        photos = list(record.photos.values_list("sha256", flat=True))
        kind, case_type = proposal["case_kind"], proposal.get("case_type", "")
        case = case_create(
            customer=customer,
            kind=kind,
            case_date=timezone.localdate(record.visited_at),
            created_by=user,
            theft_type=case_type if kind == "theft" else "",
            violation_type=case_type if kind == "violation" else "",
            facts=wording.case_facts(
                discrepancy=discrepancy, members=members, photos=photos, record_url=record.get_absolute_url()
            ),
        )
        discrepancy.case = case
        discrepancy.result_note = _("Case %(number)s opened") % {"number": case.number}


def area_choices(station) -> list[Area]:
    return list(Area.objects.filter(station=station).order_by("code"))


def tariffs_in_force(on: datetime.date | None = None) -> list[Tariff]:
    on = on or timezone.localdate()
    codes = Tariff.objects.filter(effective_from__lte=on).values_list("code", flat=True).distinct()
    return [t for t in (tariff_in_force(code, on) for code in sorted(set(codes))) if t is not None]


# -------------------------------------------------------------------------------------------- reminders
def census_due_remind(*, on: datetime.date | None = None) -> int:
    """Remind the station heads (in-app, once a quarter) of stations with no census started within the
    last ``census.frequency_months`` months. Returns how many stations are due."""
    from gridcheck.archive.models import Station
    from gridcheck.core.periods import month_add, quarter_of
    from gridcheck.core.roles import Role
    from gridcheck.notifications.choices import Channel
    from gridcheck.notifications.services import message_enqueue
    from gridcheck.users.models import User

    on = on or timezone.localdate()
    months = rule_int("census.frequency_months", on)
    year, quarter = quarter_of(on)
    # A census whose quarter began within the period counts (every quarter: the current quarter's).
    since = month_add(quarter_bounds(year, quarter)[0], -(months - 3))
    due = 0
    for station in Station.objects.order_by("code"):
        quarters = CensusCampaign.objects.filter(station=station).values_list("year", "quarter")
        if any(quarter_bounds(y, q)[0] >= since for y, q in quarters):
            continue
        due += 1
        for head in User.objects.filter(role=Role.STATION_HEAD, station=station, is_active=True):
            message_enqueue(
                channel=Channel.IN_APP,
                recipient=head,
                subject=_("The business census of %(q)s is not planned") % {"q": f"{year}Q{quarter}"},
                body=_(
                    "%(station)s has had no business census within %(n)s months: plan one (teams of two or more)."
                )
                % {"station": station, "n": months},
                dedup_key=f"census-due:{station.pk}:{year}Q{quarter}:{head.pk}",
                station=station,
            )
    return due
