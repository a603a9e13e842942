"""Read helpers of the cases app: who may do what, cases in a user's scope, the archive facts a case
needs, its approval round and payments, the approval threshold of the rule table and the detection labels."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone

from gridcheck.archive.models import Customer, Meter
from gridcheck.archive.selectors import tariff_in_force
from gridcheck.cases.choices import ApprovalDecision, ApprovalLevel, CaseStatus
from gridcheck.cases.models import Case
from gridcheck.core.roles import APPROVE_COUNTY, APPROVE_STATION, HANDLE_CASES, Role, has_capability
from gridcheck.core.rules import rule_value
from gridcheck.core.scoping import scope_queryset

# ----------------------------------------------------------------------------------------------- rights


def can_handle_cases(user) -> bool:
    """Inspectors, station heads, auditors and administrators open and carry cases (not readers, liaison)."""
    return has_capability(user, HANDLE_CASES)


def can_approve(user, case: Case, level: str) -> bool:
    """Station level: the head of the case's station (or an administrator); county level: a county-level
    station head or administrator. Never the creator of the case."""
    if user.pk == case.created_by_id:
        return False
    if level == ApprovalLevel.STATION:
        if not has_capability(user, APPROVE_STATION):
            return False
        return user.is_superuser or user.role == Role.ADMINISTRATOR or user.station_id == case.station_id
    return has_capability(user, APPROVE_COUNTY)


def can_approve_write_off(user, case: Case) -> bool:
    """A write-off is approved above the station: a county approver who neither asked for it nor opened
    the case."""
    if user.pk in (case.write_off_requested_by_id, case.created_by_id):
        return False
    return has_capability(user, APPROVE_COUNTY) and getattr(user, "station_id", None) is None


def approval_threshold_yuan(on: datetime.date) -> Decimal:
    """Amounts above this need county approval as well as the station head's [元]: the rule
    ``cases.approval_threshold_yuan`` in force on ``on`` (a case's date)."""
    return Decimal(rule_value("cases.approval_threshold_yuan", on=on))


# ----------------------------------------------------------------------------------------------- reads


def cases_for(user) -> QuerySet[Case]:
    """The cases ``user`` may see (station staff: their station; county users: all)."""
    return scope_queryset(Case.objects.select_related("customer", "station", "created_by"), user)


def customer_meter(customer: Customer, on: datetime.date | None = None) -> Meter | None:
    """The customer's meter: the one in service (installed by ``on``) with the lowest asset number."""
    meters = Meter.objects.filter(metering_point__customer=customer).select_related("metering_point")
    in_service = meters.filter(status="in_service").order_by("asset_number")
    return in_service.first() or meters.order_by("asset_number").first()


def current_approvals(case: Case):
    """The approval decisions of the current round (since the case was last submitted)."""
    approvals = case.approvals.select_related("approver")
    if case.submitted_at:
        approvals = approvals.filter(decided_at__gte=case.submitted_at)
    return approvals


def next_approval_level(case: Case) -> str | None:
    """Which level must decide next on a pending case: station first, then the county if needed."""
    if case.status != CaseStatus.PENDING_APPROVAL:
        return None
    done = set(
        current_approvals(case).filter(decision=ApprovalDecision.APPROVE).values_list("level", flat=True)
    )
    if ApprovalLevel.STATION not in done:
        return ApprovalLevel.STATION
    if case.needs_county_approval and ApprovalLevel.COUNTY not in done:
        return ApprovalLevel.COUNTY
    return None


def paid_yuan(case: Case) -> Decimal:
    """What the customer has paid on the case so far [元]."""
    return case.payments.aggregate(total=Sum("amount_yuan"))["total"] or Decimal("0.00")


def case_letterhead(case: Case) -> str:
    """The issuing company printed on the case's notices: the company of the case's station."""
    return case.station.company.name


def _normal_visits() -> list[tuple[int, str, datetime.date]]:
    """(customer id, account number, day) of inspection visits that found neither theft nor violation."""
    from gridcheck.inspections.models import Visit

    rows = []
    for visit in Visit.objects.select_related("work_order__customer").order_by("visited_at", "pk"):
        kinds = {f.get("kind") for f in (visit.findings or []) if isinstance(f, dict)}
        if kinds & {"theft", "violation"}:
            continue
        customer = visit.work_order.customer
        rows.append((customer.pk, customer.account_number, timezone.localtime(visit.visited_at).date()))
    return rows


def case_labels() -> list[tuple[str, list[str], int, datetime.date]]:
    """Training labels for detection, oldest first.

    Each row is ``(customer account number, [meter asset numbers], label, date)``: label 1 for a closed
    theft case (the case date); 0 for a customer inspected and found normal: an inspection visit with no
    theft or violation finding (the visit day), or a closed violation case (no theft found).
    """
    cases = list(
        Case.objects.filter(status=CaseStatus.CLOSED).select_related("customer").order_by("case_date", "pk")
    )
    visits = _normal_visits()
    customer_ids = {c.customer_id for c in cases} | {v[0] for v in visits}
    meters: dict[int, list[str]] = {}
    for customer_id, asset in (
        Meter.objects.filter(metering_point__customer_id__in=customer_ids)
        .order_by("asset_number")
        .values_list("metering_point__customer_id", "asset_number")
    ):
        meters.setdefault(customer_id, []).append(asset)
    rows = [(c.customer.account_number, meters.get(c.customer_id, []), c.label, c.case_date) for c in cases]
    rows += [(account, meters.get(customer_id, []), 0, day) for customer_id, account, day in visits]
    return sorted(rows, key=lambda row: (row[3], row[0]))


def tariff_name(case: Case) -> str:
    """The name of the case's tariff (the customer's where the case has none yet) in force on the case
    date, as the catalogue words it; empty where the catalogue lacks the code."""
    code = case.tariff_code or case.customer.tariff_code
    tariff = tariff_in_force(code, case.case_date) if code else None
    return tariff.name if tariff else ""
