"""The demo county's assessment: two months of scorecards for every station, with a few adjustments
(one approved by someone other than its proposer, one still awaiting approval)."""

import datetime
import time

from django.utils import timezone

from gridcheck.assessment import services
from gridcheck.assessment.choices import AdjustmentKind, AdjustmentStatus
from gridcheck.assessment.defaults import kpi_defaults_ensure
from gridcheck.assessment.models import Adjustment, Scorecard
from gridcheck.core.periods import last_complete_month, month_add
from gridcheck.core.roles import APPROVE_STATION, MANAGE_ASSESSMENT, has_capability


def _deciders(station_id, exclude=()):
    from gridcheck.users.selectors import people_who_may

    return [
        p
        for p in people_who_may(APPROVE_STATION, station_id=station_id, exclude=exclude)
        if has_capability(p, MANAGE_ASSESSMENT)
    ]


def demo_assessment(*, on: datetime.date | None = None, months: int = 2) -> dict:
    """Compute the scorecards of the ``months`` complete months before ``on`` (today) for every station,
    then, on the latest month, propose a deduction approved by a second person and a bonus left awaiting
    approval (once: a second run keeps what is there). Returns counts and seconds."""
    started = time.monotonic()
    on = on or timezone.localdate()
    last = last_complete_month(on)
    counts = {"months": [], "cards": 0, "adjustments": 0, "approved": 0, "pending": 0}
    counts["kpis_added"] = kpi_defaults_ensure()
    for n in range(months - 1, -1, -1):
        month = month_add(last, -n)
        result = services.scorecards_compute(month=month)
        counts["months"].append(f"{month:%Y-%m}")
        counts["cards"] += result["cards"]
    cards = list(
        Scorecard.objects.filter(month=last, person__isnull=False, status="computed")
        .select_related("person")
        .order_by("station_id", "subject", "rank", "pk")
    )
    if Adjustment.objects.filter(scorecard__month=last).exists() or len(cards) < 2:
        counts["seconds"] = round(time.monotonic() - started, 1)
        return counts
    plan = [
        (cards[0], AdjustmentKind.DEDUCTION, 2, "抄表日未按时上传抄表数据（见系统日志截图）", True),
        (cards[-1], AdjustmentKind.BONUS, 3, "协助查处窃电案件，群众来信表扬", False),
    ]
    for card, kind, points, reason, approve in plan:
        people = _deciders(card.station_id, exclude=[card.person_id])
        if len(people) < (2 if approve else 1):
            continue
        proposer = people[0]
        adjustment = services.adjustment_propose(
            scorecard=card, by=proposer, kind=kind, points=points, reason=reason
        )
        counts["adjustments"] += 1
        if approve:
            services.adjustment_decide(adjustment=adjustment, by=people[1], approve=True, note="情况属实")
    counts["approved"] = Adjustment.objects.filter(
        scorecard__month=last, status=AdjustmentStatus.APPROVED
    ).count()
    counts["pending"] = Adjustment.objects.filter(
        scorecard__month=last, status=AdjustmentStatus.PROPOSED
    ).count()
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts
