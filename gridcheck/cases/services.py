"""Services of the cases app: every state change of a case goes through here and records a ``CaseEvent``.

draft > computed > notified (signed or refused) > pending_approval > approved > paid > closed;
a rejection at approval sends the case to ``rejected``, from where it may be recomputed. The amounts are
never computed here: ``case_compute`` calls ``gridcheck_analytics.penalties`` with the tariff in force on
the case date and stores the itemised result.
"""

from __future__ import annotations

import datetime
import inspect
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.archive.models import Customer, Meter, Tariff
from gridcheck.archive.selectors import tariff_in_force
from gridcheck.cases.choices import ApprovalDecision, ApprovalLevel, CaseKind, CaseStatus, TheftType
from gridcheck.cases.models import Case, CaseApproval, CaseEvent, Payment
from gridcheck.cases.selectors import (
    approval_threshold_yuan,
    can_approve,
    can_handle_cases,
    current_approvals,
    customer_meter,
    next_approval_level,
    paid_yuan,
)
from gridcheck.core.events import record_transition
from gridcheck.core.roles import APPROVE_COUNTY, APPROVE_STATION
from gridcheck_analytics import penalties
from gridcheck_analytics.regulations import RuleError, RuleNotInForceError

#: Tariff categories of the archive -> those of the rule table (``theft.customer_class.<category>``).
TARIFF_CATEGORY_TO_RULES = {
    "residential": "residential",
    "general": "general_commercial",
    "large_industry": "large_industry",
    "agricultural": "agricultural",
}
#: Facts of a theft case a person may enter; everything else comes from the archive.
THEFT_INPUT_KEYS = (
    "hours",
    "days",
    "hours_per_day",
    "start_date",
    "end_date",
    "customer_class",
    "equipment_capacity_kw",
    "limiter_current_a",
    "contract_penalty_multiple",
    "surcharge_yuan_per_kwh",
    "damage_yuan",
    "basis",
    "basis_reason",
    "transformer_kva",
    "recorded_energy_kwh",
    "actual_ct_ratio",
    "billed_ct_ratio",
    "normal_months_kwh",
    "after_months_kwh",
    "theft_months",
    "prior_offence",
    "repeated",
    "province",
)


# ----------------------------------------------------------------------------------------------- helpers


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _event(case: Case, from_status: str, actor, note: str = "") -> None:
    record_transition(CaseEvent, case, from_status=from_status, to_status=case.status, actor=actor, note=note)


def _save(case: Case, actor, reason: str = "") -> None:
    case.full_clean()
    case._history_user = actor
    case._change_reason = reason[:100]
    case.save()


def _require_status(case: Case, *allowed: str) -> None:
    if case.status not in allowed:
        raise ValidationError(
            _("This cannot be done to a case that is %(status)s.") % {"status": CaseStatus(case.status).label}
        )


def _require_handler(user) -> None:
    if user is not None and not can_handle_cases(user):
        raise PermissionDenied(_("Your role may not handle theft and violation cases."))


def _check_dates(case_date: datetime.date, meter: Meter | None) -> None:
    today = timezone.localdate()
    if case_date > today:
        raise ValidationError(
            {"case_date": _("The case date %(date)s is in the future.") % {"date": case_date.isoformat()}}
        )
    if meter is not None and meter.install_date and case_date < meter.install_date:
        raise ValidationError(
            {
                "case_date": _(
                    "The case date %(date)s is before meter %(meter)s was installed (%(installed)s)."
                )
                % {
                    "date": case_date.isoformat(),
                    "meter": meter.asset_number,
                    "installed": meter.install_date.isoformat(),
                }
            }
        )


