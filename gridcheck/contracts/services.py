"""Services that change the contract register: keyword-only, atomic, validated before they save.

Every write checks that the user holds MANAGE_CONTRACTS (the longer-term approval: APPROVE_STATION, by
someone other than the preparer) and that the customer or contract lies within the user's scope. Each
status change is a ``ContractEvent`` (``record_transition``). The daily job (``contracts_daily``) puts
signed contracts in force on their first day, expires those past their end and sends the expiry reminders.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.contracts.choices import (
    CLOSED_STATUSES,
    IN_FORCE_STATUSES,
    MANDATORY_CLAUSES,
    ContractKind,
    ContractStatus,
)
from gridcheck.contracts.models import (
    Contract,
    ContractAgreement,
    ContractCaseLink,
    ContractEvent,
    ContractExtension,
    ContractFileLoan,
    ContractReminder,
)
from gridcheck.contracts.selectors import contract_in_force
from gridcheck.core.events import record_transition
from gridcheck.core.roles import APPROVE_STATION, MANAGE_CONTRACTS, has_capability
from gridcheck.core.rules import rule_int
from gridcheck.core.scoping import user_can_see
from gridcheck.core.uploads import upload_accept

#: Largest scanned contract or written confirmation accepted [bytes].
MAX_SCAN_BYTES = 20 * 1024 * 1024

#: Fields of a contract that a draft's form may change (clauses, parties, dates).
EDITABLE_FIELDS = (
    "supplier_signatory",
    "supplier_signatory_name",
    "customer_signatory",
    "valid_from",
    "valid_to",
    "clause_supply",
    "clause_capacity_use",
    "capacity_kva",
    "clause_metering_tariff",
    "tariff_code",
    "clause_boundary",
    "clause_term",
    "clause_liability",
    "clause_other",
    "theft_liability_acknowledged",
    "theft_liability_acknowledged_on",
    "note",
)
#: The main clauses: changing one of a signed contract means a new contract that supersedes it.
MAIN_FIELDS = tuple(f for f in EDITABLE_FIELDS if f.startswith("clause_")) + ("capacity_kva", "tariff_code")


# --------------------------------------------------------------------------------------------- checks


def _require_manager(user, obj=None) -> None:
    if user is None or not has_capability(user, MANAGE_CONTRACTS):
        raise PermissionDenied(_("Your role may not manage supply contracts."))
    if obj is not None and not user_can_see(user, obj):
        raise PermissionDenied(_("This customer or contract is outside your station or areas."))


def _require_status(contract: Contract, *allowed: str) -> None:
    if contract.status not in allowed:
        raise ValidationError(
            _("This cannot be done to a contract that is %(status)s.")
            % {"status": ContractStatus(contract.status).label}
        )


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by ``years`` years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def term_limit(valid_from: datetime.date) -> datetime.date:
    """The last day of a normal term starting ``valid_from`` (station rule ``contracts.term_years``)."""
    return add_years(valid_from, rule_int("contracts.term_years", on=valid_from)) - datetime.timedelta(days=1)


def term_exceeds_limit(valid_from: datetime.date, valid_to: datetime.date) -> bool:
    """Whether the term ``valid_from``..``valid_to`` is longer than the normal term."""
    return valid_to > term_limit(valid_from)


def check_dates(valid_from, valid_to) -> None:
    """Refuse a term whose end is before its start."""
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError(
            {
                "valid_to": _("The contract ends (%(to)s) before it starts (%(from)s).")
                % {"to": valid_to.isoformat(), "from": valid_from.isoformat()}
            }
        )


def missing_clauses(contract: Contract) -> list[tuple[str, str]]:
    """The mandatory clauses (field, label) a non-standard contract still lacks, the theft-liability
    acknowledgement included; empty for a standard form."""
    if contract.kind != ContractKind.NON_STANDARD:
        return []
    missing = [
        (name, str(label)) for name, label in MANDATORY_CLAUSES if not (getattr(contract, name) or "").strip()
    ]
    if contract.capacity_kva is None:
        missing.append(("capacity_kva", _("contracted capacity [kVA]")))
    if not contract.tariff_code:
        missing.append(("tariff_code", _("tariff code")))
    if not contract.theft_liability_acknowledged or not contract.theft_liability_acknowledged_on:
        missing.append(
            ("theft_liability_acknowledged", _("the customer's acknowledgement of legal liability for theft"))
        )
    return missing


def _check_clauses(contract: Contract) -> None:
    missing = missing_clauses(contract)
    if missing:
        raise ValidationError(
            {
                name: _("The non-standard contract cannot be signed: the clause “%(clause)s” is not filled.")
                % {"clause": label}
                for name, label in missing
            }
        )


def _check_term_approved(contract: Contract) -> None:
    if term_exceeds_limit(contract.valid_from, contract.valid_to) and not contract.term_approved_by_id:
        raise ValidationError(
            {
                "valid_to": _(
                    "A term longer than %(years)s years (to %(limit)s) needs the approval of a station "
                    "head other than the preparer."
                )
                % {
                    "years": rule_int("contracts.term_years", on=contract.valid_from),
                    "limit": term_limit(contract.valid_from).isoformat(),
                }
            }
        )


def _next_number(station, year: int) -> str:
    prefix = f"HT-{station.code}-{year}-"
    n = Contract.objects.filter(number__startswith=prefix).count() + 1
    while Contract.objects.filter(number=f"{prefix}{n:05d}").exists():
        n += 1
    return f"{prefix}{n:05d}"


def _move(contract: Contract, *, to: str, user, note: str = "", reason: str = "") -> Contract:
    before = contract.status
    contract.status = to
    contract.full_clean()
    contract._history_user = user if getattr(user, "is_authenticated", False) else None
    contract._change_reason = reason or f"{ContractStatus(before).label} → {ContractStatus(to).label}"
    contract.save()
    record_transition(ContractEvent, contract, from_status=before, to_status=to, actor=user, note=note)
    return contract


def _save(contract: Contract, user, reason: str) -> Contract:
    contract.full_clean()
    contract._history_user = user if getattr(user, "is_authenticated", False) else None
    contract._change_reason = reason
    contract.save()
    return contract


def _accept_file(upload):
    name = getattr(upload, "name", "") or ""
    kind = "photo" if name.lower().endswith((".jpg", ".jpeg", ".png")) else "pdf"
    return upload_accept(upload, kind=kind, max_bytes=MAX_SCAN_BYTES)


# ---------------------------------------------------------------------------------------------- draft


@transaction.atomic
def contract_draft(
    *,
    customer,
    user,
    kind: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    number: str = "",
    replaces: Contract | None = None,
    **fields,
) -> Contract:
    """Draft a contract for ``customer``; ``valid_to`` defaults to the normal term. ``fields``: any of
    ``EDITABLE_FIELDS``. A term over the limit may be drafted; it cannot be signed until approved."""
    _require_manager(user, customer)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    if kind not in ContractKind.values:
        raise ValidationError({"kind": _("Unknown contract kind.")})
    valid_to = valid_to or term_limit(valid_from)
    check_dates(valid_from, valid_to)
    number = (number or "").strip() or _next_number(customer.station, valid_from.year)
    if Contract.objects.filter(number=number).exists():
        raise ValidationError({"number": _("The contract number %(number)s exists.") % {"number": number}})
    contract = Contract(
        number=number,
        kind=kind,
        customer=customer,
        station_id=customer.station_id,
        valid_from=valid_from,
        valid_to=valid_to,
        prepared_by=user,
        replaces=replaces,
        status=ContractStatus.DRAFT,
        **fields,
    )
    _save(contract, user, _("drafted"))
    record_transition(
        ContractEvent, contract, to_status=ContractStatus.DRAFT, actor=user, note=_("Contract drafted.")
    )
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, user, **fields) -> Contract:
    """Change the clauses, parties or dates of a draft (a signed contract changes by supersession)."""
    _require_manager(user, contract)
    _require_status(contract, ContractStatus.DRAFT)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(contract, name, value)
    check_dates(contract.valid_from, contract.valid_to)
    if {"valid_from", "valid_to"} & set(fields):
        contract.term_approved_by = None  # an approval holds for the term it approved only
        contract.term_approved_on = None
    return _save(contract, user, _("clauses updated"))


@transaction.atomic
def contract_approve_term(*, contract: Contract, user, on: datetime.date | None = None) -> Contract:
    """Approve a term longer than the normal one: a station head (APPROVE_STATION) who did not prepare
    the contract."""
    if user is None or not has_capability(user, APPROVE_STATION):
        raise PermissionDenied(_("Only a station head may approve a longer contract term."))
    if not user_can_see(user, contract):
        raise PermissionDenied(_("This customer or contract is outside your station or areas."))
    if contract.prepared_by_id and contract.prepared_by_id == user.pk:
        raise PermissionDenied(_("Whoever prepares a contract never approves its term."))
    _require_status(contract, ContractStatus.DRAFT)
    if not term_exceeds_limit(contract.valid_from, contract.valid_to):
        raise ValidationError(_("The term is within the normal limit; it needs no approval."))
    contract.term_approved_by = user
    contract.term_approved_on = on or timezone.localdate()
    return _save(contract, user, _("longer term approved"))


@transaction.atomic
def contract_attach_scan(*, contract: Contract, user, upload) -> Contract:
    """Store the scan (PDF, JPEG or PNG) of the signed paper contract."""
    _require_manager(user, contract)
    accepted = _accept_file(upload)
    contract.scanned_file.save(accepted.file.name, accepted.file, save=False)
    contract.scanned_file_name = accepted.original_name
    contract.scanned_content_type = accepted.content_type
    contract.scanned_sha256 = accepted.sha256
    return _save(contract, user, _("scan attached"))


# ------------------------------------------------------------------------------------ sign and force


@transaction.atomic
def contract_sign(
    *,
    contract: Contract,
    user,
    signed_on: datetime.date,
    customer_signatory: str = "",
    supplier_signatory=None,
    supplier_signatory_name: str = "",
) -> Contract:
    """Sign a draft: both signatories named, every mandatory clause of a non-standard contract filled,
    a longer term approved. It is in force at once when its term has begun; a draft that replaces a
    contract supersedes it."""
    _require_manager(user, contract)
    _require_status(contract, ContractStatus.DRAFT)
    if supplier_signatory is not None:
        contract.supplier_signatory = supplier_signatory
    if supplier_signatory_name:
        contract.supplier_signatory_name = supplier_signatory_name
    if customer_signatory:
        contract.customer_signatory = customer_signatory
    errors = {}
    if not contract.supplier_signatory_id and not contract.supplier_signatory_name.strip():
        errors["supplier_signatory"] = _("Name the supplier's signatory.")
    if not contract.customer_signatory.strip():
        errors["customer_signatory"] = _("Name the customer's signatory.")
    if signed_on > timezone.localdate():
        errors["signed_on"] = _("The signing date %(date)s is in the future.") % {
            "date": signed_on.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    _check_clauses(contract)
    _check_term_approved(contract)
    contract.signed_on = signed_on
    _move(contract, to=ContractStatus.SIGNED, user=user, note=_("Contract signed."))
    old = contract.replaces
    if old is not None and old.status not in CLOSED_STATUSES:
        old.superseded_by = contract
        _move(
            old,
            to=ContractStatus.SUPERSEDED,
            user=user,
            note=_("Superseded by %(n)s.") % {"n": contract.number},
        )
    today = timezone.localdate()
    if contract.valid_from <= today <= contract.valid_to:
        _move(contract, to=ContractStatus.IN_FORCE, user=user, note=_("In force from its first day."))
    return contract


@transaction.atomic
def contract_put_in_force(*, contract: Contract, user=None, on: datetime.date | None = None) -> Contract:
    """Put a signed contract in force on or after its first day (the daily job, or a person)."""
    on = on or timezone.localdate()
    if user is not None:
        _require_manager(user, contract)
    _require_status(contract, ContractStatus.SIGNED)
    if contract.valid_from > on:
        raise ValidationError(
            _("The contract is in force only from %(date)s.") % {"date": contract.valid_from.isoformat()}
        )
    return _move(contract, to=ContractStatus.IN_FORCE, user=user, note=_("In force from its first day."))


@transaction.atomic
def contract_create_standard_temporary(
    *,
    customer,
    user,
    valid_from: datetime.date,
    valid_to: datetime.date,
    capacity_kva=None,
    number: str = "",
    note: str = "",
    sign: bool = False,
    signed_on: datetime.date | None = None,
    customer_signatory: str = "",
) -> Contract:
    """The standard temporary-supply contract of ``customer`` (for the temporary-supply application).

    Drafted, and with ``sign=True`` signed at once (``customer_signatory`` required) and in force when
    its term has begun. The temporary supply's own limit (6 months) is checked by its app.
    """
    contract = contract_draft(
        customer=customer,
        user=user,
        kind=ContractKind.STANDARD_TEMPORARY,
        valid_from=valid_from,
        valid_to=valid_to,
        number=number,
        capacity_kva=capacity_kva,
        note=note,
    )
    if sign:
        contract_sign(
            contract=contract,
            user=user,
            signed_on=signed_on or timezone.localdate(),
            customer_signatory=customer_signatory,
            supplier_signatory=user,
        )
    return contract


# --------------------------------------------------------------------- renew, supersede, terminate


@transaction.atomic
def contract_renew(
    *,
    contract: Contract,
    user,
    new_valid_to: datetime.date,
    supplier_confirmed_on: datetime.date | None,
    customer_confirmed_on: datetime.date | None,
    confirmation_file=None,
) -> ContractExtension:
    """Extend a contract in force: both sides' written confirmation (two dates, optionally the scan);
    the extension may not be longer than a normal term."""
    _require_manager(user, contract)
    _require_status(contract, *IN_FORCE_STATUSES)
    errors = {}
    if not supplier_confirmed_on:
        errors["supplier_confirmed_on"] = _("The supplier's written confirmation is required.")
    if not customer_confirmed_on:
        errors["customer_confirmed_on"] = _("The customer's written confirmation is required.")
    if new_valid_to <= contract.valid_to:
        errors["new_valid_to"] = _("The new end must be after the present end (%(date)s).") % {
            "date": contract.valid_to.isoformat()
        }
    elif new_valid_to > add_years(contract.valid_to, rule_int("contracts.term_years", on=contract.valid_to)):
        errors["new_valid_to"] = _("An extension may not be longer than %(years)s years.") % {
            "years": rule_int("contracts.term_years", on=contract.valid_to)
        }
    if errors:
        raise ValidationError(errors)
    extension = ContractExtension(
        contract=contract,
        previous_valid_to=contract.valid_to,
        new_valid_to=new_valid_to,
        supplier_confirmed_on=supplier_confirmed_on,
        customer_confirmed_on=customer_confirmed_on,
        created_by=user,
    )
    if confirmation_file is not None:
        accepted = _accept_file(confirmation_file)
        extension.confirmation_file.save(accepted.file.name, accepted.file, save=False)
        extension.confirmation_file_name = accepted.original_name
        extension.confirmation_content_type = accepted.content_type
    extension.full_clean()
    extension.save()
    contract.valid_to = new_valid_to
    _move(
        contract,
        to=ContractStatus.EXTENDED,
        user=user,
        note=_("Extended to %(date)s.") % {"date": new_valid_to.isoformat()},
    )
    return extension


@transaction.atomic
def contract_supersede(*, contract: Contract, user, valid_from: datetime.date, **changes) -> Contract:
    """A change of a main clause: a new draft (the old clauses with ``changes``) that supersedes
    ``contract`` when it is signed."""
    _require_manager(user, contract)
    _require_status(contract, ContractStatus.SIGNED, *IN_FORCE_STATUSES)
    if contract.replacements.filter(status=ContractStatus.DRAFT).exists():
        raise ValidationError(_("A draft that supersedes this contract exists already."))
    if not set(changes) & set(MAIN_FIELDS):
        raise ValidationError(_("Change at least one main clause; otherwise extend the contract instead."))
    fields = {
        name: getattr(contract, name) for name in EDITABLE_FIELDS if name not in ("valid_from", "valid_to")
    }
    fields.update(changes)
    valid_to = fields.pop("valid_to", None)
    return contract_draft(
        customer=contract.customer,
        user=user,
        kind=contract.kind,
        valid_from=valid_from,
        valid_to=valid_to,
        replaces=contract,
        **fields,
    )


@transaction.atomic
def contract_terminate(*, contract: Contract, user, on: datetime.date, reason: str) -> Contract:
    """End a contract before its term (closing of the account, breach): the date and the reason."""
    _require_manager(user, contract)
    _require_status(contract, ContractStatus.DRAFT, ContractStatus.SIGNED, *IN_FORCE_STATUSES)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the contract is terminated.")})
    contract.terminated_on = on
    contract.termination_reason = reason.strip()
    return _move(contract, to=ContractStatus.TERMINATED, user=user, note=reason.strip())


# --------------------------------------------------------------------------------------- agreements


@transaction.atomic
def agreement_add(
    *,
    contract: Contract,
    user,
    kind: str,
    number: str = "",
    signed_on: datetime.date | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    capacity_kva=None,
    tariff_code: str = "",
    content: str = "",
) -> ContractAgreement:
    """Attach a dispatch, own-generation or settlement agreement; refuse one that contradicts the
    contract (a capacity above the contract's, another tariff, a term outside the contract's)."""
    _require_manager(user, contract)
    _require_status(contract, ContractStatus.DRAFT, ContractStatus.SIGNED, *IN_FORCE_STATUSES)
    errors = {}
    if (
        capacity_kva is not None
        and contract.capacity_kva is not None
        and capacity_kva > contract.capacity_kva
    ):
        errors["capacity_kva"] = _(
            "The agreement states %(stated)s kVA, more than the contract's %(contract)s kVA."
        ) % {"stated": capacity_kva, "contract": contract.capacity_kva}
    tariff_code = (tariff_code or "").strip()
    if tariff_code and contract.tariff_code and tariff_code != contract.tariff_code:
        errors["tariff_code"] = _(
            "The agreement states tariff %(stated)s; the contract's is %(contract)s."
        ) % {
            "stated": tariff_code,
            "contract": contract.tariff_code,
        }
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = _("The agreement ends before it starts.")
    if valid_from and valid_from < contract.valid_from:
        errors["valid_from"] = _("The agreement starts (%(date)s) before the contract (%(contract)s).") % {
            "date": valid_from.isoformat(),
            "contract": contract.valid_from.isoformat(),
        }
    if valid_to and valid_to > contract.valid_to:
        errors["valid_to"] = _("The agreement ends (%(date)s) after the contract (%(contract)s).") % {
            "date": valid_to.isoformat(),
            "contract": contract.valid_to.isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    agreement = ContractAgreement(
        contract=contract,
        kind=kind,
        number=number,
        signed_on=signed_on,
        valid_from=valid_from,
        valid_to=valid_to,
        capacity_kva=capacity_kva,
        tariff_code=tariff_code,
        content=content,
        created_by=user,
    )
    agreement.full_clean()
    agreement.save()
    return agreement


# --------------------------------------------------------------------------------------- file loans


@transaction.atomic
def loan_out(
    *,
    contract: Contract,
    user,
    lent_on: datetime.date,
    due_on: datetime.date,
    borrower=None,
    borrower_name: str = "",
    purpose: str = "",
) -> ContractFileLoan:
    """Lend the paper file: to whom (a user or a name), when, due back when; one loan at a time."""
    _require_manager(user, contract)
    errors = {}
    if borrower is None and not borrower_name.strip():
        errors["borrower"] = _("Name who borrows the file.")
    if due_on < lent_on:
        errors["due_on"] = _("The file is due back before it is lent.")
    if errors:
        raise ValidationError(errors)
    if contract.loans.filter(returned_on__isnull=True).exists():
        raise ValidationError(_("The file is lent out already; record its return first."))
    loan = ContractFileLoan(
        contract=contract,
        borrower=borrower,
        borrower_name=borrower_name.strip(),
        purpose=purpose,
        lent_on=lent_on,
        due_on=due_on,
        lent_by=user,
    )
    loan.full_clean()
    try:
        with transaction.atomic():
            loan.save()
    except IntegrityError as exc:
        raise ValidationError(_("The file is lent out already; record its return first.")) from exc
    return loan


@transaction.atomic
def loan_return(*, loan: ContractFileLoan, user, returned_on: datetime.date) -> ContractFileLoan:
    """Record that the paper file came back."""
    _require_manager(user, loan.contract)
    if loan.returned_on:
        raise ValidationError(_("The file was returned already."))
    if returned_on < loan.lent_on:
        raise ValidationError({"returned_on": _("The file cannot come back before it was lent.")})
    loan.returned_on = returned_on
    loan.received_by = user
    loan.full_clean()
    loan.save()
    return loan


# ------------------------------------------------------------------------------------ breach cases


def contract_link_case(case, *, on: datetime.date | None = None) -> ContractCaseLink | None:
    """Link a violation or theft case to its customer's contract in force on the case date (no contract:
    nothing). Called when a case is opened; linking twice keeps one link."""
    contract = contract_in_force(case.customer, on or case.case_date)
    if contract is None:
        contract = contract_in_force(case.customer, timezone.localdate())
    if contract is None:
        return None
    link, _created = ContractCaseLink.objects.get_or_create(contract=contract, case=case)
    return link


# ------------------------------------------------------------------------- the daily job, reminders


def reminder_thresholds(on: datetime.date) -> list[int]:
    """The days before expiry at which the station is reminded (rules ``contracts.expiry_*``)."""
    return sorted(
        {
            rule_int("contracts.expiry_reminder_days", on=on),
            rule_int("contracts.expiry_final_reminder_days", on=on),
        },
        reverse=True,
    )


def contract_expiry_reminders(*, on: datetime.date | None = None) -> int:
    """Remind each station's contract managers (in-app) of the contracts in force that end within a
    threshold; once per contract, end date and threshold. Returns how many contracts were reminded."""
    from gridcheck.notifications.choices import Channel
    from gridcheck.notifications.services import message_enqueue
    from gridcheck.users.models import User

    on = on or timezone.localdate()
    reminded = 0
    for days in reminder_thresholds(on):
        due = (
            Contract.objects.filter(
                status__in=IN_FORCE_STATUSES,
                valid_to__gte=on,
                valid_to__lte=on + datetime.timedelta(days=days),
            )
            .annotate(
                reminded=Exists(
                    ContractReminder.objects.filter(
                        contract=OuterRef("pk"), days_before=days, valid_to=OuterRef("valid_to")
                    )
                )
            )
            .filter(reminded=False)
            .select_related("customer", "station")
            .order_by("station_id", "valid_to", "number")
        )
        by_station: dict[int, list[Contract]] = {}
        for contract in due:
            by_station.setdefault(contract.station_id, []).append(contract)
        for station_id, contracts in by_station.items():
            staff = [
                u
                for u in User.objects.filter(station_id=station_id, is_active=True).order_by("pk")
                if has_capability(u, MANAGE_CONTRACTS)
            ]
            lines = [
                f"{c.number} {c.customer.account_number} {c.customer.name}（到期 {c.valid_to:%Y-%m-%d}）"
                for c in contracts[:50]
            ]
            more = len(contracts) - len(lines)
            body = "\n".join(lines) + (f"\n……另有 {more} 份" if more > 0 else "")
            with transaction.atomic():
                for person in staff:
                    message_enqueue(
                        channel=Channel.IN_APP,
                        recipient=person,
                        subject=_("%(n)s supply contracts expire within %(days)s days")
                        % {"n": len(contracts), "days": days},
                        body=body,
                        dedup_key=f"contracts-expiry:{station_id}:{person.pk}:{days}:{on:%Y-%m-%d}",
                        station=contracts[0].station,
                    )
                ContractReminder.objects.bulk_create(
                    [
                        ContractReminder(contract=c, valid_to=c.valid_to, days_before=days, sent_on=on)
                        for c in contracts
                    ],
                    ignore_conflicts=True,
                )
            reminded += len(contracts)
    return reminded


def contracts_daily(*, on: datetime.date | None = None) -> dict:
    """The daily job: signed contracts whose term has begun go in force, contracts past their end
    expire, then the expiry reminders. Returns the counts."""
    on = on or timezone.localdate()
    started = expired = 0
    for contract in Contract.objects.filter(
        status=ContractStatus.SIGNED, valid_from__lte=on, valid_to__gte=on
    ):
        with transaction.atomic():
            _move(contract, to=ContractStatus.IN_FORCE, user=None, note=_("In force from its first day."))
        started += 1
    for contract in Contract.objects.filter(
        status__in=(ContractStatus.SIGNED, *IN_FORCE_STATUSES), valid_to__lt=on
    ):
        with transaction.atomic():
            _move(contract, to=ContractStatus.EXPIRED, user=None, note=_("Expired at the end of its term."))
        expired += 1
    reminded = contract_expiry_reminders(on=on)
    return {"in_force": started, "expired": expired, "reminded": reminded}
