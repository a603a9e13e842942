"""Assessment's writes: KPI versions, the monthly computation of scorecards, manual adjustments and their
approval, sign-off, and the inspectors' yearly evaluation.

The computation is set-based: each figure a KPI in force uses is computed once for every subject of the
month (``figures``), then the lines of every scorecard are written with ``bulk_create``.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.assessment.choices import (
    PERSON_SUBJECTS,
    AdjustmentKind,
    AdjustmentStatus,
    Direction,
    ScorecardStatus,
    Scoring,
    Subject,
)
from gridcheck.assessment.figures import FIGURES
from gridcheck.assessment.formula import formula_check
from gridcheck.assessment.models import (
    Adjustment,
    AssessmentEvent,
    KpiDefinition,
    KpiTarget,
    Scorecard,
    ScorecardLine,
    YearlyEvaluation,
)
from gridcheck.core.periods import month_add, month_end, month_parse
from gridcheck.core.roles import APPROVE_STATION, MANAGE_ASSESSMENT, has_capability
from gridcheck.core.rules import rule_int, rule_row, rule_value
from gridcheck.core.scoping import user_can_see

CENT = Decimal("0.01")
ZERO = Decimal(0)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _event(scorecard, *, to_status, from_status="", actor=None, note="", adjustment=None):
    return AssessmentEvent.objects.create(
        scorecard=scorecard,
        adjustment=adjustment,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


# -- KPI definitions -------------------------------------------------------------------------------------


def kpi_check(*, subject: str, formula: str, fine_rule: str = "", on: datetime.date | None = None) -> None:
    """Refuse a formula over unknown figures, figures of another subject, or an unknown fine rule."""
    checked = formula_check(formula)
    foreign = sorted(n for n in checked.names if FIGURES[n].subject != subject)
    if foreign:
        raise ValidationError(
            _("The formula uses figures of another kind of assessed subject: %(names)s.")
            % {"names": "、".join(foreign)},
            code="formula_subject",
        )
    if fine_rule:
        try:
            rule_row(fine_rule, on)
        except Exception:  # noqa: BLE001 - the rule table raises its own KeyError/LookupError
            raise ValidationError(
                _("The fine rule “%(key)s” is not in the rule table.") % {"key": fine_rule}, code="fine_rule"
            ) from None


@transaction.atomic
def kpi_define(*, by, code: str, reason: str, effective_from: datetime.date, **fields) -> KpiDefinition:
    """A new version of KPI ``code`` (the first one when the code is new), in force from ``effective_from``.

    ``fields``: name, subject, formula, unit, direction, target, weight, scoring, fine_rule, active; those
    not given are copied from the latest version.
    """
    if not has_capability(by, MANAGE_ASSESSMENT):
        raise PermissionDenied(_("You may not define KPIs."))
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the change."), code="reason")
    latest = KpiDefinition.objects.filter(code=code).order_by("-version").first()
    data = {}
    if latest is not None:
        data = {name: getattr(latest, name) for name in KpiDefinition.DEFINED_FIELDS}
    data.update({k: v for k, v in fields.items() if v is not None})
    missing = [
        n
        for n in ("name", "subject", "formula", "unit", "direction", "target", "weight", "scoring")
        if data.get(n) in (None, "")
    ]
    if missing:
        raise ValidationError(
            _("The KPI is missing: %(fields)s.") % {"fields": ", ".join(missing)}, code="missing"
        )
    kpi_check(
        subject=data["subject"],
        formula=data["formula"],
        fine_rule=data.get("fine_rule", ""),
        on=effective_from,
    )
    kpi = KpiDefinition(
        code=code,
        version=(latest.version + 1) if latest else 1,
        effective_from=effective_from,
        changed_by=by,
        reason=reason.strip(),
        **data,
    )
    kpi.full_clean()
    kpi.save()
    return kpi


def kpis_in_force(month: datetime.date) -> list[KpiDefinition]:
    """The version of every KPI in force in ``month`` (effective by the month's end), active ones only."""
    last = month_end(month)
    latest = (
        KpiDefinition.objects.filter(effective_from__lte=last)
        .values("code")
        .annotate(v=Max("version"))
        .values_list("code", "v")
    )
    wanted = Q()
    for code, version in latest:
        wanted |= Q(code=code, version=version)
    if not wanted:
        return []
    return list(KpiDefinition.objects.filter(wanted, active=True).order_by("subject", "code"))


def _targets(month: datetime.date, codes) -> dict[tuple, Decimal]:
    """``{(code, "person"|"station", id): target}`` of the target rows covering ``month``."""
    out = {}
    rows = KpiTarget.objects.filter(
        code__in=codes, starts_on__lte=month_end(month), ends_on__gte=month
    ).order_by("starts_on")
    for row in rows:
        if row.person_id:
            out[(row.code, "person", row.person_id)] = row.target
        elif row.station_id:
            out[(row.code, "station", row.station_id)] = row.target
    return out


def score_line(kpi: KpiDefinition, value: Decimal | None, target: Decimal, fine_per_unit: Decimal) -> tuple:
    """``(met, points, fine)`` of one KPI value under its scoring (see docs/assessment.md)."""
    if value is None:
        return None, ZERO, ZERO
    higher = kpi.direction == Direction.HIGHER
    met = value >= target if higher else value <= target
    weight = kpi.weight
    shortfall = max(target - value, ZERO) if higher else max(value - target, ZERO)
    if kpi.scoring == Scoring.ALL_OR_NOTHING:
        points = weight if met else -weight
    elif kpi.scoring == Scoring.PROPORTIONAL:
        if met:
            points = ZERO
        elif higher:
            points = -weight * min(shortfall / target, Decimal(1)) if target > 0 else ZERO
        else:
            points = -weight * min(shortfall / target, Decimal(1)) if target > 0 else -weight
    else:  # per unit: each unit beyond the target costs (lower) or earns (higher) ``weight`` points
        points = (-weight if not higher else weight) * (
            shortfall if not higher else max(value - target, ZERO)
        )
    fine = _q(shortfall * fine_per_unit) if (fine_per_unit and not higher) else ZERO
    return met, _q(points), fine


# -- the monthly computation -----------------------------------------------------------------------------


def _subjects(station_ids):
    from gridcheck.archive.models import Station
    from gridcheck.users.models import User

    stations = Station.objects.all()
    if station_ids is not None:
        stations = stations.filter(pk__in=station_ids)
    people = User.objects.filter(is_active=True, role__in=PERSON_SUBJECTS, station__isnull=False)
    if station_ids is not None:
        people = people.filter(station_id__in=station_ids)
    return list(stations.values_list("pk", flat=True)), list(people.values_list("pk", "role", "station_id"))


@transaction.atomic
def scorecards_compute(*, month, station_ids=None, by=None) -> dict:
    """Compute (or recompute) the scorecards of ``month`` for the stations ``station_ids`` (all: ``None``).

    A signed-off scorecard is left as it is. Returns counts: ``cards``, ``lines``, ``skipped_signed``.
    """
    month = month_parse(month)
    if by is not None and not has_capability(by, MANAGE_ASSESSMENT):
        raise PermissionDenied(_("You may not compute scorecards."))
    if month > timezone.localdate().replace(day=1):
        raise ValidationError(_("A month that has not begun cannot be assessed."), code="future")
    stations, people = _subjects(station_ids)
    kpis = kpis_in_force(month)
    by_subject = defaultdict(list)
    for kpi in kpis:
        by_subject[kpi.subject].append((kpi, formula_check(kpi.formula)))
    used = {name for _kpi, f in sum(by_subject.values(), []) for name in f.names}
    values = {name: FIGURES[name].compute(month, station_ids) for name in sorted(used)}
    targets = _targets(month, [k.code for k in kpis])
    fines = {k.code: Decimal(str(rule_value(k.fine_rule, month_end(month)))) for k in kpis if k.fine_rule}
    base = Decimal(str(rule_value("assessment.base_points", month_end(month))))
    now = timezone.now()

    subjects = [(pid, role, sid) for pid, role, sid in people] + [
        (None, Subject.STATION, sid) for sid in stations
    ]
    existing = {
        (c.person_id, c.station_id if c.person_id is None else None): c
        for c in Scorecard.objects.filter(month=month).filter(
            Q(person_id__in=[p[0] for p in people]) | Q(person__isnull=True, station_id__in=stations)
        )
    }
    signed = {key for key, c in existing.items() if c.status == ScorecardStatus.SIGNED}
    cards, new_cards = [], []
    for pid, role, sid in subjects:
        key = (pid, None if pid else sid)
        if key in signed:
            continue
        card = existing.get(key)
        if card is None:
            card = Scorecard(
                month=month, subject=role, person_id=pid, station_id=sid, computed_at=now, base_points=base
            )
            new_cards.append(card)
        card.subject, card.station_id, card.base_points, card.computed_at = role, sid, base, now
        cards.append(card)
    Scorecard.objects.bulk_create(new_cards, batch_size=2000)
    # bulk_create sets pk on PostgreSQL and SQLite >= 3.35; fetch them where it did not.
    if any(c.pk is None for c in new_cards):
        ids = {
            (p, None if p else s): pk
            for pk, p, s in Scorecard.objects.filter(month=month).values_list("pk", "person_id", "station_id")
        }
        for c in new_cards:
            c.pk = ids[(c.person_id, None if c.person_id else c.station_id)]
    card_ids = [c.pk for c in cards]
    ScorecardLine.objects.filter(scorecard_id__in=card_ids).delete()
    plus = dict(
        Adjustment.objects.filter(
            scorecard_id__in=card_ids, status=AdjustmentStatus.APPROVED, kind=AdjustmentKind.BONUS
        )
        .values("scorecard_id")
        .annotate(s=Sum("points"))
        .values_list("scorecard_id", "s")
    )
    minus = dict(
        Adjustment.objects.filter(
            scorecard_id__in=card_ids, status=AdjustmentStatus.APPROVED, kind=AdjustmentKind.DEDUCTION
        )
        .values("scorecard_id")
        .annotate(s=Sum("points"))
        .values_list("scorecard_id", "s")
    )
    lines = []
    for card in cards:
        subject_id = card.person_id or card.station_id
        kind = "person" if card.person_id else "station"
        kpi_points = fine_total = ZERO
        for kpi, formula in by_subject.get(card.subject, ()):
            row = {
                name: values[name].get(subject_id, ZERO if FIGURES[name].zero_when_missing else None)
                for name in formula.names
            }
            value = formula.evaluate(row)
            target = targets.get((kpi.code, kind, subject_id))
            if target is None and kind == "person":
                target = targets.get((kpi.code, "station", card.station_id))
            if target is None:
                target = kpi.target
            met, points, fine = score_line(kpi, value, target, fines.get(kpi.code, ZERO))
            kpi_points += points
            fine_total += fine
            lines.append(
                ScorecardLine(
                    scorecard_id=card.pk,
                    kpi_id=kpi.pk,
                    value=None if value is None else value.quantize(Decimal("0.0001")),
                    target=target,
                    met=met,
                    points=points,
                    fine_yuan=fine,
                )
            )
        card.kpi_points = kpi_points
        card.fine_yuan = fine_total
        card.adjustment_points = plus.get(card.pk, ZERO) - minus.get(card.pk, ZERO)
        card.total_points = card.base_points + card.kpi_points + card.adjustment_points
    ScorecardLine.objects.bulk_create(lines, batch_size=5000)
    _rank(cards)
    Scorecard.objects.bulk_update(
        cards,
        [
            "subject",
            "station",
            "base_points",
            "kpi_points",
            "adjustment_points",
            "total_points",
            "fine_yuan",
            "rank",
            "computed_at",
        ],
        batch_size=2000,
    )
    if by is not None:
        note = _("Computed by %(who)s.") % {"who": by}
        AssessmentEvent.objects.bulk_create(
            [
                AssessmentEvent(scorecard_id=c.pk, actor=by, to_status=ScorecardStatus.COMPUTED, note=note)
                for c in cards
            ],
            batch_size=2000,
        )
    return {"cards": len(cards), "lines": len(lines), "skipped_signed": len(signed), "figures": len(values)}


def _rank(cards) -> None:
    """Rank within each station and subject by total points (ties share the rank)."""
    groups = defaultdict(list)
    for card in cards:
        groups[(card.station_id, card.subject)].append(card)
    for group in groups.values():
        group.sort(key=lambda c: -c.total_points)
        previous, rank = None, 0
        for position, card in enumerate(group, start=1):
            if card.total_points != previous:
                rank, previous = position, card.total_points
            card.rank = rank


def _rerank(card: Scorecard) -> None:
    group = list(Scorecard.objects.filter(month=card.month, station_id=card.station_id, subject=card.subject))
    _rank(group)
    Scorecard.objects.bulk_update(group, ["rank"])


def _refresh_totals(card: Scorecard) -> None:
    approved = card.adjustments.filter(status=AdjustmentStatus.APPROVED)
    card.adjustment_points = sum((a.signed_points for a in approved), ZERO)
    card.total_points = card.base_points + card.kpi_points + card.adjustment_points
    card.save(update_fields=["adjustment_points", "total_points", "updated_at"])
    _rerank(card)


# -- adjustments and sign-off ----------------------------------------------------------------------------


def _check_open(card: Scorecard) -> None:
    if card.status == ScorecardStatus.SIGNED:
        raise ValidationError(_("The scorecard is signed off; it can no longer change."), code="signed")


@transaction.atomic
def adjustment_propose(
    *, scorecard: Scorecard, by, kind: str, points, reason: str, evidence=None
) -> Adjustment:
    """Propose a deduction or bonus on ``scorecard`` with its reason and evidence file (photo or PDF).

    Refused on one's own scorecard, on a signed-off one, without a reason, or above the rule
    ``assessment.adjustment_max_points``.
    """
    from gridcheck.core.uploads import upload_accept

    if scorecard.person_id is not None and scorecard.person_id == by.pk:
        raise ValidationError(_("You cannot propose a deduction or bonus on your own scorecard."), code="own")
    if not has_capability(by, MANAGE_ASSESSMENT) or not user_can_see(by, scorecard):
        raise PermissionDenied(_("You may not propose adjustments to this scorecard."))
    _check_open(scorecard)
    if kind not in AdjustmentKind.values:
        raise ValidationError(_("Choose a deduction or a bonus."), code="kind")
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the adjustment."), code="reason")
    try:
        points = Decimal(str(points))
    except Exception:  # noqa: BLE001
        raise ValidationError(_("Points must be a number."), code="points") from None
    maximum = Decimal(str(rule_value("assessment.adjustment_max_points", month_end(scorecard.month))))
    if not ZERO < points <= maximum:
        raise ValidationError(
            _("Points must be more than 0 and at most %(max)s.") % {"max": maximum.normalize()}, code="points"
        )
    adjustment = Adjustment(
        scorecard=scorecard, kind=kind, points=_q(points), reason=reason.strip(), proposed_by=by
    )
    if evidence is not None:
        name = getattr(evidence, "name", "") or ""
        kind_of_file = "pdf" if name.lower().endswith(".pdf") else "photo"
        accepted = upload_accept(evidence, kind=kind_of_file, max_bytes=10 * 1024 * 1024)
        adjustment.evidence = accepted.file
        adjustment.evidence_name = accepted.original_name
        adjustment.evidence_type = accepted.content_type
    adjustment.save()
    _event(
        scorecard,
        adjustment=adjustment,
        to_status=AdjustmentStatus.PROPOSED,
        actor=by,
        note=adjustment.reason,
    )
    return adjustment


@transaction.atomic
def adjustment_decide(*, adjustment: Adjustment, by, approve: bool, note: str = "") -> Adjustment:
    """The station head approves or rejects a proposed adjustment: never the person scored, never its
    proposer. An approved one counts in the scorecard's total at once."""
    adjustment = Adjustment.objects.select_for_update().select_related("scorecard").get(pk=adjustment.pk)
    card = adjustment.scorecard
    if card.person_id == by.pk:
        raise ValidationError(_("You cannot decide an adjustment on your own scorecard."), code="own")
    if adjustment.proposed_by_id == by.pk:
        raise ValidationError(_("Whoever proposed an adjustment cannot decide it."), code="proposer")
    if not has_capability(by, APPROVE_STATION) or not user_can_see(by, card):
        raise PermissionDenied(_("You may not decide adjustments of this scorecard."))
    if adjustment.status != AdjustmentStatus.PROPOSED:
        raise ValidationError(_("The adjustment has already been decided."), code="decided")
    _check_open(card)
    if not approve and not (note or "").strip():
        raise ValidationError(_("Give the reason for the rejection."), code="note")
    before = adjustment.status
    adjustment.status = AdjustmentStatus.APPROVED if approve else AdjustmentStatus.REJECTED
    adjustment.decided_by = by
    adjustment.decided_at = timezone.now()
    adjustment.decision_note = (note or "").strip()
    adjustment.save()
    _event(
        card,
        adjustment=adjustment,
        from_status=before,
        to_status=adjustment.status,
        actor=by,
        note=adjustment.decision_note,
    )
    if approve:
        _refresh_totals(card)
    return adjustment


@transaction.atomic
def scorecard_sign(*, scorecard: Scorecard, by) -> Scorecard:
    """The station head signs the scorecard off (not their own; none of its adjustments still waiting)."""
    card = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if not has_capability(by, APPROVE_STATION) or not user_can_see(by, card):
        raise PermissionDenied(_("You may not sign off this scorecard."))
    if card.person_id == by.pk:
        raise ValidationError(_("You cannot sign off your own scorecard."), code="own")
    _check_open(card)
    if card.adjustments.filter(status=AdjustmentStatus.PROPOSED).exists():
        raise ValidationError(_("Decide the adjustments awaiting approval first."), code="pending")
    card.status = ScorecardStatus.SIGNED
    card.signed_by = by
    card.signed_at = timezone.now()
    card.save(update_fields=["status", "signed_by", "signed_at", "updated_at"])
    _event(card, from_status=ScorecardStatus.COMPUTED, to_status=ScorecardStatus.SIGNED, actor=by)
    return card


# -- yearly evaluation -----------------------------------------------------------------------------------


@transaction.atomic
def yearly_evaluate(
    *, year: int, by=None, station_ids=None, on: datetime.date | None = None
) -> list[YearlyEvaluation]:
    """Evaluate every inspector's ``year``: the average of their monthly totals against the pass mark
    (rule ``assessment.inspector_yearly_pass_points``). One who fails is removed from inspection duties
    from ``on`` for ``assessment.inspector_disqualification_months`` months (``users.Disqualification``):
    the assignment rule of inspections refuses them and no qualification may be given to them."""
    from gridcheck.users.models import Disqualification

    if by is not None and not has_capability(by, MANAGE_ASSESSMENT):
        raise PermissionDenied(_("You may not run the yearly evaluation."))
    on = on or timezone.localdate()
    year_end = datetime.date(year, 12, 31)
    pass_points = Decimal(str(rule_value("assessment.inspector_yearly_pass_points", year_end)))
    months = rule_int("assessment.inspector_disqualification_months", year_end)
    cards = Scorecard.objects.filter(month__year=year, subject=Subject.INSPECTOR, person__isnull=False)
    if station_ids is not None:
        cards = cards.filter(station_id__in=station_ids)
    results = []
    rows = cards.values("person_id").annotate(total=Sum("total_points"), n=Max("month"))
    for row in rows:
        person_cards = cards.filter(person_id=row["person_id"])
        n = person_cards.count()
        average = _q(row["total"] / n)
        last = person_cards.order_by("-month").first()
        passed = average >= pass_points
        until = None
        if not passed:
            until = month_add(on.replace(day=1), months) - datetime.timedelta(days=1)
            until = max(until, on)
            Disqualification.objects.create(
                user_id=row["person_id"],
                starts_on=on,
                ends_on=until,
                reason=_("Failed the yearly evaluation of %(year)s: %(avg)s points, pass mark %(pass)s.")
                % {"year": year, "avg": average, "pass": pass_points.normalize()},
            )
        evaluation, _created = YearlyEvaluation.objects.update_or_create(
            person_id=row["person_id"],
            year=year,
            defaults={
                "station_id": last.station_id,
                "months": n,
                "average_points": average,
                "pass_points": pass_points,
                "passed": passed,
                "disqualified_until": until,
                "decided_by": by,
            },
        )
        results.append(evaluation)
    return results