def _next_number(station, year: int) -> str:
    prefix = f"{station.code}-{year}-"
    n = Case.objects.filter(number__startswith=prefix).count() + 1
    while Case.objects.filter(number=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"


# ----------------------------------------------------------------------------------------------- create


@transaction.atomic
def case_create(
    *,
    customer: Customer,
    kind: str,
    case_date: datetime.date,
    created_by,
    theft_type: str = "",
    violation_type: str = "",
    inputs: dict | None = None,
    facts: str = "",
    meter: Meter | None = None,
    visit_ref: str = "",
    visit=None,
) -> Case:
    """Open a draft case against ``customer``; refuse a date in the future or before the meter's install."""
    _require_handler(created_by)
    if kind == CaseKind.THEFT and not theft_type:
        raise ValidationError({"theft_type": _("Choose the theft type.")})
    if kind == CaseKind.VIOLATION and not violation_type:
        raise ValidationError({"violation_type": _("Choose the violation type.")})
    if meter is None:
        meter = customer_meter(customer, case_date)
    elif meter.metering_point.customer_id != customer.pk:
        raise ValidationError({"meter": _("This meter does not belong to the customer.")})
    _check_dates(case_date, meter)
    case = Case(
        number=_next_number(customer.station, case_date.year),
        kind=kind,
        customer=customer,
        station=customer.station,
        meter=meter,
        case_date=case_date,
        theft_type=theft_type if kind == CaseKind.THEFT else "",
        violation_type=violation_type if kind == CaseKind.VIOLATION else "",
        inputs=_jsonable(dict(inputs or {})),
        facts=facts,
        visit_ref=visit_ref,
        visit=visit,
        created_by=created_by,
        status=CaseStatus.DRAFT,
    )
    _save(case, created_by, "created")
    _event(case, "", created_by, _("Case opened."))
    return case


def visit_reference(visit) -> str:
    """How a case cites the inspection visit it comes from: ``<work order number>/<visit id>``."""
    return f"{visit.work_order.number}/{visit.pk}"


def visit_case_date(visit) -> datetime.date:
    """The case date of a case found on ``visit``: the day of the visit (local time)."""
    return timezone.localtime(visit.visited_at).date()


def visit_finding(visit, finding_index: int) -> dict:
    """The theft or violation finding ``finding_index`` of ``visit``; any other finding is refused."""
    findings = visit.findings or []
    if not 0 <= finding_index < len(findings):
        raise ValidationError(_("The visit has no such finding."))
    finding = findings[finding_index] if isinstance(findings[finding_index], dict) else {}
    if finding.get("kind") not in CaseKind.values:
        raise ValidationError(_("Only a theft or violation finding becomes a case."))
    return finding


@transaction.atomic
def case_create_from_visit(
    *,
    visit,
    finding_index: int,
    created_by,
    theft_type: str = "",
    violation_type: str = "",
    inputs: dict | None = None,
    kind: str | None = None,
    case_date: datetime.date | None = None,
    facts: str | None = None,
) -> Case:
    """Open a draft case from a theft or violation finding of an inspection visit.

    The customer is the visit's work-order customer and the case points at the visit. The kind, the case
    date (the day of the visit) and the facts (the finding's description) are the finding's unless the
    desk gives its own (``kind``, ``case_date``, ``facts``: what the inquiry established).
    """
    finding = visit_finding(visit, finding_index)
    return case_create(
        customer=visit.work_order.customer,
        kind=kind or finding["kind"],
        case_date=case_date or visit_case_date(visit),
        created_by=created_by,
        theft_type=theft_type or finding.get("theft_type", ""),
        violation_type=violation_type or finding.get("violation_type", ""),
        inputs=inputs,
        facts=str(finding.get("description", "")) if facts is None else facts,
        visit=visit,
        visit_ref=visit_reference(visit),
    )


# ----------------------------------------------------------------------------------------------- compute


#: Facts that come from the case and the archive, never from its free-form inputs: the date decides the
#: rules in force, the tariff the price.
CASE_FACTS = frozenset({"case_date", "today", "price_yuan_per_kwh", "theft_type", "violation_type"})


def _refuse_case_facts_in_inputs(case: Case) -> None:
    named = sorted(CASE_FACTS & set(case.inputs or {}))
    if named:
        raise ValidationError(
            {
                "inputs": _("%(names)s come from the case and the customer's tariff, not from the inputs.")
                % {"names": ", ".join(named)}
            }
        )


def _theft_kwargs(case: Case, tariff: Tariff) -> dict:
    _refuse_case_facts_in_inputs(case)
    inputs = {k: v for k, v in (case.inputs or {}).items() if k in THEFT_INPUT_KEYS}
    kwargs: dict = {
        **inputs,
        "case_date": case.case_date,
        "theft_type": case.theft_type,
        "price_yuan_per_kwh": tariff.price_yuan_per_kwh,
        "today": timezone.localdate(),
    }
    basis = inputs.get("basis", "article")
    if case.theft_type == TheftType.TAP_SUPPLY_FACILITY or basis == "connected_load":
        parts = inputs.get("equipment_capacity_kw")
        if not isinstance(parts, list):
            parts = [parts] if parts not in (None, "") else []
        try:
            ok = bool(parts) and all(Decimal(str(p)) > 0 for p in parts)
        except ArithmeticError:
            ok = False
        if not ok:
            raise ValidationError(
                {
                    "inputs": _(
                        "The capacity of the private equipment is missing or zero: enter each piece's rated "
                        "capacity in kW (kVA counted as kW)."
                    )
                }
            )
    elif basis == "article":
        meter = case.meter
        if meter is None:
            raise ValidationError({"meter": _("The customer has no meter: the capacity cannot be derived.")})
        if not meter.rated_current_a or meter.rated_current_a <= 0:
            raise ValidationError(
                {
                    "meter": _("Meter %(meter)s has no marked current: the capacity is missing or zero.")
                    % {"meter": meter.asset_number}
                }
            )
        kwargs["meter_phases"] = 1 if meter.phase == "single" else 3
        kwargs["marked_current_a"] = meter.rated_current_a
        point = meter.metering_point
        if point.multiplier and point.multiplier > 1 and "ct_ratio" not in inputs:
            # A CT/PT-fed meter: the marked current is secondary-side (a U practice, flagged for review).
            kwargs["ct_ratio"] = point.ct_ratio
            kwargs["pt_ratio"] = point.pt_ratio
    if kwargs.get("customer_class") in (None, ""):
        kwargs.pop("customer_class", None)
        category = TARIFF_CATEGORY_TO_RULES.get(tariff.category)
        if category:
            kwargs["tariff_category"] = category
    return kwargs


def _violation_kwargs(case: Case, tariff: Tariff) -> dict:
    _refuse_case_facts_in_inputs(case)
    function = penalties.VIOLATIONS[case.violation_type]
    kwargs: dict = {**(case.inputs or {}), "case_date": case.case_date, "today": timezone.localdate()}
    params = inspect.signature(function).parameters
    if "price_yuan_per_kwh" in params:
        kwargs["price_yuan_per_kwh"] = tariff.price_yuan_per_kwh
    unknown = sorted(set(kwargs) - set(params))
    if unknown:
        raise ValidationError(
            {"inputs": _("Unknown inputs for this violation: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    return kwargs


@transaction.atomic
def case_compute(*, case: Case, user=None) -> Case:
    """Compute the case's amounts with the rule table and the customer's tariff in force on the case date.

    Refuses a date in the future or before the meter's install date, a missing tariff, and a capacity
    that is zero or missing. Stores the itemised ``Calculation`` (items, flags, warnings, rules used).
    """
    _require_handler(user)
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("customer", "meter__metering_point")
        .get(pk=case.pk)
    )
    _require_status(case, CaseStatus.DRAFT, CaseStatus.COMPUTED, CaseStatus.REJECTED)
    _check_dates(case.case_date, case.meter)
    tariff = tariff_in_force(case.customer.tariff_code, case.case_date)
    if tariff is None:
        raise ValidationError(
            _("No tariff %(code)s is in force on %(date)s: enter the tariff in the archive first.")
            % {"code": case.customer.tariff_code or "—", "date": case.case_date.isoformat()}
        )
    try:
        if case.kind == CaseKind.THEFT:
            calc = penalties.theft(**_theft_kwargs(case, tariff))
        else:
            calc = penalties.violation(violation_type=case.violation_type, **_violation_kwargs(case, tariff))
    except penalties.CalcInputError as exc:
        raise ValidationError(_("Invalid input, %(error)s") % {"error": exc}) from None
    except RuleNotInForceError as exc:
        raise ValidationError(_("No rule in force on the case date: %(error)s") % {"error": exc}) from None
    except (RuleError, TypeError) as exc:
        raise ValidationError(str(exc)) from None

    from_status = case.status
    total = calc.value("total_due_yuan")
    case.tariff_code = tariff.code
    case.price_yuan_per_kwh = tariff.price_yuan_per_kwh
    case.calculation = calc.to_dict()
    case.total_due_yuan = total
    case.police_referral = calc.has_flag("transfer_to_police")
    case.needs_county_approval = total > approval_threshold_yuan(case.case_date)
    case.computed_at = timezone.now()
    # A new amount needs a new notice.
    case.notified_on = None
    case.signed_by_customer = None
    case.signer_name = ""
    case.refusal_note = ""
    case.submitted_at = None
    case.status = CaseStatus.COMPUTED
    _save(case, user, "computed")
    note = _("Total due %(total)s yuan.") % {"total": total}
    if case.police_referral:
        note += " " + _("Flagged for transfer to the police.")
    _event(case, from_status, user, note)
    return case


# ----------------------------------------------------------------------------------------------- notice


@transaction.atomic
def case_notify(
    *,
    case: Case,
    signed_by_customer: bool,
    refusal_note: str = "",
    signer_name: str = "",
    notified_on: datetime.date | None = None,
    user=None,
) -> Case:
    """Record that the notice was served: the customer signed it (signer's name), or refused (a note)."""
    _require_handler(user)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_status(case, CaseStatus.COMPUTED)
    notified_on = notified_on or timezone.localdate()
    if notified_on > timezone.localdate():
        raise ValidationError({"notified_on": _("The notice date cannot be in the future.")})
    if notified_on < case.case_date:
        raise ValidationError({"notified_on": _("The notice date cannot be before the case date.")})
    signer_name = (signer_name or "").strip()
    refusal_note = (refusal_note or "").strip()
    if signed_by_customer and not signer_name:
        raise ValidationError(
            {"signer_name": _("The customer's signature is missing: enter who signed the notice.")}
        )
    if not signed_by_customer and not refusal_note:
        raise ValidationError(
            {"refusal_note": _("The customer refused to sign: record how and before which witnesses.")}
        )
    from_status = case.status
    case.notified_on = notified_on
    case.signed_by_customer = bool(signed_by_customer)
    case.signer_name = signer_name if signed_by_customer else ""
    case.refusal_note = "" if signed_by_customer else refusal_note
    case.status = CaseStatus.NOTIFIED
    _save(case, user, "notified")
    note = (
        _("Notice signed by %(name)s.") % {"name": signer_name}
        if signed_by_customer
        else _("Customer refused to sign: %(note)s") % {"note": refusal_note}
    )
    _event(case, from_status, user, note)
    return case


# ----------------------------------------------------------------------------------------------- approval


@transaction.atomic
def case_submit_for_approval(*, case: Case, user) -> Case:
    """Send a notified case to the station head (and the county above the threshold)."""
    _require_handler(user)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_status(case, CaseStatus.NOTIFIED)
    from_status = case.status
    case.needs_county_approval = case.total_due_yuan > approval_threshold_yuan(case.case_date)
    case.submitted_at = timezone.now()
    case.status = CaseStatus.PENDING_APPROVAL
    _save(case, user, "submitted")
    levels = _("station head and county") if case.needs_county_approval else _("station head")
    _event(case, from_status, user, _("Submitted for approval by the %(levels)s.") % {"levels": levels})
    _tell_approvers(case, APPROVE_STATION, user=user)
    return case


def _tell_approvers(case: Case, capability: str, *, user) -> None:
    """The hand-over: the people who may decide the case's next step are told it waits for them."""
    from gridcheck.notifications.services import notify_people
    from gridcheck.users.selectors import people_who_may

    people = people_who_may(capability, station_id=case.station_id, exclude=[case.created_by_id, user])
    if capability == APPROVE_COUNTY:
        people = [person for person in people if person.station_id is None]
    notify_people(
        people,
        subject=_("Case %(number)s waits for your approval") % {"number": case.number},
        body=_("%(customer)s: %(kind)s, %(total)s yuan due. Case page: %(url)s")
        % {
            "customer": case.customer,
            "kind": case.get_kind_display(),
            "total": case.total_due_yuan,
            "url": case.get_absolute_url(),
        },
        key=f"case:{case.pk}:{capability}:{case.submitted_at:%Y%m%d%H%M%S}",
        related=case,
        created_by=user,
        station=case.station,
    )


def _tell_creator(case: Case, *, user, approved: bool, comment: str) -> None:
    """The hand-over back: whoever opened the case is told how it was decided."""
    from gridcheck.notifications.services import notify_people

    subject = _("Case %(number)s approved") if approved else _("Case %(number)s returned")
    notify_people(
        [case.created_by],
        subject=subject % {"number": case.number},
        body=_("%(decision)s by %(person)s. %(comment)s Case page: %(url)s")
        % {
            "decision": _("Approved") if approved else _("Rejected"),
            "person": user,
            "comment": comment,
            "url": case.get_absolute_url(),
        },
        key=f"case:{case.pk}:decided:{case.status}:{case.submitted_at:%Y%m%d%H%M%S}",
        related=case,
        created_by=user,
        station=case.station,
    )


@transaction.atomic
def case_approve(*, case: Case, user, level: str, decision: str, comment: str = "") -> Case:
    """Approve or reject a pending case at ``level``. The creator may not approve; a rejection needs a reason."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_status(case, CaseStatus.PENDING_APPROVAL)
    if level not in ApprovalLevel.values:
        raise ValidationError(_("Unknown approval level."))
    if decision not in ApprovalDecision.values:
        raise ValidationError(_("Unknown decision."))
    if user.pk == case.created_by_id:
        raise PermissionDenied(_("You opened this case: another person must approve it."))
    if not can_approve(user, case, level):
        raise PermissionDenied(
            _("You may not decide at the %(level)s level.") % {"level": ApprovalLevel(level).label}
        )
    expected = next_approval_level(case)
    if level != expected:
        raise ValidationError(
            _("The case waits for the %(level)s.") % {"level": ApprovalLevel(expected).label}
            if expected
            else _("The case needs no further approval.")
        )
    if current_approvals(case).filter(approver=user, decision=ApprovalDecision.APPROVE).exists():
        raise PermissionDenied(_("You already approved this case at another level."))
    comment = (comment or "").strip()
    if decision == ApprovalDecision.REJECT and not comment:
        raise ValidationError({"comment": _("Say why the case is rejected.")})
    approval = CaseApproval(case=case, level=level, approver=user, decision=decision, comment=comment)
    approval.full_clean()
    approval.save()
    from_status = case.status
    label = ApprovalLevel(level).label
    if decision == ApprovalDecision.REJECT:
        case.status = CaseStatus.REJECTED
        _save(case, user, "rejected")
        _event(
            case,
            from_status,
            user,
            _("Rejected (%(level)s): %(comment)s") % {"level": label, "comment": comment},
        )
        _tell_creator(case, user=user, approved=False, comment=comment)
    elif next_approval_level(case) is None:
        case.status = CaseStatus.APPROVED
        _save(case, user, "approved")
        _event(
            case,
            from_status,
            user,
            _("Approved (%(level)s). %(comment)s") % {"level": label, "comment": comment},
        )
        _tell_creator(case, user=user, approved=True, comment=comment)
    else:
        # Still pending: the county decides next. Recorded as an event of the same status.
        _event(
            case,
            from_status,
            user,
            _("Approved (%(level)s); waiting for the county. %(comment)s")
            % {"level": label, "comment": comment},
        )
        _tell_approvers(case, APPROVE_COUNTY, user=user)
    return case


# ----------------------------------------------------------------------------------------------- payment


@transaction.atomic
def case_payment_record(
    *, case: Case, amount_yuan: Decimal, paid_on: datetime.date, receipt_number: str, user
) -> Payment:
    """Record a payment on an approved case; the case is paid once the payments reach the total due."""
    _require_handler(user)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_status(case, CaseStatus.APPROVED)
    amount = Decimal(str(amount_yuan))
    if amount <= 0:
        raise ValidationError({"amount_yuan": _("The amount must be greater than zero.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
    if case.notified_on and paid_on < case.notified_on:
        raise ValidationError({"paid_on": _("The payment date cannot be before the notice.")})
    outstanding = case.total_due_yuan - paid_yuan(case)
    if amount > outstanding:
        raise ValidationError(
            {"amount_yuan": _("Only %(left)s yuan is outstanding.") % {"left": outstanding}}
        )
    payment = Payment(
        case=case,
        amount_yuan=amount,
        paid_on=paid_on,
        receipt_number=(receipt_number or "").strip(),
        recorded_by=user,
    )
    payment.full_clean()
    payment.save()
    if amount == outstanding:
        from_status = case.status
        case.status = CaseStatus.PAID
        _save(case, user, "paid")
        _event(
            case,
            from_status,
            user,
            _("Paid in full (receipt %(receipt)s).") % {"receipt": payment.receipt_number},
        )
    return payment


# ----------------------------------------------------------------------------------------------- close


@transaction.atomic
def case_close(
    *, case: Case, user, cause_found: str, responsible_dealt_with: str, measures_taken: str
) -> Case:
    """Close a paid case with the three "not let go" answers: cause found, those responsible dealt with,
    measures taken. A closed case is a training label for detection."""
    _require_handler(user)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_status(case, CaseStatus.PAID)
    answers = {
        "cause_found": (cause_found or "").strip(),
        "responsible_dealt_with": (responsible_dealt_with or "").strip(),
        "measures_taken": (measures_taken or "").strip(),
    }
    missing = {
        name: _("Answer this before closing the case.") for name, value in answers.items() if not value
    }
    if missing:
        raise ValidationError(missing)
    from_status = case.status
    for name, value in answers.items():
        setattr(case, name, value)
    case.closed_on = timezone.localdate()
    case.status = CaseStatus.CLOSED
    _save(case, user, "closed")
    _event(case, from_status, user, _("Closed: cause found, those responsible dealt with, measures taken."))
    _close_work_order(case, user=user)
    from gridcheck.cases.signals import case_closed

    case_closed.send(sender=Case, case=case, user=user)
    return case


def _close_work_order(case: Case, *, user) -> None:
    """The closed loop: the work order whose visit found the case closes with it (a visited one; one
    still open waits for its visit to be recorded)."""
    from gridcheck.inspections.choices import WorkOrderStatus
    from gridcheck.inspections.services.work_orders import work_order_close

    work_order = getattr(case.visit, "work_order", None) if case.visit_id else None
    if work_order is None or work_order.status != WorkOrderStatus.VISITED:
        return
    work_order_close(
        work_order=work_order,
        user=user,
        outcome=_("Case %(number)s closed: %(cause)s") % {"number": case.number, "cause": case.cause_found},
    )
