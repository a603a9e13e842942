"""Audit rules of inspection (用电检查): line-loss follow-up of areas, theft and violation cases to their
money, anti-theft patrols by class, reading anomalies left without action.

Each rule's ``source`` is the one place that cites what it enforces. Station rules already in the rule
table (the loss swing, the months above target, the patrol frequencies) are read from there on the
audited month's last day, not copied into the rule's thresholds.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from gridcheck.archive.choices import CustomerStatus
from gridcheck.archive.models import Station
from gridcheck.audit.choices import Module, Schedule, Severity, Theme
from gridcheck.audit.engine import Evidence, Hit, Param, RuleContext, audit_rule
from gridcheck.audit.rules._format import aware as _aware
from gridcheck.audit.rules._format import day as _day
from gridcheck.audit.rules._format import who as _who
from gridcheck.audit.rules._format import yuan as _yuan
from gridcheck.audit.rules._links import customer_url, meter_url
from gridcheck.billing.choices import AnomalyKind, AnomalyStatus, ChangeStatus
from gridcheck.billing.models import BillAdjustment, ReaderAnomaly
from gridcheck.cases.choices import ApprovalDecision, CaseKind, CaseStatus, ViolationType
from gridcheck.cases.models import Case, CaseApproval, Payment
from gridcheck.core.periods import month_add, month_end
from gridcheck.core.roles import Role
from gridcheck.core.rules import rule_int, rule_value
from gridcheck.inspections.choices import WorkOrderSource
from gridcheck.inspections.models import Campaign, InspectionPlan, Visit, WorkOrder
from gridcheck.lineloss.models import AreaMonthLoss

CHUNK = 5000
MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)
#: Causes the monthly analysis writes when it found nothing in the data (a field explanation only).
GENERIC_CAUSES = frozenset({"negative_loss", "unexplained_loss"})
#: Work orders that follow up a loss or theft signal of an area (an analysis acted on).
FOLLOW_UP_SOURCES = (WorkOrderSource.LINELOSS, WorkOrderSource.SUSPECT)


# ------------------------------------------------------------------------------------------- helpers


def _rate(value) -> str:
    return "—" if value is None else f"{float(value):.1f}%"


def _area_followed_up(since: datetime.date) -> Q:
    """An area whose customers got a loss or theft follow-up since ``since``: a line-loss or suspect work
    order, or a campaign (专项行动) work order, or a campaign running since then that targets them."""
    orders = WorkOrder.objects.filter(
        customer__area_id=OuterRef("area_id"), created_at__gte=_aware(since)
    ).filter(Q(source__in=FOLLOW_UP_SOURCES) | Q(campaign__isnull=False))
    campaigns = Campaign.targets.through.objects.filter(
        customer__area_id=OuterRef("area_id"), campaign__ends_on__gte=since
    )
    return Q(Exists(orders)) | Q(Exists(campaigns))


def _case_url(pk: int) -> str:
    return reverse("cases:case_detail", args=[pk])


# ------------------------------------------------------------------------------------------- JC-01
@audit_rule(
    code="JC-01",
    module=Module.INSPECTION,
    theme=Theme.LOSS,
    title="台区线损率大幅波动且无分析记录",
    description=(
        "台区本月线损率较上月波动超过规定比例，而月度分析在数据中未找到原因（只有“无数据原因”的一般解释），"
        "且本月以来也没有针对该台区的线损或窃电核查工单、专项行动：波动未经分析处理。"
    ),
    source=(
        "「营销稽查规则（站规）」线损一节：每月抄表后列出线损率波动超过20%的台区，由营销专责记录原因和措施；"
        "波动比例取规则表中“线损率环比波动比例”一行的现行值"
    ),
    severity=Severity.MEDIUM,
    owner_role=Role.INSPECTOR,
    deadline_days=15,
    schedule=Schedule.MONTHLY,
)
def area_swing_without_analysis(ctx: RuleContext) -> Iterator[Hit]:
    swing = float(rule_value("lineloss.swing_fraction", ctx.month_end))
    rows = (
        ctx.scoped(
            AreaMonthLoss.objects.filter(
                month=ctx.month, loss_rate_percent__isnull=False, previous_loss_rate_percent__isnull=False
            ).exclude(previous_loss_rate_percent=0)
        )
        .filter(~_area_followed_up(ctx.month))
        .values(
            "pk",
            "area_id",
            "area__code",
            "area__name",
            "station_id",
            "loss_rate_percent",
            "previous_loss_rate_percent",
            "supply_kwh",
            "sales_kwh",
            "causes",
        )
    )
    for row in rows.iterator(chunk_size=CHUNK):
        now, before = row["loss_rate_percent"], row["previous_loss_rate_percent"]
        change = abs(now - before) / abs(before)
        if change <= swing:
            continue
        codes = {c.get("code") for c in (row["causes"] or []) if isinstance(c, dict)}
        if codes - GENERIC_CAUSES:
            continue  # the analysis found a cause in the data
        area = f"{row['area__name']}（{row['area__code']}）"
        yield Hit(
            key=f"area:{row['area_id']}:{ctx.month:%Y-%m}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            summary=(
                f"{area}{ctx.month:%Y年%m月}线损率{_rate(now)}，上月{_rate(before)}，"
                f"波动{change * 100:.0f}%，无分析记录"
            ),
            evidence=[
                Evidence("台区", area, reverse("lineloss:area_loss", args=[row["area_id"]])),
                Evidence(
                    "本月线损率",
                    f"{_rate(now)}（供电量{row['supply_kwh']:,.0f} kWh，售电量{row['sales_kwh']:,.0f} kWh）",
                ),
                Evidence("上月线损率", _rate(before)),
                Evidence("波动", f"{change * 100:.0f}%（限值{swing * 100:.0f}%）"),
                Evidence("分析原因", "月度分析未在数据中找到原因"),
                Evidence("核查工单或专项行动", "无"),
            ],
        )


# ------------------------------------------------------------------------------------------- JC-02
@audit_rule(
    code="JC-02",
    module=Module.INSPECTION,
    theme=Theme.LOSS,
    title="台区连续三个月线损超指标且无整治措施",
    description=(
        "台区连续三个月线损率高于其线损指标，而这三个月以来没有针对该台区的整治措施：没有线损或窃电核查工单，"
        "也没有以其客户为对象的专项行动。"
    ),
    source=(
        "「营销稽查规则（站规）」线损一节：台区连续三个月未完成线损指标的，须分析、制定措施并考核；"
        "月数取规则表中“连续未完成线损指标的月数”一行的现行值"
    ),
    severity=Severity.HIGH,
    owner_role=Role.INSPECTOR,
    deadline_days=30,
    schedule=Schedule.MONTHLY,
)
def area_failing_without_plan(ctx: RuleContext) -> Iterator[Hit]:
    months = rule_int("lineloss.failing_months", ctx.month_end)
    first = month_add(ctx.month, -(months - 1))
    window = ctx.scoped(
        AreaMonthLoss.objects.filter(month__range=(first, ctx.month), loss_rate_percent__isnull=False)
    )
    failing = (
        window.order_by()
        .values("area_id")
        .annotate(n=Count("pk", filter=Q(loss_rate_percent__gt=F("target_percent"))))
        .filter(n=months)
        .values("area_id")
    )
    current = AreaMonthLoss.objects.filter(month=ctx.month, area_id__in=failing).filter(
        ~_area_followed_up(first)
    )
    rows = (
        window.filter(area_id__in=current.values("area_id"))
        .order_by("area_id", "month")
        .values(
            "area_id",
            "area__code",
            "area__name",
            "station_id",
            "month",
            "loss_rate_percent",
            "target_percent",
        )
    )
    area_rows: list[dict] = []
    for row in rows.iterator(chunk_size=CHUNK):
        if area_rows and area_rows[0]["area_id"] != row["area_id"]:
            yield _failing_hit(ctx, area_rows, first)
            area_rows = []
        area_rows.append(row)
    if area_rows:
        yield _failing_hit(ctx, area_rows, first)


def _failing_hit(ctx: RuleContext, rows: list[dict], first: datetime.date) -> Hit:
    last = rows[-1]
    area = f"{last['area__name']}（{last['area__code']}）"
    rates = "、".join(f"{r['month']:%Y-%m} {_rate(r['loss_rate_percent'])}" for r in rows)
    return Hit(
        key=f"area:{last['area_id']}:{ctx.month:%Y-%m}",
        station_id=last["station_id"],
        area_id=last["area_id"],
        summary=(
            f"{area}连续{len(rows)}个月线损率高于指标{_rate(last['target_percent'])}（{rates}），"
            f"{first:%Y年%m月}以来无整治措施"
        ),
        evidence=[
            Evidence("台区", area, reverse("lineloss:area_loss", args=[last["area_id"]])),
            Evidence("线损率指标", _rate(last["target_percent"])),
            *[Evidence(f"{r['month']:%Y年%m月}线损率", _rate(r["loss_rate_percent"])) for r in rows],
            Evidence("整治措施（核查工单、专项行动）", f"{first:%Y-%m-%d}以来无"),
        ],
    )


# ------------------------------------------------------------------------------------------- JC-03
def _items(calculation) -> list[dict]:
    return [i for i in ((calculation or {}).get("items") or []) if isinstance(i, dict)]


def back_bill_yuan(calculation) -> Decimal:
    """The back-billed charge (补交电费) of a case's calculation: the total's part, else its items."""
    items = _items(calculation)
    for item in items:
        if (
            item.get("key") == "total_due_yuan"
            and (item.get("inputs") or {}).get("back_bill_yuan") is not None
        ):
            return Decimal(str(item["inputs"]["back_bill_yuan"]))
    return sum(
        (
            Decimal(str(i.get("value") or 0))
            for i in items
            if str(i.get("key", "")).endswith("back_bill_yuan")
        ),
        Decimal("0"),
    )


def _paid() -> Coalesce:
    """A case's payments [yuan] as a subquery (no grouping of the outer query)."""
    total = (
        Payment.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(total=Sum("amount_yuan"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), ZERO)


@audit_rule(
    code="JC-03",
    module=Module.INSPECTION,
    theme=Theme.FEES,
    title="违约用电案件追补电费未收取",
    description=(
        "违约用电案件审批通过已超过规定天数，其补交电费（追补电费）既未通过案件收款收回，"
        "也没有对该客户发行电费追补：追补电费未入账。"
    ),
    source=(
        "《供电营业规则》第一百条（违约用电承担补交差额电费、基本电费等违约责任）；"
        "「营销稽查规则（站规）」反窃电一节：电量未追回、违约使用电费未收取的案件不得结案（“三不放过”）"
    ),
    severity=Severity.HIGH,
    owner_role=Role.INSPECTOR,
    deadline_days=15,
    schedule=Schedule.MONTHLY,
    params={"grace_days": Param(30, 1, 180, "天", "审批通过后应收回补交电费的天数")},
)
def violation_back_bill_not_billed(ctx: RuleContext) -> Iterator[Hit]:
    cutoff = _aware(ctx.on) - datetime.timedelta(days=ctx.int_param("grace_days"))
    approved_at = (
        CaseApproval.objects.filter(case=OuterRef("pk"), decision=ApprovalDecision.APPROVE)
        .order_by("-decided_at")
        .values("decided_at")[:1]
    )
    back_billed = BillAdjustment.objects.filter(
        bill__customer_id=OuterRef("customer_id"),
        status=ChangeStatus.APPROVED,
        amount_yuan__gt=0,
        bill__period__gte=OuterRef("case_date"),
    )
    cases = (
        ctx.scoped(
            Case.objects.filter(
                kind=CaseKind.VIOLATION, status__in=[CaseStatus.APPROVED, CaseStatus.PAID, CaseStatus.CLOSED]
            ),
            "customer__area",
        )
        .annotate(approved_at=Subquery(approved_at), paid=_paid())
        .filter(approved_at__lt=cutoff)
        .filter(~Exists(back_billed))
        .values(
            "pk",
            "number",
            "violation_type",
            "approved_at",
            "paid",
            "calculation",
            "customer_id",
            "customer__name",
            "customer__account_number",
            "customer__area_id",
            "station_id",
        )
    )
    for row in cases.iterator(chunk_size=1000):
        back_bill = back_bill_yuan(row["calculation"])
        paid = row["paid"] or Decimal("0")
        if back_bill <= 0 or paid >= back_bill:
            continue
        who = _who(row, "customer__")
        kind = (
            ViolationType(row["violation_type"]).label
            if row["violation_type"] in ViolationType.values
            else ""
        )
        yield Hit(
            key=f"case:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["customer__area_id"],
            customer_id=row["customer_id"],
            summary=(
                f"违约用电案件{row['number']}（{who}）{_day(row['approved_at'])}审批通过，"
                f"补交电费{_yuan(back_bill)}，仅收{_yuan(paid)}"
            ),
            evidence=[
                Evidence("案件", f"{row['number']}（{kind}）", _case_url(row["pk"])),
                Evidence("客户", who, customer_url(row["customer_id"])),
                Evidence("审批通过", _day(row["approved_at"])),
                Evidence("补交电费", _yuan(back_bill)),
                Evidence("案件已收款", _yuan(paid)),
                Evidence("电费追补", "无"),
            ],
        )


# ------------------------------------------------------------------------------------------- JC-04
@audit_rule(
    code="JC-04",
    module=Module.INSPECTION,
    theme=Theme.FEES,
    title="窃电案件已结案但违约使用电费未收清",
    description="窃电案件已结案，而案件收款合计低于应交合计（补交电费与违约使用电费）：违约使用电费未收清即结案。",
    source=(
        "《供电营业规则》第一百零二条（窃电者应补交电费，并承担补交电费三倍的违约使用电费）；"
        "「营销稽查规则（站规）」反窃电一节：电量追回、违约使用电费收取、依法追责之前不得结案（“三不放过”）"
    ),
    severity=Severity.HIGH,
    owner_role=Role.INSPECTOR,
    deadline_days=15,
    schedule=Schedule.MONTHLY,
)
def theft_closed_unpaid(ctx: RuleContext) -> Iterator[Hit]:
    cases = (
        ctx.scoped(
            Case.objects.filter(kind=CaseKind.THEFT, status=CaseStatus.CLOSED, total_due_yuan__gt=0),
            "customer__area",
        )
        .annotate(paid=_paid())
        .filter(paid__lt=F("total_due_yuan"))
        .values(
            "pk",
            "number",
            "closed_on",
            "total_due_yuan",
            "paid",
            "calculation",
            "customer_id",
            "customer__name",
            "customer__account_number",
            "customer__area_id",
            "station_id",
        )
    )
    for row in cases.iterator(chunk_size=1000):
        who = _who(row, "customer__")
        due, paid = row["total_due_yuan"], row["paid"] or Decimal("0")
        penalty = next(
            (
                Decimal(str(i.get("value") or 0))
                for i in _items(row["calculation"])
                if i.get("key") == "penalty_yuan"
            ),
            None,
        )
        closed = _day(row["closed_on"]) if row["closed_on"] else "日期未登记"
        yield Hit(
            key=f"case:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["customer__area_id"],
            customer_id=row["customer_id"],
            summary=(
                f"窃电案件{row['number']}（{who}）已于{closed}结案，应交{_yuan(due)}，"
                f"已收{_yuan(paid)}，未收{_yuan(due - paid)}"
            ),
            evidence=[
                Evidence("案件", row["number"], _case_url(row["pk"])),
                Evidence("客户", who, customer_url(row["customer_id"])),
                Evidence("结案日期", closed),
                Evidence("应交合计", _yuan(due)),
                *([Evidence("其中违约使用电费", _yuan(penalty))] if penalty is not None else []),
                Evidence("已收款", _yuan(paid)),
                Evidence("未收", _yuan(due - paid)),
            ],
        )


# ------------------------------------------------------------------------------------------- JC-05
def _weeks(first: datetime.date, last: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The calendar weeks of a month (Monday to Sunday, cut at the month's ends), as the plans number them."""
    weeks, start = [], first
    while start <= last:
        end = min(start + datetime.timedelta(days=6 - start.weekday()), last)
        weeks.append((start, end))
        start = end + datetime.timedelta(days=1)
    return weeks


def _slot_period(slot: str, first: datetime.date) -> tuple[datetime.date, datetime.date, str, str] | None:
    """The period a plan slot covers: (start, end, key part, Chinese label); None for an unknown slot."""
    last = month_end(first)
    kind, number = slot[:1], slot[1:]
    if kind in ("W", "R") and number.isdigit():
        weeks = _weeks(first, last)
        n = int(number)
        if not 1 <= n <= len(weeks):
            return None
        start, end = weeks[n - 1]
        return start, end, f"{first:%Y-%m}-W{n}", f"{first:%Y年%m月}第{n}周"
    if kind in ("M", "R") and not number:
        return first, last, f"{first:%Y-%m}", f"{first:%Y年%m月}"
    if kind == "Q" and not number:
        quarter = (first.month - 1) // 3
        start = datetime.date(first.year, 3 * quarter + 1, 1)
        return start, last, f"{first.year}Q{quarter + 1}", f"{first.year}年第{quarter + 1}季度"
    return None


CLASS_LABELS = {"A": "A类（每周）", "B": "B类（每月）", "C": "C类（每季度）"}


@audit_rule(
    code="JC-05",
    module=Module.INSPECTION,
    theme=Theme.LOSS,
    title="客户未按分类周期巡查",
    description=(
        "按反窃电分类（A类每周、B类每月、C类每季度）本期应巡查的客户，在该期内没有现场检查记录；"
        "供电所未编制当月检查计划的，整所列为一条。"
    ),
    source=(
        "「营销稽查规则（站规）」反窃电一节：客户分A、B、C三类，A类每周、B类每月、C类每季度巡查一次并分类记录；"
        "周期取规则表中A、B、C类客户反窃电巡查周期三行的现行值"
    ),
    severity=Severity.MEDIUM,
    owner_role=Role.INSPECTOR,
    deadline_days=7,
    schedule=Schedule.MONTHLY,
)
def patrol_missed(ctx: RuleContext) -> Iterator[Hit]:
    first = ctx.month
    orders = ctx.scoped(
        WorkOrder.objects.filter(
            plan__month=first, source=WorkOrderSource.PLAN, customer__status=CustomerStatus.ACTIVE
        ),
        "customer__area",
    )
    slots = sorted(set(orders.order_by().values_list("plan_slot", flat=True).distinct()))
    seen: set[str] = set()
    for slot in slots:
        period = _slot_period(slot, first)
        if period is None:
            continue
        start, end, key_part, label = period
        if end >= ctx.on:
            continue  # the period has not ended on the run's day
        visited = Visit.objects.filter(
            work_order__customer_id=OuterRef("customer_id"),
            visited_at__gte=_aware(start),
            visited_at__lt=_aware(end + datetime.timedelta(days=1)),
        )
        rows = (
            orders.filter(plan_slot=slot)
            .filter(~Exists(visited))
            .values(
                "pk",
                "number",
                "customer_id",
                "customer__name",
                "customer__account_number",
                "customer__inspection_class",
                "customer__area_id",
                "station_id",
            )
        )
        for row in rows.iterator(chunk_size=CHUNK):
            key = f"customer:{row['customer_id']}:{key_part}"
            if key in seen:
                continue
            seen.add(key)
            who = _who(row, "customer__")
            klass = CLASS_LABELS.get(row["customer__inspection_class"], row["customer__inspection_class"])
            yield Hit(
                key=key,
                station_id=row["station_id"],
                area_id=row["customer__area_id"],
                customer_id=row["customer_id"],
                summary=f"{who}为{klass}巡查客户，{label}（{_day(start)}至{_day(end)}）无现场检查记录",
                evidence=[
                    Evidence("客户", who, customer_url(row["customer_id"])),
                    Evidence("巡查分类", klass),
                    Evidence(
                        "计划工单", row["number"], reverse("inspections:workorder_detail", args=[row["pk"]])
                    ),
                    Evidence("巡查期间", f"{_day(start)}至{_day(end)}"),
                    Evidence("现场检查记录", "无"),
                ],
            )
    yield from _stations_without_plan(ctx)


def _stations_without_plan(ctx: RuleContext) -> Iterator[Hit]:
    """One hit per station of the run that has active customers and no inspection plan for the month."""
    if ctx.area_ids is not None or ctx.month_end >= ctx.on:
        return
    periods = {k: rule_value(f"inspections.patrol.class_{k.lower()}", ctx.month) for k in CLASS_LABELS}
    planned = InspectionPlan.objects.filter(station_id=OuterRef("station_id"), month=ctx.month)
    counts = (
        ctx.customers()
        .filter(status=CustomerStatus.ACTIVE)
        .filter(~Exists(planned))
        .order_by()
        .values("station_id", "inspection_class")
        .annotate(n=Count("pk"))
    )
    by_station: dict[int, dict[str, int]] = {}
    for row in counts:
        by_station.setdefault(row["station_id"], {})[row["inspection_class"]] = row["n"]
    names = dict(Station.objects.filter(pk__in=by_station).values_list("pk", "name"))
    quarter_end = ctx.month.month % 3 == 0
    for station_id, classes in sorted(by_station.items()):
        due = {
            k: n
            for k, n in classes.items()
            if periods.get(k) in ("week", "month") or (periods.get(k) == "quarter" and quarter_end)
        }
        if not due:
            continue
        parts = "、".join(f"{CLASS_LABELS.get(k, k)}{n}户" for k, n in sorted(due.items()))
        yield Hit(
            key=f"station:{station_id}:{ctx.month:%Y-%m}",
            station_id=station_id,
            summary=f"{names.get(station_id, '')}未编制{ctx.month:%Y年%m月}检查计划，应巡查客户未安排：{parts}",
            evidence=[
                Evidence("供电所", names.get(station_id, "")),
                Evidence("月度检查计划", "无", reverse("inspections:plan_list")),
                Evidence("应巡查客户", parts),
            ],
        )


# ------------------------------------------------------------------------------------------- JC-06
#: Anomalies a reader must report at once and that need a site visit (burned, stopped, seal broken,
#: meter stolen or moved).
ACTION_ANOMALIES = (
    AnomalyKind.BURNED,
    AnomalyKind.STOPPED,
    AnomalyKind.SEAL_BROKEN,
    AnomalyKind.STOLEN,
    AnomalyKind.MOVED,
)


@audit_rule(
    code="JC-06",
    module=Module.INSPECTION,
    theme=Theme.ENERGY,
    title="抄表异常逾期未处理",
    description=(
        "抄表发现的电能表烧毁、停走、封印损坏、被盗或移位等异常，超过规定天数仍未开具检查工单，也无处理结果。"
    ),
    source=(
        "「营销稽查规则（站规）」抄核收一节：抄表员发现表计烧毁、停走、封印损坏、表计被盗或移位等须立即报告；"
        "反窃电一节：抄表前损坏、烧毁或“丢失”电能表的按可疑窃电程序由检查与计量人员共同处理"
    ),
    severity=Severity.HIGH,
    owner_role=Role.INSPECTOR,
    deadline_days=3,
    schedule=Schedule.NIGHTLY,
    params={"action_days": Param(3, 1, 60, "天", "发现后应开具工单或处理完毕的天数")},
)
def reader_anomaly_unhandled(ctx: RuleContext) -> Iterator[Hit]:
    cutoff = ctx.on - datetime.timedelta(days=ctx.int_param("action_days"))
    rows = ctx.scoped(
        ReaderAnomaly.objects.filter(
            kind__in=ACTION_ANOMALIES,
            status=AnomalyStatus.OPEN,
            work_order_id_ref__isnull=True,
            outcome="",
            found_on__lte=cutoff,
        )
    ).values(
        "pk",
        "kind",
        "found_on",
        "note",
        "suspected_theft",
        "meter_id",
        "meter__asset_number",
        "customer_id",
        "customer__name",
        "customer__account_number",
        "area_id",
        "station_id",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        who = _who(row, "customer__")
        kind = AnomalyKind(row["kind"]).label
        days = (ctx.on - row["found_on"]).days
        yield Hit(
            key=f"anomaly:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["customer_id"],
            summary=f"{who}电能表{row['meter__asset_number']}于{_day(row['found_on'])}发现“{kind}”，{days}天未处理",
            evidence=[
                Evidence("客户", who, customer_url(row["customer_id"])),
                Evidence("电能表", row["meter__asset_number"], meter_url(row["meter_id"])),
                Evidence(
                    "抄表异常",
                    f"{kind}（{_day(row['found_on'])}）",
                    reverse("billing:anomaly_list") + f"?meter={row['meter_id']}",
                ),
                Evidence("可疑窃电", "是" if row["suspected_theft"] else "否"),
                Evidence("检查工单", "未开具"),
                Evidence("已过", f"{days}天"),
            ],
        )
