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

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from gridcheck.archive.models import Customer, Meter, Tariff
from gridcheck.archive.selectors import tariff_in_force
from gridcheck.cases.choices import (
    ApprovalDecision,
    ApprovalLevel,
    CaseKind,
    CaseStatus,
    LegalStep,
    SettlementKind,
    TheftType,
)
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
from gridcheck.core.roles import APPROVE_COUNTY, APPROVE_STATION, has_capability
from gridcheck_analytics import penalties
from gridcheck_analytics.penalties.labels import INPUT_LABELS
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
    "established_energy_kwh",
    "correction_factor",
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


#: The history's reason for each step of a case, as people read it (``_save``'s ``reason`` is the step).
_STEP_REASONS = {
    "created": pgettext_lazy("case history", "created"),
    "computed": pgettext_lazy("case history", "computed"),
    "edited": pgettext_lazy("case history", "edited"),
    "cancelled": pgettext_lazy("case history", "cancelled"),
    "notified": pgettext_lazy("case history", "notified"),
    "submitted": pgettext_lazy("case history", "submitted"),
    "rejected": pgettext_lazy("case history", "rejected"),
    "approved": pgettext_lazy("case history", "approved"),
    "paid": pgettext_lazy("case history", "paid"),
    "settled": pgettext_lazy("case history", "settled"),
    "write-off requested": pgettext_lazy("case history", "write-off requested"),
    "write-off approved": pgettext_lazy("case history", "write-off approved"),
    "legal step": pgettext_lazy("case history", "legal step"),
    "closed": pgettext_lazy("case history", "closed"),
}


def _save(case: Case, actor, reason: str = "") -> None:
    """Validate and save ``case``, its history recording ``actor`` and the step ``reason`` (a key of
    :data:`_STEP_REASONS`) in the site's language (a command or a job saves cases too)."""
    case.full_clean()
    case._history_user = actor
    with translation.override(settings.LANGUAGE_CODE):
        case._change_reason = str(_STEP_REASONS.get(reason, reason))[:100]
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
    calc_settings: dict | None = None,
    capacity_voltage_v: Decimal | None = None,
    capacity_reason: str = "",
) -> Case:
    """Open a draft case against ``customer``; refuse a date in the future or before the meter's install.

    ``calc_settings`` are the practice variants chosen for the case (``case_settings_choices``);
    ``capacity_voltage_v`` the primary voltage of the capacity formula (prefilled from the archive when
    empty, ``archive_capacity_voltage``); ``capacity_reason`` why a capacity above the contract stands."""
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
    if capacity_voltage_v is None and kind == CaseKind.THEFT:
        capacity_voltage_v = archive_capacity_voltage(customer, meter)
    case = Case(
        number=_next_number(customer.station, case_date.year),
        kind=kind,
        customer=customer,
        station=customer.station,
        meter=meter,
        case_date=case_date,
        theft_type=theft_type if kind == CaseKind.THEFT else "",
        violation_type=violation_type if kind == CaseKind.VIOLATION else "",
        inputs=_clean_inputs(kind, inputs),
        calc_settings=_clean_settings(kind, theft_type, violation_type, calc_settings),
        capacity_voltage_v=capacity_voltage_v,
        capacity_reason=(capacity_reason or "").strip(),
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
    calc_settings: dict | None = None,
    capacity_voltage_v: Decimal | None = None,
    capacity_reason: str = "",
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
        calc_settings=calc_settings,
        capacity_voltage_v=capacity_voltage_v,
        capacity_reason=capacity_reason,
    )


# ----------------------------------------------------------------------------------------------- compute


