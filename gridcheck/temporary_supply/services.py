"""Temporary supply's services: apply, approve or reject, connect, extend, end, close (消户) and settle;
record unauthorised connections. Keyword-only, atomic, validated before they save; each status change
is logged as a ``TemporarySupplyEvent``.

Who: ``manage_contracts`` applies, connects, requests extensions and closes; ``approve_station``
approves applications and extensions, never the person who prepared them. Every object is checked to
lie within the user's scope. The daily job (``temporary_supply_daily``) runs without a user.

**Money.** The prepayment is the customer's prepaid balance in collection (``collection.Account``,
topped up by a ``top_up`` payment through ``collection.services.payments.payment_post``). Closing settles
the charge against it and refunds the rest; the balance is then used up (set to zero here, the one
write of this app to a collection row, as collection has no service that pays credit out).
"""

from __future__ import annotations

import calendar
import datetime
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.archive.choices import CustomerCategory, CustomerStatus, InspectionClass
from gridcheck.archive.models import Area, Customer
from gridcheck.archive.selectors import tariff_in_force
from gridcheck.archive.services import customer_update
from gridcheck.core.events import record_transition
from gridcheck.core.roles import (
    APPROVE_STATION,
    HANDLE_CASES,
    MANAGE_CONTRACTS,
    ROLE_CAPABILITIES,
    has_capability,
)
from gridcheck.core.rules import rule_int, rule_value
from gridcheck.core.scoping import user_can_see
from gridcheck.core.uploads import upload_accept
from gridcheck.temporary_supply.choices import (
    ACTIVE_STATUSES,
    Completion,
    ConnectedBy,
    ExtensionStatus,
    MeteringMode,
    SupplyStatus,
)
from gridcheck.temporary_supply.models import (
    TemporarySupply,
    TemporarySupplyEvent,
    TemporarySupplyExtension,
    UnauthorisedConnection,
)
from gridcheck.temporary_supply.selectors import prepaid_balance

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")
FEN = Decimal("0.01")
#: A scanned application: at most this size [bytes].
MAX_SCAN_BYTES = 10 * 1024 * 1024


# ------------------------------------------------------------------------------------------------ helpers


def yuan(value) -> Decimal:
    """Money to the fen, half up (the rule table's rounding of money)."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_limit(start_on: datetime.date) -> datetime.date:
    """The latest agreed end of a supply starting on ``start_on`` (1996 art. 12: six months)."""
    return add_months(start_on, rule_int("temporary_supply.max_months", on=start_on))


def _require(user, capability: str, message: str) -> None:
    if user is not None and not has_capability(user, capability):
        raise PermissionDenied(message)


def _require_scope(user, obj) -> None:
    if user is not None and not user_can_see(user, obj):
        raise PermissionDenied(_("This record lies outside your scope."))


def _require_status(supply: TemporarySupply, *allowed: str) -> None:
    if supply.status not in allowed:
        raise ValidationError(
            _("Temporary supply %(number)s is %(status)s: this cannot be done now.")
            % {"number": supply.number, "status": SupplyStatus(supply.status).label}
        )


def _lock(supply: TemporarySupply) -> TemporarySupply:
    return TemporarySupply.objects.select_for_update().get(pk=supply.pk)


def _move(supply: TemporarySupply, to: str, *, user, note: str = "", fields=()) -> TemporarySupply:
    """Change the status, save (with the given fields) and log the change."""
    from_status = supply.status
    supply.status = to
    supply.full_clean()
    supply._history_user = user
    supply.save()
    record_transition(
        TemporarySupplyEvent, supply, from_status=from_status, to_status=to, actor=user, note=note
    )
    return supply


def _next_number(station, year: int) -> str:
    prefix = f"LS{station.code}-{year}-"
    n = TemporarySupply.objects.filter(number__startswith=prefix).count() + 1
    while TemporarySupply.objects.filter(number=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"


def _account_number(number: str) -> str:
    base = "LS" + "".join(ch for ch in number[2:] if ch.isalnum())
    candidate, n = base, 1
    while Customer.objects.filter(account_number=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate[:30]


def hours_per_day_of(supply: TemporarySupply) -> Decimal:
    """The agreed hours a day of the supply, or the rule's default when none was agreed [h/d]."""
    if supply.hours_per_day:
        return Decimal(supply.hours_per_day)
    return Decimal(rule_value("temporary_supply.unmetered_hours_per_day", on=supply.start_on))


