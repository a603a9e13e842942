"""The demo county's loss management (线损管理): station indicators and their area and line targets, a
few analyses of flagged areas with one rectification plan, and theoretical losses.

``demo_loss_management(on=..., seed=...)`` runs after the monthly analysis has written the area results
and is idempotent: a station that already has an indicator keeps it; areas already analysed or with a
theoretical loss are left alone.

- indicators: for each station with a station head, the newest ``months`` analysed months and the
  month of ``on``, each set by the head as on the first day of that month (so no month is refused as
  closed); the value is the station's own loss rate over its history, lowered by a tenth (rounded, held
  between 2 % and 12 %), or the rule table's default target;
- analyses: in the newest analysed month, up to ``analyses`` flagged areas (those above target three
  months running first), each recorded by its area manager (else the station head) with the cause the
  analysis named; a rectification plan for the first one that failed three months running;
- theoretical losses: per station, every third area computed from its parameters (equivalent resistance
  drawn between 0.03 and 0.15 Ω), and one area per station entered four years ago (so the due list shows
  it).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum

from gridcheck.archive.models import Area, Station
from gridcheck.core.periods import month_add
from gridcheck.core.roles import Role
from gridcheck.core.rules import rule_value
from gridcheck.lineloss import loss_management as lm
from gridcheck.lineloss.choices import AnalysisCause
from gridcheck.lineloss.models import AreaMonthLoss, LossAnalysis, StationLossIndicator, TheoreticalLoss
from gridcheck.users.models import User

CAUSE_FROM_CODE = {c.value: c.value for c in AnalysisCause}
MEASURES = {
    "low_reading_rate": ("采集失败的表计集中消缺，补抄后重新统计", "集中器通信故障，部分表计未采集"),
    "customer_drop": ("核实大用户用电变化，检查计量装置", "大用户电量骤降，疑似计量异常"),
    "events": ("现场检查开盖、失压记录的表计并更换", "表计事件记录异常"),
    "imbalance": ("调整单相负荷接线，平衡三相负荷", "三相负荷不平衡"),
    "theft_suspects": ("对嫌疑用户开展用电检查", "疑似窃电用户"),
    "negative_loss": ("核对户变关系和总表倍率", "户变关系错误或总表倍率错误"),
    "unexplained_loss": ("开展台区全面普查和夜间巡查", "数据无异常，疑似窃电或无表用电"),
}


def _head(station: Station):
    return User.objects.filter(station=station, role=Role.STATION_HEAD, is_active=True).order_by("pk").first()


def _indicator_value(station: Station, month: dt.date) -> Decimal:
    rows = AreaMonthLoss.objects.filter(station=station, month__lt=month, month__gte=month_add(month, -12))
    agg = rows.aggregate(supply=Sum("supply_kwh"), sales=Sum("sales_kwh"))
    if not agg["supply"]:
        return Decimal(str(rule_value("lineloss.default_target_percent", month)))
    rate = (agg["supply"] - agg["sales"]) * 100 / agg["supply"] * 0.9
    return Decimal(str(min(max(rate, 2.0), 12.0))).quantize(Decimal("0.01"), ROUND_HALF_UP)


def demo_loss_management(*, on: dt.date, seed: int = 7, months: int = 2, analyses: int = 6) -> dict:
    """Build the demo's loss management (see the module); returns the counts of what it added."""
    rng = random.Random(seed)
    counts = {"indicators": 0, "analyses": 0, "plans": 0, "theoretical": 0, "kept": 0}
    analysed = sorted(set(AreaMonthLoss.objects.values_list("month", flat=True)), reverse=True)
    target_months = sorted(set(analysed[:months]) | {on.replace(day=1)})
    heads = {}
    for station in Station.objects.order_by("code"):
        head = _head(station)
        if head is None:
            continue
        heads[station.pk] = head
        for month in target_months:
            if StationLossIndicator.objects.filter(station=station, month=month).exists():
                counts["kept"] += 1
                continue
            lm.station_indicator_set(
                station=station,
                month=month,
                max_loss_rate_percent=_indicator_value(station, month),
                actor=head,
                note="演示：年度指标分解",
                today=month,
            )
            counts["indicators"] += 1

    if analysed:
        newest = analysed[0]
        flagged = list(
            AreaMonthLoss.objects.filter(month=newest, flagged=True)
            .select_related("area__owner")
            .order_by("-failing_three_months", "-loss_rate_percent")[: analyses * 3]
        )
        plan_done = False
        for result in flagged:
            if counts["analyses"] >= analyses:
                break
            if LossAnalysis.objects.filter(area_id=result.area_id, month=newest).exists():
                continue
            owner = result.area.owner
            actor = (
                owner
                if owner is not None and owner.role == Role.AREA_MANAGER
                else heads.get(result.station_id)
            )
            if actor is None:
                continue
            code = next(
                (c.get("code") for c in result.causes or [] if c.get("code") in CAUSE_FROM_CODE), None
            )
            code = code or AnalysisCause.UNEXPLAINED
            measures, detail = MEASURES.get(code, MEASURES["unexplained_loss"])
            try:
                analysis = lm.analysis_record(
                    area=result.area,
                    month=newest,
                    cause=code,
                    cause_detail=detail,
                    measures=measures,
                    actor=actor,
                    analysed_on=on,
                    today=on,
                )
            except ValidationError:
                continue
            counts["analyses"] += 1
            if not plan_done and lm.plan_needed(analysis):
                lm.plan_open(
                    analysis=analysis,
                    measures="逐户核查计量装置，调整三相负荷，夜间巡查无表用电",
                    responsible=actor,
                    actor=actor,
                    today=on,
                )
                counts["plans"] += 1
                plan_done = True

    for station_id, head in heads.items():
        areas = list(Area.objects.filter(station_id=station_id).order_by("code"))
        have = set(TheoreticalLoss.objects.filter(area__in=areas).values_list("area_id", flat=True))
        for n, area in enumerate(areas):
            if area.pk in have:
                continue
            if n == 1:
                lm.theoretical_loss_enter(
                    area=area,
                    loss_rate_percent=Decimal(str(round(rng.uniform(2.5, 5.5), 2))),
                    calculated_on=on.replace(year=on.year - 4, day=1),
                    note="演示：2022年理论线损计算报告",
                    actor=head,
                    today=on,
                )
                counts["theoretical"] += 1
            elif n % 3 == 0 and lm.area_average_supply(area, on) is not None:
                lm.theoretical_loss_compute(
                    area=area,
                    resistance_ohm=Decimal(str(round(rng.uniform(0.03, 0.15), 3))),
                    calculated_on=on,
                    actor=head,
                    today=on,
                )
                counts["theoretical"] += 1
    return counts