#: Facts that come from the case and the archive, never from its inputs: the date decides the rules in
#: force, the tariff catalogue the prices (the price, the difference between two categories' prices and
#: the basic charge of a two-part tariff).
CASE_FACTS = frozenset(
    {
        "case_date",
        "today",
        "price_yuan_per_kwh",
        "price_difference_yuan_per_kwh",
        "basic_charge_yuan_per_kva_month",
        "theft_type",
        "violation_type",
        "table",
        "settings",
    }
)
#: Inputs of a violation function filled by the service from the case and the archive.
VIOLATION_SERVICE_PARAMS = frozenset({"case_date", "today", "table", "province", "settings"}) | CASE_FACTS
#: Supply voltage levels of the archive [V] (line voltage).
VOLTAGE_LEVEL_V = {
    "220V": Decimal("220"),
    "380V": Decimal("380"),
    "10kV": Decimal("10000"),
    "35kV": Decimal("35000"),
}
#: Below this a voltage is a low-voltage value [V]: a PT-fed meter's primary voltage is never one.
LOW_VOLTAGE_LIMIT_V = Decimal("1000")


def _refuse_case_facts(inputs: dict | None) -> None:
    named = sorted(CASE_FACTS & set(inputs or {}))
    if named:
        raise ValidationError(
            {
                "inputs": _("%(names)s come from the case and the tariff catalogue, not from the inputs.")
                % {"names": "、".join(INPUT_LABELS.get(n, n) for n in named)}
            }
        )


def _refuse_case_facts_in_inputs(case: Case) -> None:
    _refuse_case_facts(case.inputs)


def _clean_inputs(kind: str, inputs: dict | None) -> dict:
    """The case's inputs as JSON; a case fact (date, catalogue price) among them is refused."""
    inputs = dict(inputs or {})
    _refuse_case_facts(inputs)
    return _jsonable(inputs)