def price_of(supply: TemporarySupply, on: datetime.date) -> Decimal:
    """The supply's energy price in force on ``on`` (its tariff in the archive) [yuan/kWh]."""
    tariff = tariff_in_force(supply.tariff_code, on)
    if tariff is None:
        raise ValidationError(
            {
                "tariff_code": _("Tariff %(code)s is not in force on %(date)s.")
                % {"code": supply.tariff_code, "date": on}
            }
        )
    return tariff.price_yuan_per_kwh


def term_days(supply: TemporarySupply) -> int:
    """Days of the agreed term, first and last day included [d]."""
    return (supply.end_on - supply.start_on).days + 1


def agreed_amount(supply: TemporarySupply) -> tuple[Decimal, Decimal, Decimal]:
    """``(energy_kwh, price, amount_yuan)`` of the agreed term: capacity (kVA counted as kW) × hours a day
    × days × price (1996 art. 87); the prepayment of an unmetered supply, the estimate of a metered one."""
    price = price_of(supply, supply.start_on)
    energy = (Decimal(supply.capacity_kva) * hours_per_day_of(supply) * term_days(supply)).quantize(FEN)
    return energy, price, yuan(energy * price)


# ------------------------------------------------------------------------------------------------- apply


def _check_term(start_on: datetime.date, end_on: datetime.date) -> None:
    if end_on < start_on:
        raise ValidationError({"end_on": _("The agreed end is before the start date.")})
    limit = term_limit(start_on)
    if end_on > limit:
        months = rule_int("temporary_supply.max_months", on=start_on)
        raise ValidationError(
            {
                "end_on": _(
                    "Temporary supply may last at most %(months)s months (Rules on Electricity Supply and "
                    "Business, art. 12): from %(start)s the agreed end is %(limit)s at the latest, not "
                    "%(end)s. Apply for an extension later instead."
                )
                % {"months": months, "start": start_on, "limit": limit, "end": end_on}
            }
        )


@transaction.atomic
def temporary_supply_apply(
    *,
    user,
    area: Area,
    applicant_name: str,
    applied_on: datetime.date,
    purpose: str,
    address: str,
    capacity_kva,
    tariff_code: str,
    start_on: datetime.date,
    end_on: datetime.date,
    metering_mode: str,
    applicant_phone: str = "",
    voltage_level: str = "380V",
    hours_per_day=None,
    meter_asset_number: str = "",
    application_file=None,
) -> TemporarySupply:
    """Register a written temporary-supply application and open its customer account in the archive.

    The account (户号 ``LS…``, category "other", suspended until connected) is created as the archive
    import creates customers; its collection account holds the prepayment. Refused: a term over
    ``temporary_supply.max_months`` (1996 art. 12), an end before the start, an application dated after
    today, a tariff not in force on the start date, an area outside the user's scope.
    """
    _require(user, MANAGE_CONTRACTS, _("Your role may not register temporary-supply applications."))
    _require_scope(user, area)
    errors = {}
    if not (applicant_name or "").strip():
        errors["applicant_name"] = _("Name the applicant.")
    if not (purpose or "").strip():
        errors["purpose"] = _("Give the purpose of the temporary supply.")
    if not (address or "").strip():
        errors["address"] = _("Give the address of the temporary supply.")
    if applied_on > timezone.localdate():
        errors["applied_on"] = _("The written application cannot be dated in the future.")
    if metering_mode not in MeteringMode.values:
        errors["metering_mode"] = _("Choose the metering.")
    if errors:
        raise ValidationError(errors)
    _check_term(start_on, end_on)
    if tariff_in_force(tariff_code, start_on) is None:
        raise ValidationError(
            {
                "tariff_code": _("Tariff %(code)s is not in force on %(date)s.")
                % {"code": tariff_code, "date": start_on}
            }
        )
    station = area.station
    number = _next_number(station, applied_on.year)
    customer = Customer(
        account_number=_account_number(number),
        name=applicant_name.strip(),
        address=address.strip(),
        phone=(applicant_phone or "").strip(),
        area=area,
        station=station,
        category=CustomerCategory.OTHER,
        voltage_level=voltage_level,
        contracted_capacity_kva=capacity_kva,
        tariff_code=tariff_code,
        inspection_class=InspectionClass.B,
        status=CustomerStatus.SUSPENDED,
    )
    customer.full_clean()
    customer._history_user = user
    customer._change_reason = _("Temporary supply %(number)s") % {"number": number}
    customer.save()
    from gridcheck.collection.services.receivables import accounts_ensure

    accounts_ensure([customer])
    supply = TemporarySupply(
        number=number,
        station=station,
        area=area,
        customer=customer,
        applicant_name=applicant_name.strip(),
        applicant_phone=(applicant_phone or "").strip(),
        applied_on=applied_on,
        purpose=purpose.strip(),
        address=address.strip(),
        capacity_kva=capacity_kva,
        voltage_level=voltage_level,
        tariff_code=tariff_code,
        start_on=start_on,
        end_on=end_on,
        original_end_on=end_on,
        metering_mode=metering_mode,
        hours_per_day=hours_per_day or None,
        meter_asset_number=(meter_asset_number or "").strip(),
        prepared_by=user,
        status=SupplyStatus.APPLIED,
    )
    supply.prepayment_yuan = agreed_amount(supply)[2]
    if application_file is not None:
        name = getattr(application_file, "name", "") or ""
        kind = "pdf" if name.lower().endswith(".pdf") else "photo"
        accepted = upload_accept(application_file, kind=kind, max_bytes=MAX_SCAN_BYTES)
        supply.application_file.save(accepted.file.name, accepted.file, save=False)
        supply.application_file_name = accepted.original_name
        supply.application_content_type = accepted.content_type
    supply.full_clean()
    supply._history_user = user
    try:
        with transaction.atomic():
            supply.save()
    except IntegrityError:
        raise ValidationError(_("Could not number the application; try again.")) from None
    record_transition(
        TemporarySupplyEvent,
        supply,
        to_status=SupplyStatus.APPLIED,
        actor=user,
        note=_("Written application of %(date)s; prepayment required %(amount)s yuan.")
        % {"date": applied_on, "amount": f"{supply.prepayment_yuan:.2f}"},
    )
    return supply


# ---------------------------------------------------------------------------------------- approve, reject


def _require_approver(user, supply: TemporarySupply) -> None:
    _require(user, APPROVE_STATION, _("Approving temporary supply needs the station head's rights."))
    _require_scope(user, supply)
    if user is not None and user.pk == supply.prepared_by_id:
        raise PermissionDenied(_("You prepared this application: another person approves it."))


@transaction.atomic
def temporary_supply_approve(
    *, user, supply: TemporarySupply, prepayment_yuan=None, comment: str = "", on: datetime.date | None = None
) -> TemporarySupply:
    """Approve an application: the standard temporary-supply contract is drafted and signed (contracts).

    ``prepayment_yuan`` may change the required prepayment of a metered supply (an estimate); that of a
    capacity × time supply is fixed by art. 87 (capacity × hours × days × price).
    """
    from gridcheck.contracts.services import contract_create_standard_temporary

    _require_approver(user, supply)
    supply = _lock(supply)
    _require_status(supply, SupplyStatus.APPLIED)
    on = on or timezone.localdate()
    if prepayment_yuan not in (None, "") and supply.metering_mode == MeteringMode.METER:
        amount = yuan(prepayment_yuan)
        if amount < 0:
            raise ValidationError({"prepayment_yuan": _("The prepayment cannot be negative.")})
        supply.prepayment_yuan = amount
    supply.contract = contract_create_standard_temporary(
        customer=supply.customer,
        user=user,
        valid_from=supply.start_on,
        valid_to=supply.end_on,
        capacity_kva=supply.capacity_kva,
        note=_("Temporary supply %(number)s: %(purpose)s")
        % {"number": supply.number, "purpose": supply.purpose},
        sign=True,
        signed_on=on,
        customer_signatory=supply.applicant_name,
    )
    supply.approved_by = user
    supply.approved_at = timezone.now()
    supply.decision_comment = comment or ""
    return _move(
        supply,
        SupplyStatus.APPROVED,
        user=user,
        note=comment or _("Approved; contract %(number)s.") % {"number": supply.contract.number},
    )


@transaction.atomic
def temporary_supply_reject(*, user, supply: TemporarySupply, reason: str) -> TemporarySupply:
    """Reject an application (the reason is required); its customer account is closed."""
    _require_approver(user, supply)
    supply = _lock(supply)
    _require_status(supply, SupplyStatus.APPLIED)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the rejection.")})
    customer_update(customer=supply.customer, user=user, status=CustomerStatus.CLOSED)
    supply.approved_by = user
    supply.approved_at = timezone.now()
    supply.decision_comment = reason.strip()
    return _move(supply, SupplyStatus.REJECTED, user=user, note=reason.strip())


# ------------------------------------------------------------------------------------------------ connect


def connection_problems(supply: TemporarySupply, on: datetime.date) -> list[str]:
    """Why ``supply`` may not be connected on ``on`` (empty: it may): contract in force, prepayment."""
    from gridcheck.contracts.selectors import contract_in_force

    problems = []
    if not supply.start_on <= on <= supply.end_on:
        problems.append(
            _("The connection date %(date)s lies outside the agreed term %(start)s – %(end)s.")
            % {"date": on, "start": supply.start_on, "end": supply.end_on}
        )
    if contract_in_force(supply.customer, on) is None:
        problems.append(
            _("No supply contract is in force for %(account)s on %(date)s: no supply without a contract.")
            % {"account": supply.customer.account_number, "date": on}
        )
    balance = prepaid_balance(supply.customer)
    if balance < supply.prepayment_yuan or (supply.prepayment_yuan <= 0 and balance <= 0):
        problems.append(
            _(
                "The prepayment is missing: %(required)s yuan is required, the prepaid balance is %(balance)s "
                "yuan. Temporary supply is connected only after the prepayment."
            )
            % {"required": f"{supply.prepayment_yuan:.2f}", "balance": f"{balance:.2f}"}
        )
    return problems


def _put_contract_in_force(supply: TemporarySupply, user, on: datetime.date) -> None:
    """A signed temporary contract whose term has begun is put in force (contracts' own service)."""
    from gridcheck.contracts.choices import ContractStatus
    from gridcheck.contracts.services import contract_put_in_force

    contract = supply.contract
    if contract is not None and contract.status == ContractStatus.SIGNED and contract.valid_from <= on:
        contract_put_in_force(contract=contract, user=user, on=on)


@transaction.atomic
def temporary_supply_connect(
    *,
    user,
    supply: TemporarySupply,
    on: datetime.date | None = None,
    initial_reading_kwh=None,
    meter_asset_number="",
) -> TemporarySupply:
    """Connect an approved supply: refused without a contract in force or without the prepayment.

    A metered supply records its meter and the reading at connection. The customer account becomes
    active (the archive asks the contracts app again: no supply without a contract).
    """
    _require(user, MANAGE_CONTRACTS, _("Your role may not connect temporary supply."))
    _require_scope(user, supply)
    supply = _lock(supply)
    _require_status(supply, SupplyStatus.APPROVED)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": _("The connection cannot be dated in the future.")})
    _put_contract_in_force(supply, user, on)
    problems = connection_problems(supply, on)
    if supply.metering_mode == MeteringMode.METER:
        if meter_asset_number:
            supply.meter_asset_number = meter_asset_number.strip()
        if not supply.meter_asset_number:
            problems.append(_("Give the asset number of the meter fitted."))
        if initial_reading_kwh in (None, ""):
            problems.append(_("Give the meter's reading at the connection."))
        else:
            supply.initial_reading_kwh = Decimal(initial_reading_kwh)
            if supply.initial_reading_kwh < 0:
                problems.append(_("A meter reading cannot be negative."))
    if problems:
        raise ValidationError(problems)
    customer_update(customer=supply.customer, user=user, status=CustomerStatus.ACTIVE, connected_on=on)
    supply.connected_on = on
    supply.connected_by = user
    return _move(
        supply,
        SupplyStatus.CONNECTED,
        user=user,
        note=_("Connected on %(date)s; prepaid balance %(balance)s yuan.")
        % {"date": on, "balance": f"{prepaid_balance(supply.customer):.2f}"},
    )


# ---------------------------------------------------------------------------------------------- extension


@transaction.atomic
def temporary_supply_extension_request(
    *,
    user,
    supply: TemporarySupply,
    new_end_on: datetime.date,
    reason: str,
    requested_on: datetime.date | None = None,
) -> TemporarySupplyExtension:
    """Register the customer's written application to extend the supply to ``new_end_on``.

    Each extension may add at most ``temporary_supply.extension_max_months`` to the present end.
    """
    _require(user, MANAGE_CONTRACTS, _("Your role may not register extensions of temporary supply."))
    _require_scope(user, supply)
    supply = _lock(supply)
    _require_status(supply, SupplyStatus.CONNECTED, SupplyStatus.EXTENDED)
    requested_on = requested_on or timezone.localdate()
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if new_end_on <= supply.end_on:
        raise ValidationError(
            {
                "new_end_on": _("The new end must be after the present end (%(date)s).")
                % {"date": supply.end_on}
            }
        )
    months = rule_int("temporary_supply.extension_max_months", on=supply.end_on)
    limit = add_months(supply.end_on, months)
    if new_end_on > limit:
        raise ValidationError(
            {
                "new_end_on": _(
                    "An extension may add at most %(months)s months to the present end %(end)s: %(limit)s at "
                    "the latest."
                )
                % {"months": months, "end": supply.end_on, "limit": limit}
            }
        )
    extension = TemporarySupplyExtension(
        supply=supply,
        requested_on=requested_on,
        requested_by=user,
        previous_end_on=supply.end_on,
        new_end_on=new_end_on,
        reason=reason.strip(),
    )
    extension.full_clean()
    extension.save()
    _move(
        supply,
        SupplyStatus.EXTENSION_REQUESTED,
        user=user,
        note=_("Extension to %(date)s requested: %(reason)s")
        % {"date": new_end_on, "reason": reason.strip()},
    )
    return extension


