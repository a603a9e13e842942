"""Read helpers of the cases app: cases in a user's scope and the detection labels."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from gridcheck.archive.models import Meter
from gridcheck.cases.choices import CaseStatus
from gridcheck.cases.models import Case
from gridcheck.core.scoping import scope_queryset


def cases_for(user) -> QuerySet[Case]:
    """The cases ``user`` may see (station staff: their station; county users: all)."""
    return scope_queryset(Case.objects.select_related("customer", "station", "created_by"), user)


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