def _clean_settings(kind: str, theft_type: str, violation_type: str, chosen: dict | None) -> dict:
    """The chosen settings that the case's calculator accepts; an unknown one is refused."""
    from gridcheck.cases.calc_settings import settings_for

    chosen = {k: v for k, v in (chosen or {}).items() if v not in (None, "")}
    allowed = {s.name: s for s in settings_for(kind, violation_type)}
    unknown = sorted(set(chosen) - set(allowed))
    if unknown:
        raise ValidationError(
            {"calc_settings": _("Unknown settings for this case: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    for name, value in chosen.items():
        choices = {c for c, _label in allowed[name].choices}
        if not choices:
            try:
                ok = Decimal(str(value)).is_finite() and Decimal(str(value)) >= 0
            except ArithmeticError:
                ok = False
            if ok:
                continue
        if str(value) not in choices:
            raise ValidationError(
                {
                    "calc_settings": _("%(setting)s: %(value)s is not one of its choices.")
                    % {"setting": allowed[name].label, "value": value}
                }
            )
    return {k: str(v) for k, v in chosen.items()}


def archive_capacity_voltage(customer: Customer, meter: Meter | None) -> Decimal | None:
    """The voltage of the theft capacity formula from the archive [V].

    A PT-fed meter (PT ratio above 1): the metering point's primary line voltage, i.e. the customer's
    supply voltage level, or the meter's rated (secondary) voltage × the PT ratio when the level is not a
    high voltage. A meter without PT: the customer's low-voltage level (220 V or 380 V). None without a meter.
    """
    if meter is None:
        return None
    point = meter.metering_point
    level = VOLTAGE_LEVEL_V.get(customer.voltage_level)
    if point.pt_ratio and point.pt_ratio > 1:
        if level is not None and level >= LOW_VOLTAGE_LIMIT_V:
            return level
        return (Decimal(meter.rated_voltage_v) * Decimal(point.pt_ratio)).quantize(Decimal("0.1"))
    if meter.phase == "single":
        return Decimal("220")
    return level if level is not None and level < LOW_VOLTAGE_LIMIT_V else Decimal("380")


def _calc_settings_kwargs(case: Case, function) -> dict:
    """The case's settings as the calculator's arguments (a ``settings`` mapping or named arguments)."""
    from gridcheck.cases.calc_settings import as_calc_value

    chosen = {k: as_calc_value(v) for k, v in (case.calc_settings or {}).items() if v not in (None, "")}
    if not chosen:
        return {}
    params = inspect.signature(function).parameters
    if "settings" in params:
        direct = {k: v for k, v in chosen.items() if k in params and k != "settings"}
        rest = {k: v for k, v in chosen.items() if k not in direct}
        return {**direct, **({"settings": rest} if rest else {})}
    missing = sorted(set(chosen) - set(params))
    if missing:
        raise ValidationError(
            {
                "calc_settings": _("The calculator does not offer these settings: %(names)s.")
                % {"names": ", ".join(missing)}
            }
        )
    return chosen


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
    kwargs.update(_calc_settings_kwargs(case, penalties.theft))
    basis = kwargs.get("basis", "article")
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
                    "equipment_capacity_kw": _(
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
        pt_fed = bool(point.pt_ratio and point.pt_ratio > 1)
        if point.multiplier and point.multiplier > 1 and "ct_ratio" not in inputs:
            # A CT/PT-fed meter: the marked current is secondary-side (a U practice, flagged for review).
            kwargs["ct_ratio"] = point.ct_ratio
            kwargs["pt_ratio"] = point.pt_ratio
        if pt_fed:
            # The formula's voltage is the primary voltage (secondary × PT), never 380 V × PT.
            volts = case.capacity_voltage_v or archive_capacity_voltage(case.customer, meter)
            if volts is None or volts < LOW_VOLTAGE_LIMIT_V:
                raise ValidationError(
                    {
                        "capacity_voltage_v": _(
                            "Voltage of the capacity formula: meter %(meter)s is fed through a PT (ratio "
                            "%(pt)s), so enter the metering point's primary voltage in volts (e.g. 10000), "
                            "not a low-voltage value."
                        )
                        % {"meter": meter.asset_number, "pt": point.pt_ratio.normalize()}
                    }
                )
            kwargs["voltage_v"] = volts
        elif case.capacity_voltage_v:
            kwargs["voltage_v"] = case.capacity_voltage_v
    if kwargs.get("customer_class") in (None, ""):
        kwargs.pop("customer_class", None)
        category = TARIFF_CATEGORY_TO_RULES.get(tariff.category)
        if category:
            kwargs["tariff_category"] = category
    return kwargs


def _violation_kwargs(case: Case, tariff: Tariff) -> dict:
    _refuse_case_facts_in_inputs(case)
    function = penalties.VIOLATIONS[case.violation_type]
    inputs = dict(case.inputs or {})
    used_code = inputs.pop("used_tariff_code", None)
    kwargs: dict = {**inputs, "case_date": case.case_date, "today": timezone.localdate()}
    kwargs.update(_calc_settings_kwargs(case, function))
    params = inspect.signature(function).parameters
    if "price_yuan_per_kwh" in params:
        kwargs["price_yuan_per_kwh"] = tariff.price_yuan_per_kwh
    if "price_difference_yuan_per_kwh" in params:
        # Category change: the difference between the catalogue prices of the category used and the
        # customer's own, both in force on the case date.
        used = tariff_in_force(str(used_code or ""), case.case_date) if used_code else None
        if used is None:
            raise ValidationError(
                {
                    "used_tariff_code": _(
                        "Enter the tariff code of the category actually used (from the catalogue)."
                    )
                }
            )
        kwargs["price_difference_yuan_per_kwh"] = used.price_yuan_per_kwh - tariff.price_yuan_per_kwh
    if "basic_charge_yuan_per_kva_month" in params and inputs.get("two_part") in (True, "true", "True", 1):
        if tariff.basic_price_yuan_per_kva_month is None:
            raise ValidationError(
                {
                    "inputs": _("Tariff %(code)s has no basic price by capacity: enter it in the catalogue.")
                    % {"code": tariff.code}
                }
            )
        kwargs["basic_charge_yuan_per_kva_month"] = tariff.basic_price_yuan_per_kva_month
    unknown = sorted(set(kwargs) - set(params))
    if unknown:
        raise ValidationError(
            {
                "inputs": _("Unknown inputs for this violation: %(names)s.")
                % {"names": "、".join(INPUT_LABELS.get(n, n) for n in unknown)}
            }
        )
    return kwargs


#: CalcInputError messages of the calculator -> Chinese (through gettext), by their start.
_CALC_MESSAGES = (
    ("is required", gettext_noop("is required.")),
    ("must be greater than 0", gettext_noop("must be greater than 0.")),
    ("must not be negative", gettext_noop("must not be negative.")),
    ("must not be empty", gettext_noop("must not be empty.")),
    ("must be a number", gettext_noop("must be a number.")),
    ("must be a finite number", gettext_noop("must be a finite number.")),
    ("must be 1 or 3", gettext_noop("must be 1 or 3.")),
    ("must be at most 24", gettext_noop("must be at most 24.")),
    ("must be a whole number", gettext_noop("must be a whole number.")),
    ("must be a date", gettext_noop("must be a date (YYYY-MM-DD).")),
    ("is out of range", gettext_noop("is out of range.")),
    ("unknown value", gettext_noop("is not one of the choices.")),
)


def _input_label(name: str) -> str:
    """The Chinese name of a calculation input: the form's label, else the calculator's label table."""
    from gridcheck.cases.forms import input_label

    return input_label(name)


def calc_error(exc: penalties.CalcInputError) -> ValidationError:
    """A calculator's refusal as a one-line Chinese error on the form field it names (else ``inputs``)."""
    from gridcheck.cases.forms import FORM_FIELD_OF_INPUT

    field = getattr(exc, "field", "") or ""
    text = str(exc)
    detail = text.split(": ", 1)[1] if ": " in text else text
    message = None
    for start, english in _CALC_MESSAGES:
        if detail.startswith(start):
            message = _(english)
            break
    label = _input_label(field)
    line = (
        _("%(field)s %(message)s") % {"field": label, "message": message}
        if message
        else _("%(field)s: invalid value (%(detail)s).") % {"field": label, "detail": detail}
    )
    return ValidationError({FORM_FIELD_OF_INPUT.get(field, "inputs"): line})


def capacity_limit_kw(case: Case) -> Decimal | None:
    """The most the customer's transformer or contract can carry [kW, kVA counted as kW]: the contracted
    capacity of the archive (a special-transformer customer's contract is its transformer)."""
    return case.customer.contracted_capacity_kva


def _check_capacity(case: Case, calc) -> str:
    """Refuse a meter-based theft capacity above the customer's contract unless a reason is recorded."""
    if case.kind != CaseKind.THEFT or case.theft_type == TheftType.TAP_SUPPLY_FACILITY:
        return ""
    try:
        capacity = calc.value("capacity_kw")
    except KeyError:
        return ""
    limit = capacity_limit_kw(case)
    if limit is None or capacity <= limit:
        return ""
    numbers = {"capacity": f"{capacity:.2f}", "limit": f"{Decimal(limit):.2f}"}
    if not case.capacity_reason.strip():
        raise ValidationError(
            {
                "capacity_reason": _(
                    "The capacity %(capacity)s kW is above the %(limit)s kVA the customer's transformer or "
                    "contract carries: check the voltage and the ratios, or enter the reason it stands."
                )
                % numbers
            }
        )
    return _("Capacity %(capacity)s kW above the contract's %(limit)s kVA, reason: %(reason)s") % {
        **numbers,
        "reason": case.capacity_reason.strip(),
    }


@transaction.atomic
def case_compute(*, case: Case, user=None) -> Case:
    """Compute the case's amounts with the rule table and the customer's tariff in force on the case date.

    Refuses a date in the future or before the meter's install date, a missing tariff, a capacity that is
    zero or missing, a PT-fed meter without its primary voltage, and a theft capacity above the contract
    without a recorded reason. A refused case keeps its status (it stays editable, ``case_update``, and
    may be cancelled, ``case_cancel``). Stores the itemised ``Calculation`` (items, flags, warnings, rules
    used) and the settings it used.
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
        raise calc_error(exc) from None
    except RuleNotInForceError as exc:
        raise ValidationError(_("No rule in force on the case date: %(error)s") % {"error": exc}) from None
    except (RuleError, TypeError, ValueError) as exc:
        raise ValidationError(_("The calculation was refused: %(error)s") % {"error": exc}) from None
    capacity_note = _check_capacity(case, calc)

    from_status = case.status
    total = calc.value("total_due_yuan")
    case.tariff_code = tariff.code
    case.price_yuan_per_kwh = tariff.price_yuan_per_kwh
    case.calculation = calc.to_dict()
    case.calculation["case_settings"] = dict(case.calc_settings or {})
    if capacity_note:
        case.calculation.setdefault("warnings", []).append(str(capacity_note))
    try:
        volts = calc.item("capacity_kw").inputs.get("voltage_v")
    except KeyError:
        volts = None
    if volts is not None:
        case.capacity_voltage_v = Decimal(str(volts))
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
    if capacity_note:
        note += " " + str(capacity_note)
    _event(case, from_status, user, note)
    return case


#: Statuses in which the facts of a case may still be corrected.
EDITABLE = (CaseStatus.DRAFT, CaseStatus.COMPUTED, CaseStatus.REJECTED)


@transaction.atomic
def case_update(
    *,
    case: Case,
    user,
    theft_type: str | None = None,
    violation_type: str | None = None,
    case_date: datetime.date | None = None,
    inputs: dict | None = None,
    facts: str | None = None,
    calc_settings: dict | None = None,
    capacity_voltage_v: Decimal | None = None,
    capacity_reason: str | None = None,
) -> Case:
    """Correct the facts of a case not yet notified (draft, computed or rejected).

    A computed case goes back to draft (its amounts no longer match its facts): recompute it.
    """
    _require_handler(user)
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("customer", "meter__metering_point")
        .get(pk=case.pk)
    )
    _require_status(case, *EDITABLE)
    if case_date is not None:
        _check_dates(case_date, case.meter)
        case.case_date = case_date
    if case.kind == CaseKind.THEFT and theft_type:
        case.theft_type = theft_type
    if case.kind == CaseKind.VIOLATION and violation_type:
        case.violation_type = violation_type
    if inputs is not None:
        case.inputs = _clean_inputs(case.kind, inputs)
    if facts is not None:
        case.facts = facts
    if calc_settings is not None:
        case.calc_settings = _clean_settings(case.kind, case.theft_type, case.violation_type, calc_settings)
    if capacity_voltage_v is not None:
        case.capacity_voltage_v = capacity_voltage_v
    elif case.kind == CaseKind.THEFT and case.capacity_voltage_v is None:
        case.capacity_voltage_v = archive_capacity_voltage(case.customer, case.meter)
    if capacity_reason is not None:
        case.capacity_reason = capacity_reason.strip()
    from_status = case.status
    if case.status == CaseStatus.COMPUTED:
        case.status = CaseStatus.DRAFT
        case.calculation = {}
        case.total_due_yuan = None
        case.police_referral = False
        case.computed_at = None
    _save(case, user, "edited")
    _event(case, from_status, user, _("Facts corrected."))
    return case


#: Statuses from which a case may be cancelled (nothing paid yet).
CANCELLABLE = (
    CaseStatus.DRAFT,
    CaseStatus.COMPUTED,
    CaseStatus.NOTIFIED,
    CaseStatus.PENDING_APPROVAL,
    CaseStatus.REJECTED,
    CaseStatus.APPROVED,
)


@transaction.atomic
def case_cancel(*, case: Case, user, reason: str) -> Case:
    """Cancel a case opened in error or whose computation cannot go on, with the reason; a case with a
    payment is never cancelled."""
    _require_handler(user)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_status(case, *CANCELLABLE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Cancellation reason: say why the case is cancelled.")})
    if case.payments.exists():
        raise ValidationError(_("A payment is recorded on this case: it cannot be cancelled."))
    from_status = case.status
    case.cancel_reason = reason
    case.status = CaseStatus.CANCELLED
    _save(case, user, "cancelled")
    _event(case, from_status, user, _("Cancelled: %(reason)s") % {"reason": reason})
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


def outstanding_yuan(case: Case) -> Decimal:
    """What is still to be paid: the amount due (settled, else computed) less payments and an approved
    write-off [元]."""
    due = case.amount_due_yuan or Decimal(0)
    written_off = case.write_off_yuan if case.write_off_approved_at else Decimal(0)
    return due - paid_yuan(case) - (written_off or Decimal(0))


def _mark_paid_if_settled(case: Case, user, note: str) -> None:
    if case.status == CaseStatus.APPROVED and outstanding_yuan(case) <= 0:
        from_status = case.status
        case.status = CaseStatus.PAID
        _save(case, user, "paid")
        _event(case, from_status, user, note)


@transaction.atomic
def case_payment_record(
    *, case: Case, amount_yuan: Decimal, paid_on: datetime.date, receipt_number: str, user
) -> Payment:
    """Record a payment on an approved case; the case is paid once the payments reach the amount due
    (the settled amount when one is recorded, else the computed total)."""
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
    outstanding = outstanding_yuan(case)
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
    _mark_paid_if_settled(
        case, user, _("Paid in full (receipt %(receipt)s).") % {"receipt": payment.receipt_number}
    )
    return payment


# ----------------------------------------------------------------------------------------------- settlement


def _accept_document(upload, name_field: str):
    """A scanned document (PDF or photo) through core's one upload path."""
    from django.conf import settings as django_settings

    from gridcheck.core.uploads import upload_accept

    name = str(getattr(upload, "name", "")).lower()
    kind = "pdf" if name.endswith(".pdf") else "photo"
    max_bytes = getattr(django_settings, "GRIDCHECK_CASE_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
    try:
        return upload_accept(upload, kind=kind, max_bytes=max_bytes)
    except ValidationError as error:
        raise ValidationError({name_field: error.messages}) from None


@transaction.atomic
def case_settle(
    *,
    case: Case,
    user,
    amount_yuan: Decimal,
    kind: str,
    settled_on: datetime.date,
    reference: str,
    document,
) -> Case:
    """Record the amount agreed (negotiated) or judged (court) beside the computed one, with its document.

    The computed total is never overwritten; payments are then due up to the settled amount.
    """
    _require_handler(user)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_status(case, CaseStatus.NOTIFIED, CaseStatus.PENDING_APPROVAL, CaseStatus.APPROVED)
    amount = Decimal(str(amount_yuan)).quantize(Decimal("0.01"))
    if amount <= 0:
        raise ValidationError({"amount_yuan": _("Settled amount: must be greater than zero.")})
    if case.total_due_yuan is not None and amount > case.total_due_yuan:
        raise ValidationError(
            {
                "amount_yuan": _("Settled amount: it cannot exceed the computed %(total)s yuan.")
                % {"total": case.total_due_yuan}
            }
        )
    if kind not in SettlementKind.values:
        raise ValidationError({"kind": _("Settlement kind: choose negotiated or court.")})
    if settled_on > timezone.localdate() or settled_on < case.case_date:
        raise ValidationError(
            {"settled_on": _("Settled on: the date must lie between the case date and today.")}
        )
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Settlement document number: enter it.")})
    if document is None:
        raise ValidationError(
            {"document": _("Settlement document: upload the signed agreement or the judgment.")}
        )
    if paid_yuan(case) > amount:
        raise ValidationError({"amount_yuan": _("Settled amount: more than that is already paid.")})
    accepted = _accept_document(document, "document")
    case.settled_amount_yuan = amount
    case.settlement_kind = kind
    case.settled_on = settled_on
    case.settlement_reference = reference
    case.settlement_document = accepted.file
    case.settlement_document_name = accepted.original_name
    _save(case, user, "settled")
    _event(
        case,
        case.status,
        user,
        _("Settled (%(kind)s) at %(amount)s yuan, document %(reference)s; computed %(total)s yuan.")
        % {
            "kind": SettlementKind(kind).label,
            "amount": amount,
            "reference": reference,
            "total": case.total_due_yuan,
        },
    )
    _mark_paid_if_settled(case, user, _("Paid in full (settled amount)."))
    return case


# ----------------------------------------------------------------------------------------------- write-off


@transaction.atomic
def case_write_off_request(*, case: Case, user, amount_yuan: Decimal, reason: str) -> Case:
    """Ask to write off what the customer cannot pay; a county approver decides (``case_write_off_approve``)."""
    _require_handler(user)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_status(case, CaseStatus.APPROVED)
    amount = Decimal(str(amount_yuan)).quantize(Decimal("0.01"))
    outstanding = outstanding_yuan(case)
    if amount <= 0 or amount > outstanding:
        raise ValidationError(
            {
                "amount_yuan": _("Write-off: between 0.01 and the %(left)s yuan outstanding.")
                % {"left": outstanding}
            }
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write-off reason: say why the amount cannot be collected.")})
    case.write_off_yuan = amount
    case.write_off_reason = reason
    case.write_off_requested_by = user
    case.write_off_approved_by = None
    case.write_off_approved_at = None
    _save(case, user, "write-off requested")
    _event(
        case,
        case.status,
        user,
        _("Write-off of %(amount)s yuan requested: %(reason)s") % {"amount": amount, "reason": reason},
    )
    return case


@transaction.atomic
def case_write_off_approve(*, case: Case, user) -> Case:
    """Approve a requested write-off: only above the station (``approve_county``), never by whoever asked
    for it or opened the case."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_status(case, CaseStatus.APPROVED)
    if case.write_off_yuan is None or case.write_off_requested_by_id is None:
        raise ValidationError(_("No write-off is requested on this case."))
    if case.write_off_approved_at is not None:
        raise ValidationError(_("The write-off is already approved."))
    if not has_capability(user, APPROVE_COUNTY) or getattr(user, "station_id", None) is not None:
        raise PermissionDenied(_("A write-off is approved above the station (county)."))
    if user.pk in (case.write_off_requested_by_id, case.created_by_id):
        raise PermissionDenied(_("Whoever prepares a money change never approves it."))
    case.write_off_approved_by = user
    case.write_off_approved_at = timezone.now()
    _save(case, user, "write-off approved")
    _event(
        case, case.status, user, _("Write-off of %(amount)s yuan approved.") % {"amount": case.write_off_yuan}
    )
    _mark_paid_if_settled(case, user, _("Settled: paid, the rest written off."))
    return case


# ----------------------------------------------------------------------------------------------- legal step


@transaction.atomic
def case_legal_record(
    *,
    case: Case,
    user,
    step: str,
    transfer_on: datetime.date | None = None,
    reference: str = "",
    receipt=None,
    reason: str = "",
) -> Case:
    """Record the legal step of the three "not let go": the transfer to the police (date, receipt number and
    the scanned receipt) or the reason no legal step is due."""
    _require_handler(user)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_status(
        case, CaseStatus.NOTIFIED, CaseStatus.PENDING_APPROVAL, CaseStatus.APPROVED, CaseStatus.PAID
    )
    if step not in LegalStep.values:
        raise ValidationError({"step": _("Legal step: choose the transfer to the police or no step due.")})
    if step == LegalStep.POLICE_TRANSFER:
        errors = {}
        if transfer_on is None or transfer_on > timezone.localdate() or transfer_on < case.case_date:
            errors["transfer_on"] = _("Transferred to the police on: a date between the case date and today.")
        if not (reference or "").strip():
            errors["reference"] = _("Police receipt number: enter it.")
        if receipt is None:
            errors["receipt"] = _("Police receipt: upload the scanned receipt.")
        if errors:
            raise ValidationError(errors)
        accepted = _accept_document(receipt, "receipt")
        case.police_transfer_on = transfer_on
        case.police_reference = reference.strip()
        case.police_receipt = accepted.file
        case.police_receipt_name = accepted.original_name
        case.no_legal_step_reason = ""
        note = _("Transferred to the police on %(date)s, receipt %(reference)s.") % {
            "date": transfer_on.isoformat(),
            "reference": case.police_reference,
        }
    else:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("Why no legal step is due: enter the reason.")})
        case.no_legal_step_reason = reason
        case.police_transfer_on = None
        case.police_reference = ""
        case.police_receipt = ""
        case.police_receipt_name = ""
        note = _("No legal step due: %(reason)s") % {"reason": reason}
    case.legal_step = step
    _save(case, user, "legal step")
    _event(case, case.status, user, note)
    return case


# ----------------------------------------------------------------------------------------------- close


def closure_checklist(case: Case) -> list[dict]:
    """The three "not let go" (三不放过) of a case: energy recovered (back-bill), penalty collected, legal
    responsibility pursued. Each entry: ``key``, ``label``, ``done``, ``detail``."""
    from django.utils.translation import gettext

    paid = paid_yuan(case)
    written_off = case.write_off_yuan if case.write_off_approved_at else None
    due = case.amount_due_yuan
    money_done = due is not None and case.status in (CaseStatus.PAID, CaseStatus.CLOSED)
    money_detail = gettext("paid %(paid)s of %(due)s yuan") % {
        "paid": f"{paid:,.2f}",
        "due": f"{due:,.2f}" if due is not None else "—",
    }
    if written_off:
        money_detail += "；" + gettext("%(amount)s yuan written off (approved by %(person)s)") % {
            "amount": f"{written_off:,.2f}",
            "person": case.write_off_approved_by,
        }
    if case.legal_step == LegalStep.POLICE_TRANSFER:
        legal_detail = gettext("transferred to the police on %(date)s, receipt %(reference)s") % {
            "date": case.police_transfer_on.isoformat() if case.police_transfer_on else "—",
            "reference": case.police_reference,
        }
    elif case.legal_step == LegalStep.NOT_DUE:
        legal_detail = gettext("none due: %(reason)s") % {"reason": case.no_legal_step_reason}
    else:
        legal_detail = gettext("not recorded")
    items = [
        {
            "key": "energy",
            "label": gettext("Energy recovered: back-bill paid"),
            "done": money_done,
            "detail": money_detail,
        },
        {
            "key": "penalty",
            "label": gettext("Penalty collected"),
            "done": money_done,
            "detail": money_detail,
        },
    ]
    if case.kind == CaseKind.THEFT:
        items.append(
            {
                "key": "legal",
                "label": gettext("Legal responsibility pursued"),
                "done": bool(case.legal_step),
                "detail": legal_detail,
            }
        )
    return items


@transaction.atomic
def case_close(
    *,
    case: Case,
    user,
    cause_found: str = "",
    responsible_dealt_with: str = "",
    measures_taken: str = "",
) -> Case:
    """Close a case by the three "not let go" (三不放过): the energy recovered and the penalty collected
    (paid in full, or the rest written off with a county approval) and, for a theft, the legal step recorded
    (police transfer with its receipt, or the reason none is due). The notes on cause, those responsible
    and measures are optional remarks. A closed case is a training label for detection."""
    _require_handler(user)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_status(case, CaseStatus.PAID)
    missing = [item["label"] for item in closure_checklist(case) if not item["done"]]
    if missing:
        raise ValidationError(
            _("The case cannot close yet: %(missing)s.") % {"missing": "、".join(str(m) for m in missing)}
        )
    from_status = case.status
    case.cause_found = (cause_found or "").strip()
    case.responsible_dealt_with = (responsible_dealt_with or "").strip()
    case.measures_taken = (measures_taken or "").strip()
    case.closed_on = timezone.localdate()
    case.status = CaseStatus.CLOSED
    _save(case, user, "closed")
    _event(
        case,
        from_status,
        user,
        _("Closed: energy recovered, penalty collected, legal responsibility pursued.")
        if case.kind == CaseKind.THEFT
        else _("Closed: amounts collected."),
    )
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
        outcome=_("Case %(number)s closed.") % {"number": case.number},
    )