@transaction.atomic
def temporary_supply_extension_decide(
    *, user, extension: TemporarySupplyExtension, approve: bool, comment: str = ""
) -> TemporarySupplyExtension:
    """Approve or reject an extension: ``approve_station``, never by who requested it or prepared the
    supply. Approved: the supply's end (and the contract's, through contracts) moves to the new end; an
    unmetered supply's prepayment grows to the longer term."""
    supply = _lock(extension.supply)
    _require(user, APPROVE_STATION, _("Approving an extension needs the station head's rights."))
    _require_scope(user, supply)
    if user is not None and user.pk in (extension.requested_by_id, supply.prepared_by_id):
        raise PermissionDenied(_("You prepared this: another person decides the extension."))
    extension = TemporarySupplyExtension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.PENDING:
        raise ValidationError(_("This extension was decided already."))
    _require_status(supply, SupplyStatus.EXTENSION_REQUESTED)
    if not approve and not (comment or "").strip():
        raise ValidationError({"comment": _("Give the reason for the rejection.")})
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    extension.decided_by = user
    extension.decided_at = timezone.now()
    extension.comment = (comment or "").strip()
    extension.save()
    if not approve:
        back = (
            SupplyStatus.EXTENDED
            if supply.extensions.filter(status=ExtensionStatus.APPROVED).exists()
            else SupplyStatus.CONNECTED
        )
        _move(
            supply,
            back,
            user=user,
            note=_("Extension rejected: %(comment)s") % {"comment": extension.comment},
        )
        return extension
    _renew_contract(supply, user, extension)
    supply.end_on = extension.new_end_on
    supply.reminded_for = None
    if supply.metering_mode == MeteringMode.CAPACITY_TIME:
        supply.prepayment_yuan = agreed_amount(supply)[2]
    _move(
        supply,
        SupplyStatus.EXTENDED,
        user=user,
        note=_("Extended to %(date)s. %(comment)s")
        % {"date": extension.new_end_on, "comment": extension.comment},
    )
    return extension


def _renew_contract(supply: TemporarySupply, user, extension: TemporarySupplyExtension) -> None:
    from gridcheck.contracts.choices import IN_FORCE_STATUSES
    from gridcheck.contracts.services import contract_renew

    contract = supply.contract
    if (
        contract is None
        or contract.status not in IN_FORCE_STATUSES
        or contract.valid_to >= extension.new_end_on
    ):
        return
    contract_renew(
        contract=contract,
        user=user,
        new_valid_to=extension.new_end_on,
        supplier_confirmed_on=timezone.localdate(),
        customer_confirmed_on=extension.requested_on,
    )


# ------------------------------------------------------------------------------------------- daily job


def _station_staff(station_id: int):
    """The station's people who manage contracts (they get the in-app reminder)."""
    from gridcheck.users.models import User

    roles = [role for role, caps in ROLE_CAPABILITIES.items() if MANAGE_CONTRACTS in caps]
    return User.objects.filter(station_id=station_id, role__in=roles, is_active=True).order_by("pk")


def _remind(supply: TemporarySupply, on: datetime.date) -> int:
    from gridcheck.notifications.choices import Channel
    from gridcheck.notifications.services import message_enqueue

    days = (supply.end_on - on).days
    facts = {
        "number": supply.number,
        "name": supply.applicant_name,
        "address": supply.address,
        "end": supply.end_on,
        "days": days,
    }
    subject = _("Temporary supply %(number)s ends on %(end)s") % facts
    body = (
        _(
            "Temporary supply %(number)s of %(name)s (%(address)s) ends on %(end)s, in %(days)s days. Without an "
            "approved extension the supply is disconnected after that date and the account is closed and settled."
        )
        % facts
    )
    sent = 0
    for person in _station_staff(supply.station_id):
        message_enqueue(
            channel=Channel.IN_APP,
            recipient=person,
            subject=subject,
            body=body,
            dedup_key=f"temporary_supply.reminder.{supply.pk}.{supply.end_on}.user{person.pk}",
            related=supply,
            station=supply.station,
        )
        sent += 1
    phone = supply.customer.phone or supply.applicant_phone
    if phone:
        sms = (
            _(
                "[Power supply station] Your temporary supply at %(address)s ends on %(end)s. To keep it, apply for "
                "an extension at the station before that date; otherwise it will be disconnected."
            )
            % facts
        )
        message_enqueue(
            channel=Channel.SMS,
            recipient=phone,
            subject=subject,
            body=sms,
            dedup_key=f"temporary_supply.reminder.{supply.pk}.{supply.end_on}.sms",
            related=supply,
            station=supply.station,
        )
        sent += 1
    return sent


