"""Assessment's reads, scoped: whose scorecards a user sees, a station's month as a sheet for signature,
rankings, trends, what waits for approval.

Who sees what: a user with ``manage_assessment`` or ``approve_station`` sees the scorecards within their
scope (station heads their station, county-level users every station); everyone else with
``view_assessment`` sees only their own.
"""

import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from gridcheck.assessment.choices import PERSON_SUBJECTS, AdjustmentStatus, ScorecardStatus, Subject
from gridcheck.assessment.models import Adjustment, KpiDefinition, Scorecard, ScorecardLine, YearlyEvaluation
from gridcheck.core.periods import month_add, month_parse
from gridcheck.core.roles import APPROVE_STATION, MANAGE_ASSESSMENT, VIEW_ASSESSMENT, has_capability
from gridcheck.core.scoping import scope_queryset, scoped


def sees_others(user) -> bool:
    return has_capability(user, MANAGE_ASSESSMENT) or has_capability(user, APPROVE_STATION)


def scorecards_visible(user) -> QuerySet[Scorecard]:
    """The scorecards ``user`` may read."""
    if not has_capability(user, VIEW_ASSESSMENT):
        return Scorecard.objects.none()
    if sees_others(user):
        return scope_queryset(Scorecard.objects.all(), user)
    return Scorecard.objects.filter(person_id=user.pk)


def scorecards_for_month(station, month, *, user=None) -> QuerySet[Scorecard]:
    """The scorecards of ``station`` (a Station or its id) for ``month`` (a date or ``"YYYY-MM"``), people
    first by role then rank, the station's own card last; lines (with their KPI) and approved adjustments
    prefetched. With ``user``, only what that user may see."""
    month = month_parse(month)
    station_id = getattr(station, "pk", station)
    base = scorecards_visible(user) if user is not None else Scorecard.objects.all()
    return (
        base.filter(station_id=station_id, month=month)
        .select_related("person", "station", "signed_by")
        .prefetch_related(
            Prefetch("lines", queryset=ScorecardLine.objects.select_related("kpi").order_by("kpi__code")),
            Prefetch(
                "adjustments",
                queryset=Adjustment.objects.filter(status=AdjustmentStatus.APPROVED).order_by("created_at"),
                to_attr="approved_adjustments",
            ),
        )
        .order_by("subject", "rank", "person__username")
    )


def _line_row(line: ScorecardLine) -> dict:
    return {
        "code": line.kpi.code,
        "name": _(line.kpi.name),
        "unit": line.kpi.get_unit_display(),
        "value": line.value,
        "target": line.target,
        "met": line.met,
        "points": line.points,
        "fine_yuan": line.fine_yuan,
    }


def scorecard_row(card: Scorecard) -> dict:
    """One scorecard as plain values (what the sheet and the API show)."""
    lines = list(card.lines.all())
    approved = getattr(card, "approved_adjustments", None)
    if approved is None:
        approved = list(card.adjustments.filter(status=AdjustmentStatus.APPROVED))
    return {
        "id": card.pk,
        "subject": card.subject,
        "subject_label": card.get_subject_display(),
        "person": str(card.person) if card.person_id else "",
        "employee_number": card.person.employee_number if card.person_id else "",
        "station": str(card.station),
        "month": card.month,
        "rank": card.rank,
        "base_points": card.base_points,
        "kpi_points": card.kpi_points,
        "adjustment_points": card.adjustment_points,
        "total_points": card.total_points,
        "fine_yuan": card.fine_yuan,
        "status": card.status,
        "status_label": card.get_status_display(),
        "signed_by": str(card.signed_by) if card.signed_by_id else "",
        "signed_at": card.signed_at,
        "lines": [_line_row(line) for line in lines],
        "adjustments": [
            {
                "kind": a.kind,
                "kind_label": a.get_kind_display(),
                "points": a.signed_points,
                "reason": a.reason,
            }
            for a in approved
        ],
    }


def assessment_sheet(station, month, *, user=None) -> dict:
    """The month's assessment of one station as a sheet for signature (the reports app renders it).

    ``{"station", "month", "groups": [{"subject", "subject_label", "rows": [scorecard_row, ...]}],
    "pending_adjustments": int, "unsigned": int, "all_signed": bool}``; groups in the order area
    managers, meter readers, inspectors, station.
    """
    month = month_parse(month)
    cards = list(scorecards_for_month(station, month, user=user))
    order = [*PERSON_SUBJECTS, Subject.STATION]
    groups = []
    for subject in order:
        rows = [scorecard_row(c) for c in cards if c.subject == subject]
        if rows:
            groups.append({"subject": subject, "subject_label": Subject(subject).label, "rows": rows})
    ids = [c.pk for c in cards]
    unsigned = sum(1 for c in cards if c.status != ScorecardStatus.SIGNED)
    return {
        "station": getattr(station, "pk", station),
        "month": month,
        "groups": groups,
        "pending_adjustments": Adjustment.objects.filter(
            scorecard_id__in=ids, status=AdjustmentStatus.PROPOSED
        ).count(),
        "unsigned": unsigned,
        "all_signed": bool(cards) and unsigned == 0,
    }


def ranking(*, station, month, subject: str, user=None) -> list[Scorecard]:
    """The scorecards of one role (or the stations) in a station's month, best first."""
    qs = scorecards_for_month(station, month, user=user).filter(subject=subject)
    return sorted(qs, key=lambda c: (c.rank or 10**9, str(c.person)))


def trend(
    *, user, person=None, station=None, months: int = 12, until: datetime.date | None = None
) -> list[dict]:
    """The monthly totals of a person (or a station's own card) for the ``months`` months up to ``until``:
    ``[{"month": "YYYY-MM", "total": Decimal | None, "rank": int | None}]`` (None: no scorecard)."""
    until = month_parse(until) if until else None
    qs = scorecards_visible(user)
    qs = qs.filter(person=person) if person is not None else qs.filter(station=station, person__isnull=True)
    if until is None:
        latest = qs.order_by("-month").values_list("month", flat=True).first()
        until = latest or datetime.date.today().replace(day=1)
    first = month_add(until, -(months - 1))
    got = {c.month: c for c in qs.filter(month__range=(first, until))}
    out = []
    for i in range(months):
        month = month_add(first, i)
        card = got.get(month)
        out.append(
            {
                "month": f"{month:%Y-%m}",
                "total": card.total_points if card else None,
                "rank": card.rank if card else None,
            }
        )
    return out


def adjustments_awaiting(user) -> QuerySet[Adjustment]:
    """Adjustments ``user`` may decide: in scope, proposed, neither theirs to be scored nor proposed by them."""
    if not has_capability(user, APPROVE_STATION):
        return Adjustment.objects.none()
    return (
        scoped(Adjustment, user)
        .filter(status=AdjustmentStatus.PROPOSED)
        .exclude(proposed_by=user)
        .exclude(scorecard__person=user)
    )


def scorecards_awaiting_signoff(user) -> QuerySet[Scorecard]:
    if not has_capability(user, APPROVE_STATION):
        return Scorecard.objects.none()
    return scoped(Scorecard, user).filter(status=ScorecardStatus.COMPUTED).exclude(person=user)


def kpis_current() -> list[KpiDefinition]:
    """The latest version of every KPI code."""
    seen, out = set(), []
    for kpi in KpiDefinition.objects.order_by("code", "-version"):
        if kpi.code not in seen:
            seen.add(kpi.code)
            out.append(kpi)
    return out


def evaluations_visible(user) -> QuerySet[YearlyEvaluation]:
    if sees_others(user):
        return scoped(YearlyEvaluation, user).select_related("person", "station")
    return YearlyEvaluation.objects.filter(person=user).select_related("person", "station")


def total_of(rows) -> Decimal:
    return sum((r["total_points"] for r in rows), Decimal(0))