@transaction.atomic
def temporary_supply_end(*, supply: TemporarySupply, on: datetime.date, user=None) -> TemporarySupply:
    """End a supply whose agreed end has passed without an extension: status ended, the customer
    suspended, a pending extension lapsed, and a disconnection work order raised.

    The work order is the inspections app's (``work_order_create``): it models a field job at the
    customer's site with its due date, assignees and closure, which is what cutting and removing a
    temporary line is. Collection's disconnection is not used: it is a disconnection *for arrears*,
    with the legal preconditions (overdue bills, dunning, notice period) that do not apply here.
    """
    from gridcheck.inspections.choices import WorkOrderSource
    from gridcheck.inspections.services.work_orders import work_order_create

    supply = _lock(supply)
    _require_status(supply, *ACTIVE_STATUSES)
    supply.extensions.filter(status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.LAPSED, comment=_("The supply ended before a decision.")
    )
    due = on + datetime.timedelta(days=rule_int("temporary_supply.disconnection_due_days", on=on))
    order = work_order_create(
        source=WorkOrderSource.MANUAL,
        customer=supply.customer,
        reason=_(
            "Temporary supply %(number)s ended on %(end)s without an extension: disconnect the temporary "
            "supply at %(address)s and take the final reading."
        )
        % {"number": supply.number, "end": supply.end_on, "address": supply.address},
        created_by=user,
        due_on=due,
        related=supply,
    )
    customer_update(customer=supply.customer, user=user, status=CustomerStatus.SUSPENDED)
    supply.ended_on = on
    supply.disconnection_work_order = order
    return _move(
        supply,
        SupplyStatus.ENDED,
        user=user,
        note=_("Agreed end %(end)s passed without an extension; disconnection work order %(order)s.")
        % {"end": supply.end_on, "order": order.number},
    )


def temporary_supply_daily(*, on: datetime.date | None = None) -> dict:
    """The daily job: remind supplies ending within ``temporary_supply.reminder_days`` (station staff in
    the app, the customer by SMS; once per agreed end), and end those past their end without extension."""
    on = on or timezone.localdate()
    counts = {"reminded": 0, "messages": 0, "ended": 0, "failed": 0}
    active = TemporarySupply.objects.filter(status__in=ACTIVE_STATUSES).select_related("customer", "station")
    for supply in active.filter(end_on__lt=on):
        try:
            temporary_supply_end(supply=supply, on=on)
        except ValidationError:
            # One supply that cannot be ended (its work order refused) does not stop the others; it is
            # tried again the next day and stays on the ledger's overdue list meanwhile.
            logger.exception("temporary supply %s could not be ended", supply.number)
            counts["failed"] += 1
            continue
        counts["ended"] += 1
    for supply in active.filter(end_on__gte=on).exclude(status=SupplyStatus.EXTENSION_REQUESTED):
        days = rule_int("temporary_supply.reminder_days", on=on)
        if (supply.end_on - on).days > days or supply.reminded_for == supply.end_on:
            continue
        with transaction.atomic():
            counts["messages"] += _remind(supply, on)
            TemporarySupply.objects.filter(pk=supply.pk).update(reminded_for=supply.end_on)
            record_transition(
                TemporarySupplyEvent,
                supply,
                from_status=supply.status,
                to_status=supply.status,
                note=_("Reminder of the end on %(end)s sent to the customer and the station.")
                % {"end": supply.end_on},
            )
        counts["reminded"] += 1
    return counts


# -------------------------------------------------------------------------------------------------- close


def settlement(
    supply: TemporarySupply, *, closed_on: datetime.date, final_reading_kwh=None, prepaid_yuan: Decimal
) -> dict:
    """The closing's figures (nothing saved): energy, price, charge, refund and what is still owed.

    Metered: energy = final − connection reading; charge = energy × price in force on the last day.
    Capacity × time (1996 art. 87): the agreed amount is capacity (kVA as kW) × agreed hours a day ×
    agreed days × price; used less than half the agreed days, the share ``temporary_supply.
    unmetered_refund_share`` of it is refunded (exactly half: ``unmetered_refund_at_exactly_half``),
    otherwise nothing. Then: refund = prepaid balance − charge (when positive), still owed = the rest.
    """
    last_day = min(closed_on, supply.end_on)
    result = {"used_days": None, "term_days": term_days(supply), "final_reading_kwh": None}
    if supply.connected_on:
        result["used_days"] = max((last_day - supply.connected_on).days + 1, 0)
    if supply.metering_mode == MeteringMode.METER:
        if final_reading_kwh in (None, ""):
            raise ValidationError({"final_reading_kwh": _("Give the meter's final reading.")})
        final = Decimal(final_reading_kwh)
        initial = supply.initial_reading_kwh or ZERO
        if final < initial:
            raise ValidationError(
                {
                    "final_reading_kwh": _(
                        "The final reading %(final)s is below the reading at connection %(initial)s."
                    )
                    % {"final": final, "initial": initial}
                }
            )
        price = price_of(supply, last_day)
        energy = final - initial
        charge = yuan(energy * price)
        result["final_reading_kwh"] = final
        note = _(
            "Metered: %(final)s − %(initial)s = %(energy)s kWh × %(price)s yuan/kWh = %(charge)s yuan."
        ) % {
            "final": final,
            "initial": initial,
            "energy": energy,
            "price": price,
            "charge": f"{charge:.2f}",
        }
    else:
        energy, price, amount = agreed_amount(supply)
        used = result["used_days"] or 0
        share = Decimal(rule_value("temporary_supply.unmetered_refund_share", on=last_day))
        at_half = bool(rule_value("temporary_supply.unmetered_refund_at_exactly_half", on=last_day))
        terms = result["term_days"]
        under_half = used * 2 < terms or (used * 2 == terms and at_half)
        refund_part = yuan(amount * share) if under_half else ZERO
        charge = amount - refund_part
        note = _(
            "Capacity × time (art. 87): %(kva)s kW × %(hours)s h × %(days)s days = %(energy)s kWh × %(price)s "
            "yuan/kWh = %(amount)s yuan; used %(used)s of %(days)s days: %(verdict)s; charge %(charge)s yuan."
        ) % {
            "kva": supply.capacity_kva,
            "hours": hours_per_day_of(supply),
            "days": terms,
            "energy": energy,
            "price": price,
            "amount": f"{amount:.2f}",
            "used": used,
            "verdict": (_("less than half, %(share)s refunded") % {"share": share})
            if under_half
            else _("not less than half, nothing refunded"),
            "charge": f"{charge:.2f}",
        }
    refund = max(prepaid_yuan - charge, ZERO)
    due = max(charge - prepaid_yuan, ZERO)
    note += " " + _("Prepaid %(prepaid)s yuan: refund %(refund)s yuan, still owed %(due)s yuan.") % {
        "prepaid": f"{prepaid_yuan:.2f}",
        "refund": f"{refund:.2f}",
        "due": f"{due:.2f}",
    }
    result.update(
        energy_kwh=energy,
        price_yuan_per_kwh=price,
        charge_yuan=charge,
        prepaid_yuan=prepaid_yuan,
        refund_yuan=refund,
        balance_due_yuan=due,
        settlement_note=note,
    )
    return result


@transaction.atomic
def temporary_supply_close(
    *,
    user,
    supply: TemporarySupply,
    completion: str,
    closed_on: datetime.date | None = None,
    final_reading_kwh=None,
    note: str = "",
) -> TemporarySupply:
    """Close (消户) a temporary supply: final reading or capacity × time, settlement against the prepaid
    balance and refund of the rest; the line and meter removed (the customer account closed) or
    converted to permanent supply (the account kept for the permanent application and its contract).

    An active supply may be closed early (the customer finished): its pending extension lapses.
    """
    from gridcheck.collection.models import Account

    _require(user, MANAGE_CONTRACTS, _("Your role may not close temporary supply."))
    _require_scope(user, supply)
    supply = _lock(supply)
    _require_status(supply, SupplyStatus.ENDED, *ACTIVE_STATUSES)
    if completion not in Completion.values:
        raise ValidationError(
            {"completion": _("Choose whether the line and meter are removed or converted.")}
        )
    closed_on = closed_on or timezone.localdate()
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("The closing cannot be dated in the future.")})
    if supply.connected_on and closed_on < supply.connected_on:
        raise ValidationError({"closed_on": _("The closing is dated before the connection.")})
    account = Account.objects.select_for_update().filter(customer_id=supply.customer_id).first()
    prepaid = account.credit_yuan if account is not None else ZERO
    figures = settlement(
        supply, closed_on=closed_on, final_reading_kwh=final_reading_kwh, prepaid_yuan=prepaid
    )
    supply.extensions.filter(status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.LAPSED, comment=_("The supply was closed before a decision.")
    )
    if account is not None and account.credit_yuan:
        # The prepayment is used up: the charge taken, the rest refunded (paid out at the counter).
        account.credit_yuan = ZERO
        account.save(update_fields=["credit_yuan", "updated_at"])
    for name, value in figures.items():
        setattr(supply, name, value)
    if note:
        supply.settlement_note = f"{supply.settlement_note} {note.strip()}"
    supply.completion = completion
    supply.closed_on = closed_on
    supply.closed_by = user
    if completion == Completion.REMOVED:
        customer_update(customer=supply.customer, user=user, status=CustomerStatus.CLOSED)
    return _move(supply, SupplyStatus.CLOSED, user=user, note=supply.settlement_note)


# ------------------------------------------------------------------------------ unauthorised connection


@transaction.atomic
def unauthorised_connection_record(
    *,
    user,
    area: Area,
    found_on: datetime.date,
    address: str,
    connected_by: str,
    facts: str,
    staff=None,
    customer: Customer | None = None,
    supply: TemporarySupply | None = None,
) -> UnauthorisedConnection:
    """Record a temporary connection found without the procedure or the prepayment.

    Made by staff: recorded against ``staff`` (a member of the area's station) with the fine of the rule
    ``temporary_supply.unauthorised_connection_fine_yuan`` on ``found_on``, for the assessment. Made by
    the customer alone: a theft case (wiring into supply facilities) is opened through
    ``cases.services.case_create``; the customer is ``customer`` or the supply's account.
    """
    from gridcheck.cases.choices import CaseKind, TheftType
    from gridcheck.cases.services import case_create

    if not (has_capability(user, MANAGE_CONTRACTS) or has_capability(user, HANDLE_CASES)):
        raise PermissionDenied(_("Your role may not record unauthorised connections."))
    _require_scope(user, area)
    if supply is not None:
        _require_scope(user, supply)
        customer = customer or supply.customer
    if customer is not None and customer.area_id != area.pk:
        area = customer.area
    errors = {}
    if not (address or "").strip():
        errors["address"] = _("Give the address of the connection.")
    if not (facts or "").strip():
        errors["facts"] = _("Describe what was found.")
    if found_on > timezone.localdate():
        errors["found_on"] = _("The finding cannot be dated in the future.")
    if connected_by not in ConnectedBy.values:
        errors["connected_by"] = _("Say who made the connection.")
    elif connected_by == ConnectedBy.STAFF:
        if staff is None:
            errors["staff"] = _("Name the member of staff who made the connection.")
        elif staff.station_id != area.station_id:
            errors["staff"] = _("%(name)s is not on the staff of this station.") % {"name": staff}
    elif customer is None:
        errors["customer"] = _(
            "Name the customer who connected: a theft case is opened against the customer."
        )
    if errors:
        raise ValidationError(errors)
    record = UnauthorisedConnection(
        station_id=area.station_id,
        area=area,
        supply=supply,
        customer=customer,
        found_on=found_on,
        found_by=user,
        address=address.strip(),
        connected_by=connected_by,
        facts=facts.strip(),
    )
    if connected_by == ConnectedBy.STAFF:
        record.staff = staff
        record.fine_yuan = yuan(rule_value("temporary_supply.unauthorised_connection_fine_yuan", on=found_on))
    else:
        record.case = case_create(
            customer=customer,
            kind=CaseKind.THEFT,
            theft_type=TheftType.TAP_SUPPLY_FACILITY,
            case_date=found_on,
            created_by=user,
            facts=_("Temporary connection made by the customer without the procedure: %(facts)s")
            % {"facts": facts.strip()},
        )
    record.full_clean()
    record.save()
    if supply is not None:
        record_transition(
            TemporarySupplyEvent,
            supply,
            from_status=supply.status,
            to_status=supply.status,
            actor=user,
            note=_("Unauthorised connection recorded (%(who)s).") % {"who": ConnectedBy(connected_by).label},
        )
    return record
