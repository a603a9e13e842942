"""Audit rules of tariff and billing (电费电价): category and tariff, time-of-use and power-factor
adjustment, preferential tariffs, fee items, refunds and back-bills, estimated readings.

Each rule's ``source`` is the one place that cites what it enforces.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Abs, Cast
from django.urls import reverse
from django.utils import timezone

from gridcheck.archive.choices import CustomerCategory, CustomerStatus, TariffCategory, VoltageLevel
from gridcheck.archive.models import Customer, Meter, MeteringPoint, Tariff
from gridcheck.audit.choices import Module, Schedule, Severity, Theme
from gridcheck.audit.engine import Evidence, Hit, Param, RuleContext, audit_rule
from gridcheck.audit.rules._format import bill_url as _bill_url
from gridcheck.audit.rules._format import kwh as _kwh
from gridcheck.audit.rules._format import yuan as _yuan
from gridcheck.audit.rules._links import area_url, customer_url, meter_url
from gridcheck.billing.choices import BillStatus, ChangeStatus, ReadingSource
from gridcheck.billing.models import (
    Bill,
    BillAdjustment,
    BillingTerms,
    CategoryChange,
    MeterExchange,
    MeterReading,
)
from gridcheck.core.periods import month_add
from gridcheck.core.roles import APPROVE_STATION, ROLE_CAPABILITIES, Role
from gridcheck.core.rules import rule_value

#: The tariff categories a customer category may be billed under (《销售电价分类》).
ALLOWED_TARIFF_CATEGORIES = {
    CustomerCategory.RESIDENTIAL: {TariffCategory.RESIDENTIAL},
    CustomerCategory.COMMERCIAL: {TariffCategory.GENERAL_COMMERCIAL_INDUSTRIAL},
    CustomerCategory.INDUSTRIAL: {
        TariffCategory.GENERAL_COMMERCIAL_INDUSTRIAL,
        TariffCategory.LARGE_INDUSTRY,
    },
    CustomerCategory.AGRICULTURAL: {TariffCategory.AGRICULTURAL},
    CustomerCategory.OTHER: {TariffCategory.GENERAL_COMMERCIAL_INDUSTRIAL},
}


@audit_rule(
    code="DF-01",
    module=Module.TARIFF,
    theme=Theme.PRICE,
    title="用电类别与执行电价不符",
    description="在用客户的用电类别与其执行电价的电价类别不对应（如居民类别执行一般工商业电价），属电价执行错误。",
    source="《供电营业规则》第八十二条（用户用电类别与电价相符）；国家发展改革委《销售电价分类》",
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=15,
    schedule=Schedule.NIGHTLY,
)
def category_vs_tariff(ctx: RuleContext) -> Iterator[Hit]:
    latest = Tariff.objects.filter(code=OuterRef("tariff_code"), effective_from__lte=ctx.month_end).order_by(
        "-effective_from"
    )
    rows = (
        ctx.customers()
        .filter(status=CustomerStatus.ACTIVE)
        .annotate(
            tariff_category=Subquery(latest.values("category")[:1]),
            tariff_name=Subquery(latest.values("name")[:1]),
        )
        .values(
            "pk",
            "account_number",
            "name",
            "category",
            "tariff_code",
            "tariff_category",
            "tariff_name",
            "station_id",
            "area_id",
        )
    )
    for row in rows.iterator(chunk_size=5000):
        allowed = ALLOWED_TARIFF_CATEGORIES.get(row["category"], set())
        if row["tariff_category"] is None or row["tariff_category"] in allowed:
            continue
        category = CustomerCategory(row["category"]).label
        tariff = TariffCategory(row["tariff_category"]).label
        yield Hit(
            key=f"customer:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["pk"],
            summary=f"{row['name']}（{row['account_number']}）用电类别为{category}，执行{tariff}电价",
            evidence=[
                Evidence("客户", f"{row['name']}（{row['account_number']}）", customer_url(row["pk"])),
                Evidence("用电类别", str(category)),
                Evidence("执行电价", f"{row['tariff_name']}（{row['tariff_code']}，{tariff}）"),
            ],
        )


# ------------------------------------------------------------------------------------------- helpers
#: Supply voltages of 1 kV and above: the customer has its own transformer (or is supplied at its level).
HIGH_VOLTAGES = (VoltageLevel.KV10, VoltageLevel.KV35)
#: Voltage bands of the tariff catalogue: under 1 kV, 1-10 kV, 35 kV.
VOLTAGE_BAND = {
    VoltageLevel.V220: 0,
    VoltageLevel.V380: 0,
    VoltageLevel.KV10: 1,
    VoltageLevel.KV35: 2,
}
TOU_KEY = "time_of_use_prices_yuan_per_kwh"
PF_KEY = "power_factor_class"
LOSS_KEY = "transformer_loss"


def _month_label(month: datetime.date) -> str:
    return f"{month.year}年{month.month}月"


def _customer_evidence(row: dict, prefix: str = "customer__") -> Evidence:
    pk = row[f"{prefix}pk"] if f"{prefix}pk" in row else row["customer_id"]
    return Evidence("客户", f"{row[f'{prefix}name']}（{row[f'{prefix}account_number']}）", customer_url(pk))


def _tariff_in_force(date_ref):
    """The catalogue version of the outer row's tariff code in force on ``date_ref`` (a date or an
    ``OuterRef``); the unique index (code, effective_from) serves it."""
    return Tariff.objects.filter(code=OuterRef("tariff_code"), effective_from__lte=date_ref).order_by(
        "-effective_from"
    )


def _month_bills(ctx: RuleContext, months: int = 1):
    """The bills of the audited month (and the ``months`` - 1 before it) within the run's scope.

    Served by the (station, period) and (area, period) indexes; a county run over one month reads the
    unique (customer, period) index as well (an index on period alone would serve it better).
    """
    first = month_add(ctx.month, -(months - 1))
    return ctx.scoped(Bill.objects.filter(period__gte=first, period__lte=ctx.month))


BILL_FIELDS = (
    "pk",
    "number",
    "period",
    "station_id",
    "area_id",
    "customer_id",
    "customer__name",
    "customer__account_number",
    "tariff_code",
    "tariff_name",
    "energy_kwh",
)


def _bill_hit(row: dict, summary: str, *evidence: Evidence) -> Hit:
    return Hit(
        key=f"bill:{row['pk']}",
        station_id=row["station_id"],
        area_id=row["area_id"],
        customer_id=row["customer_id"],
        summary=summary,
        evidence=[
            _customer_evidence(row),
            Evidence("电费账单", f"{row['number']}（{_month_label(row['period'])}）", _bill_url(row["pk"])),
            *evidence,
        ],
    )


def _customer_name(row: dict, prefix: str = "customer__") -> str:
    return f"{row[f'{prefix}name']}（{row[f'{prefix}account_number']}）"


def _tou_due(min_kva) -> Q:
    """Customers who must be billed by time of use: industrial, 10 kV and above, ``min_kva`` and more."""
    return Q(category=CustomerCategory.INDUSTRIAL, voltage_level__in=HIGH_VOLTAGES) & Q(
        contracted_capacity_kva__gte=min_kva
    )


TOU_SOURCE = (
    "国家发展改革委《关于进一步完善分时电价机制的通知》（发改价格〔2021〕1093号）；"
    "「营销稽查规则（站规）」：10千伏及以上受电容量达到规定值的工业用户执行峰谷分时电价"
)
TOU_PARAMS = {"min_kva": Param(315, 50, 10000, "kVA", "应执行分时电价的最小受电容量")}


# ---------------------------------------------------------------------------------- time of use
@audit_rule(
    code="DF-02",
    module=Module.TARIFF,
    theme=Theme.PRICE,
    title="应执行峰谷分时电价而未执行",
    description=(
        "10千伏及以上、受电容量达到规定值的工业用户执行的不是分时电价；或执行分时电价的账单按单一电价计费"
        "（如缺少峰谷示数），分时电价未落实。"
    ),
    source=TOU_SOURCE,
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=15,
    params=TOU_PARAMS,
)
def tou_not_applied(ctx: RuleContext) -> Iterator[Hit]:
    latest = _tariff_in_force(ctx.month_end)
    customers = (
        ctx.customers()
        .filter(_tou_due(ctx.params["min_kva"]), status=CustomerStatus.ACTIVE)
        .annotate(
            tou=Subquery(latest.values("is_time_of_use")[:1]), t_name=Subquery(latest.values("name")[:1])
        )
        .filter(tou=False)
        .values(
            "pk",
            "name",
            "account_number",
            "station_id",
            "area_id",
            "tariff_code",
            "t_name",
            "voltage_level",
            "contracted_capacity_kva",
        )
    )
    for row in customers.iterator(chunk_size=5000):
        yield Hit(
            key=f"customer:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["pk"],
            summary=(
                f"{_customer_name(row, '')}为{row['voltage_level']}工业用户，受电容量"
                f"{row['contracted_capacity_kva']:,.0f} kVA，执行的{row['t_name']}不是分时电价"
            ),
            evidence=[
                Evidence("客户", _customer_name(row, ""), customer_url(row["pk"])),
                Evidence("供电电压", row["voltage_level"]),
                Evidence("受电容量", f"{row['contracted_capacity_kva']:,.0f} kVA"),
                Evidence("执行电价", f"{row['t_name']}（{row['tariff_code']}）"),
            ],
        )
    bills = (
        _month_bills(ctx)
        .annotate(tou=Subquery(_tariff_in_force(OuterRef("period_end")).values("is_time_of_use")[:1]))
        .filter(tou=True)
        .exclude(inputs__has_key=TOU_KEY)
        .values(*BILL_FIELDS)
    )
    for row in bills.iterator(chunk_size=5000):
        yield _bill_hit(
            row,
            f"{_customer_name(row)}执行分时电价{row['tariff_name']}，{_month_label(row['period'])}账单按单一电价计费",
            Evidence("执行电价", f"{row['tariff_name']}（{row['tariff_code']}，分时电价）"),
            Evidence("计费方式", "单一电价（未分峰谷）"),
        )


@audit_rule(
    code="DF-03",
    module=Module.TARIFF,
    theme=Theme.PRICE,
    title="不应执行峰谷分时电价而执行",
    description=(
        "非居民客户不在分时电价执行范围内（非10千伏及以上工业用户或受电容量不足规定值）却执行分时电价；"
        "或账单按峰谷分时电价计费而其执行电价不是分时电价。"
    ),
    source=TOU_SOURCE,
    severity=Severity.MEDIUM,
    owner_role=Role.AUDITOR,
    deadline_days=15,
    params=TOU_PARAMS,
)
def tou_not_due(ctx: RuleContext) -> Iterator[Hit]:
    latest = _tariff_in_force(ctx.month_end)
    customers = (
        ctx.customers()
        .filter(status=CustomerStatus.ACTIVE)
        .exclude(category=CustomerCategory.RESIDENTIAL)  # residents may choose time of use
        .exclude(_tou_due(ctx.params["min_kva"]))
        .annotate(
            tou=Subquery(latest.values("is_time_of_use")[:1]), t_name=Subquery(latest.values("name")[:1])
        )
        .filter(tou=True)
        .values(
            "pk",
            "name",
            "account_number",
            "station_id",
            "area_id",
            "tariff_code",
            "t_name",
            "category",
            "voltage_level",
            "contracted_capacity_kva",
        )
    )
    for row in customers.iterator(chunk_size=5000):
        category = CustomerCategory(row["category"]).label
        yield Hit(
            key=f"customer:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["pk"],
            summary=(
                f"{_customer_name(row, '')}为{row['voltage_level']}{category}用户，受电容量"
                f"{row['contracted_capacity_kva']:,.0f} kVA，不在分时电价范围内，却执行{row['t_name']}"
            ),
            evidence=[
                Evidence("客户", _customer_name(row, ""), customer_url(row["pk"])),
                Evidence("用电类别", str(category)),
                Evidence("供电电压", row["voltage_level"]),
                Evidence("受电容量", f"{row['contracted_capacity_kva']:,.0f} kVA"),
                Evidence("执行电价", f"{row['t_name']}（{row['tariff_code']}，分时电价）"),
            ],
        )
    bills = (
        _month_bills(ctx)
        .annotate(tou=Subquery(_tariff_in_force(OuterRef("period_end")).values("is_time_of_use")[:1]))
        .filter(tou=False, inputs__has_key=TOU_KEY)
        .values(*BILL_FIELDS)
    )
    for row in bills.iterator(chunk_size=5000):
        yield _bill_hit(
            row,
            f"{_customer_name(row)}{_month_label(row['period'])}账单按峰谷分时计费，其执行电价{row['tariff_name']}不是分时电价",
            Evidence("执行电价", f"{row['tariff_name']}（{row['tariff_code']}，非分时电价）"),
            Evidence("计费方式", "峰谷分时电价"),
        )


# ------------------------------------------------------------------------------------ power factor
PF_SOURCE = (
    "《功率因数调整电费办法》（（83）水电财字第215号）：受电容量100千伏安（千瓦）及以上的非居民用户"
    "执行功率因数调整电费"
)


def _pf_min_kva(ctx: RuleContext) -> Decimal:
    return Decimal(str(rule_value("billing.power_factor.min_capacity_kva", ctx.month_end)))


@audit_rule(
    code="DF-04",
    module=Module.TARIFF,
    theme=Theme.FEES,
    title="应执行功率因数调整电费而未执行",
    description="受电容量100千伏安及以上的非居民用户本月账单有用电量却未计算功率因数调整电费（力调电费）。",
    source=PF_SOURCE,
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=15,
)
def pf_not_applied(ctx: RuleContext) -> Iterator[Hit]:
    rows = (
        _month_bills(ctx)
        .filter(energy_kwh__gt=0, customer__contracted_capacity_kva__gte=_pf_min_kva(ctx))
        .exclude(customer__category=CustomerCategory.RESIDENTIAL)
        .exclude(inputs__has_key=PF_KEY)
        .values(*BILL_FIELDS, "customer__contracted_capacity_kva")
    )
    for row in rows.iterator(chunk_size=5000):
        capacity = f"{row['customer__contracted_capacity_kva']:,.0f} kVA"
        yield _bill_hit(
            row,
            f"{_customer_name(row)}受电容量{capacity}，{_month_label(row['period'])}账单未计算力调电费",
            Evidence("受电容量", capacity),
            Evidence("本月电量", _kwh(row["energy_kwh"])),
            Evidence("功率因数调整电费", "未计算"),
        )


@audit_rule(
    code="DF-05",
    module=Module.TARIFF,
    theme=Theme.FEES,
    title="不应执行功率因数调整电费而执行",
    description="居民用户或受电容量不足100千伏安的用户的账单计算了功率因数调整电费（力调电费）。",
    source=PF_SOURCE,
    severity=Severity.MEDIUM,
    owner_role=Role.AUDITOR,
    deadline_days=15,
)
def pf_not_due(ctx: RuleContext) -> Iterator[Hit]:
    rows = (
        _month_bills(ctx)
        .filter(inputs__has_key=PF_KEY)
        .filter(
            Q(customer__category=CustomerCategory.RESIDENTIAL)
            | Q(customer__contracted_capacity_kva__lt=_pf_min_kva(ctx))
        )
        .values(*BILL_FIELDS, "customer__contracted_capacity_kva", "customer__category", "power_factor_yuan")
    )
    for row in rows.iterator(chunk_size=5000):
        category = CustomerCategory(row["customer__category"]).label
        capacity = f"{row['customer__contracted_capacity_kva']:,.0f} kVA"
        yield _bill_hit(
            row,
            f"{_customer_name(row)}为{category}用户、受电容量{capacity}，{_month_label(row['period'])}账单却计算了力调电费",
            Evidence("用电类别", str(category)),
            Evidence("受电容量", capacity),
            Evidence("功率因数调整电费", _yuan(row["power_factor_yuan"])),
        )


# --------------------------------------------------------------------- tariff changed without approval
@audit_rule(
    code="DF-06",
    module=Module.TARIFF,
    theme=Theme.PRICE,
    title="无批准的申请变更电价或用电类别",
    description=(
        "客户档案的执行电价或用电类别发生变更，却没有相应的已批准更改用电申请（电价由原电价改为新电价的"
        "申请经审核、所长批准后方可变更）。"
    ),
    source="《供电营业规则》第二十二条（改类须办理手续）；「营销稽查规则（站规）」：电价、类别变更须经申请、审核、所长批准",
    severity=Severity.HIGH,
    owner_role=Role.STATION_HEAD,
    deadline_days=10,
    schedule=Schedule.NIGHTLY,
    params={"months": Param(3, 1, 24, "月", "回溯月数")},
)
def tariff_changed_unapproved(ctx: RuleContext) -> Iterator[Hit]:
    history = Customer.history.model
    start = month_add(ctx.month, -(ctx.int_param("months") - 1))
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(ctx.on + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    before = (
        history.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
    )
    approved = CategoryChange.objects.filter(customer_id=OuterRef("id"), status=ChangeStatus.APPROVED)
    rows = (
        ctx.scoped(history.objects.filter(history_type="~", history_date__gte=since, history_date__lt=until))
        .annotate(
            old_tariff=Subquery(before.values("tariff_code")[:1]),
            old_category=Subquery(before.values("category")[:1]),
        )
        .filter(
            (Q(old_tariff__isnull=False) & ~Q(tariff_code=F("old_tariff")))
            | (Q(old_category__isnull=False) & ~Q(category=F("old_category")))
        )
        .annotate(
            tariff_approved=Exists(
                approved.filter(
                    old_tariff_code=OuterRef("old_tariff"),
                    new_tariff_code=OuterRef("tariff_code"),
                    decided_at__lte=OuterRef("history_date"),
                )
            ),
            # A category changes with an approved application of the customer decided in the window.
            category_approved=Exists(
                approved.filter(
                    decided_at__gte=since - datetime.timedelta(days=31),
                    decided_at__lte=OuterRef("history_date"),
                )
            ),
        )
        .values(
            "history_id",
            "id",
            "name",
            "account_number",
            "station_id",
            "area_id",
            "history_date",
            "tariff_code",
            "old_tariff",
            "category",
            "old_category",
            "tariff_approved",
            "category_approved",
            "history_user__full_name",
            "history_user__username",
        )
    )
    for row in rows.iterator(chunk_size=5000):
        tariff_changed = row["old_tariff"] is not None and row["tariff_code"] != row["old_tariff"]
        category_changed = row["old_category"] is not None and row["category"] != row["old_category"]
        if tariff_changed and row["tariff_approved"]:
            tariff_changed = False
        if category_changed and row["category_approved"]:
            category_changed = False
        if not (tariff_changed or category_changed):
            continue
        when = timezone.localtime(row["history_date"], tz)
        who = row["history_user__full_name"] or row["history_user__username"] or "未记录"
        changes, evidence = [], [Evidence("客户", _customer_name(row, ""), customer_url(row["id"]))]
        if tariff_changed:
            changes.append(f"执行电价由{row['old_tariff']}改为{row['tariff_code']}")
            evidence.append(Evidence("执行电价变更", f"{row['old_tariff']} → {row['tariff_code']}"))
        if category_changed:
            old, new = CustomerCategory(row["old_category"]).label, CustomerCategory(row["category"]).label
            changes.append(f"用电类别由{old}改为{new}")
            evidence.append(Evidence("用电类别变更", f"{old} → {new}"))
        evidence += [
            Evidence("变更时间", f"{when:%Y-%m-%d %H:%M}"),
            Evidence("操作人", str(who)),
            Evidence("已批准的更改用电申请", "无"),
        ]
        yield Hit(
            key=f"customer-change:{row['history_id']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["id"],
            summary=f"{_customer_name(row, '')}于{when:%Y-%m-%d}{'，'.join(changes)}，无已批准的更改用电申请",
            evidence=evidence,
        )


# ----------------------------------------------------------------------------- preferential tariff
@audit_rule(
    code="DF-07",
    module=Module.TARIFF,
    theme=Theme.PRICE,
    title="执行电价的电压等级高于供电电压（优惠电价超范围）",
    description=(
        "客户执行的电价属于更高电压等级（如1-10千伏电价），而客户实际供电电压低于该等级，"
        "享受了不属于其范围的较低电价。"
    ),
    source="《供电营业规则》第八十二条（按用户用电类别及电压等级执行电价）；国家发展改革委《销售电价分类》（按电压等级分档）",
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=15,
)
def tariff_voltage_above_supply(ctx: RuleContext) -> Iterator[Hit]:
    latest = _tariff_in_force(ctx.month_end)
    rows = (
        ctx.customers()
        .filter(status=CustomerStatus.ACTIVE)
        .annotate(
            t_voltage=Subquery(latest.values("voltage_level")[:1]), t_name=Subquery(latest.values("name")[:1])
        )
        .filter(t_voltage__in=HIGH_VOLTAGES)
        .exclude(voltage_level=F("t_voltage"))
        .values(
            "pk",
            "name",
            "account_number",
            "station_id",
            "area_id",
            "voltage_level",
            "tariff_code",
            "t_voltage",
            "t_name",
        )
    )
    for row in rows.iterator(chunk_size=5000):
        if VOLTAGE_BAND.get(row["t_voltage"], 0) <= VOLTAGE_BAND.get(row["voltage_level"], 0):
            continue
        yield Hit(
            key=f"customer:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["pk"],
            summary=f"{_customer_name(row, '')}供电电压{row['voltage_level']}，执行{row['t_voltage']}等级的{row['t_name']}",
            evidence=[
                Evidence("客户", _customer_name(row, ""), customer_url(row["pk"])),
                Evidence("供电电压", row["voltage_level"]),
                Evidence("执行电价", f"{row['t_name']}（{row['tariff_code']}，{row['t_voltage']}）"),
            ],
        )


# ---------------------------------------------------------------------------- transformer loss
LOSS_SOURCE = (
    "《供电营业规则》第七十四条（用电计量装置不安装在产权分界处时，变压器损耗由产权所有者负担，"
    "计收电费时加计）；「营销稽查规则（站规）」：高供低计用户按供用电合同计收变损"
)


def _low_side_terms() -> Exists:
    return Exists(BillingTerms.objects.filter(customer_id=OuterRef("customer_id"), low_side_metering=True))


def _high_side_point() -> Exists:
    return Exists(MeteringPoint.objects.filter(customer_id=OuterRef("customer_id"), pt_ratio__gt=1))


@audit_rule(
    code="DF-08",
    module=Module.TARIFF,
    theme=Theme.LOSS,
    title="不应计收变损而计收",
    description="账单计收了变压器损耗电量，而客户为低压供电（无自有变压器）或未约定高供低计。",
    source=LOSS_SOURCE,
    severity=Severity.MEDIUM,
    owner_role=Role.AUDITOR,
    deadline_days=15,
)
def loss_charged_not_due(ctx: RuleContext) -> Iterator[Hit]:
    rows = (
        _month_bills(ctx)
        .filter(inputs__has_key=LOSS_KEY)
        .annotate(low_side=_low_side_terms())
        .filter(Q(low_side=False) | ~Q(customer__voltage_level__in=HIGH_VOLTAGES))
        .values(*BILL_FIELDS, "customer__voltage_level", "low_side")
    )
    for row in rows.iterator(chunk_size=5000):
        reason = (
            f"低压（{row['customer__voltage_level']}）供电"
            if row["customer__voltage_level"] not in HIGH_VOLTAGES
            else "未约定高供低计"
        )
        yield _bill_hit(
            row,
            f"{_customer_name(row)}{reason}，{_month_label(row['period'])}账单却计收了变损",
            Evidence("供电电压", row["customer__voltage_level"]),
            Evidence("高供低计约定", "有" if row["low_side"] else "无"),
            Evidence("账单变损", "已计收"),
        )


@audit_rule(
    code="DF-09",
    module=Module.TARIFF,
    theme=Theme.LOSS,
    title="应计收变损而未计收",
    description=(
        "客户为高供低计（约定低压侧计量，或10千伏及以上供电而计量点均无电压互感器），本月账单却未计收"
        "变压器损耗电量。"
    ),
    source=LOSS_SOURCE,
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=15,
)
def loss_missing(ctx: RuleContext) -> Iterator[Hit]:
    rows = (
        _month_bills(ctx)
        .exclude(inputs__has_key=LOSS_KEY)
        .annotate(low_side=_low_side_terms(), high_side=_high_side_point())
        .filter(Q(low_side=True) | Q(customer__voltage_level__in=HIGH_VOLTAGES, high_side=False))
        .values(*BILL_FIELDS, "customer__voltage_level", "low_side")
    )
    for row in rows.iterator(chunk_size=5000):
        basis = "约定高供低计" if row["low_side"] else f"{row['customer__voltage_level']}供电而在低压侧计量"
        yield _bill_hit(
            row,
            f"{_customer_name(row)}{basis}，{_month_label(row['period'])}账单未计收变损",
            Evidence("供电电压", row["customer__voltage_level"]),
            Evidence("高供低计约定", "有" if row["low_side"] else "无（计量点无电压互感器）"),
            Evidence("账单变损", "未计收"),
        )


# ---------------------------------------------------------------------------------- multiplier
@audit_rule(
    code="DF-10",
    module=Module.TARIFF,
    theme=Theme.ENERGY,
    title="档案、账单与采集倍率不一致",
    description=(
        "抄表（采集）上报的综合倍率与档案计量点倍率不一致；或账单计费所用倍率（电流互感器变比×电压互感器"
        "变比）与档案倍率不一致，电量计算可能错误。"
    ),
    source="《供电营业规则》第八十一条（计量倍率差错退补电费）；「营销稽查规则（站规）」：档案、账单、采集倍率一致",
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=10,
)
def multiplier_mismatch(ctx: RuleContext) -> Iterator[Hit]:
    readings = (
        ctx.scoped(MeterReading.objects.filter(cycle__period=ctx.month, multiplier_read__isnull=False))
        .annotate(archive=F("meter__metering_point__multiplier"))
        .exclude(multiplier_read=F("archive"))
        .values(
            "pk",
            "station_id",
            "area_id",
            "customer_id",
            "customer__name",
            "customer__account_number",
            "meter_id",
            "meter__asset_number",
            "multiplier_read",
            "archive",
            "read_on",
        )
    )
    for row in readings.iterator(chunk_size=5000):
        yield Hit(
            key=f"reading:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["customer_id"],
            summary=(
                f"{_customer_name(row)}电能表{row['meter__asset_number']}于{row['read_on']:%Y-%m-%d}采集倍率"
                f"{row['multiplier_read']:g}，档案倍率{row['archive']:g}"
            ),
            evidence=[
                _customer_evidence(row),
                Evidence("电能表", row["meter__asset_number"], meter_url(row["meter_id"])),
                Evidence("采集倍率", f"{row['multiplier_read']:g}"),
                Evidence("档案倍率", f"{row['archive']:g}"),
            ],
        )
    number = DecimalField(max_digits=14, decimal_places=4)
    archive = Meter.objects.filter(asset_number=OuterRef("asset")).values("metering_point__multiplier")[:1]
    exchanged = MeterExchange.objects.filter(
        customer_id=OuterRef("customer_id"),
        changed_on__gt=OuterRef("period_start"),
        changed_on__lte=OuterRef("period_end"),
    )
    bills = (
        _month_bills(ctx)
        .filter(inputs__meters__0__isnull=False, inputs__meters__1__isnull=True)  # one meter part
        .exclude(Exists(exchanged))
        .annotate(
            asset=KT("inputs__meters__0__meter"),
            ct=Cast(KT("inputs__meters__0__ct_ratio"), number),
            pt=Cast(KT("inputs__meters__0__pt_ratio"), number),
        )
        .annotate(
            billed=ExpressionWrapper(F("ct") * F("pt"), output_field=number),
            archive=Subquery(archive),
        )
        .filter(archive__isnull=False)
        .annotate(gap=Abs(F("billed") - F("archive")))
        .filter(gap__gt=Decimal("0.005"))
        .values(*BILL_FIELDS, "asset", "billed", "archive")
    )
    for row in bills.iterator(chunk_size=5000):
        billed, archived = Decimal(str(row["billed"])), Decimal(str(row["archive"]))
        yield _bill_hit(
            row,
            f"{_customer_name(row)}{_month_label(row['period'])}账单计费倍率{billed.normalize():f}，档案倍率{archived.normalize():f}",
            Evidence("电能表", row["asset"] or ""),
            Evidence("账单倍率", f"{billed.normalize():f}"),
            Evidence("档案倍率", f"{archived.normalize():f}"),
        )


# ------------------------------------------------------------------------------------ fee items
@audit_rule(
    code="DF-11",
    module=Module.TARIFF,
    theme=Theme.FEES,
    title="收费项目超出目录",
    description=(
        "账单的收费项目与目录不符：居民生活、农业生产电价计收了政府性基金及附加；其他电价的基金及附加"
        "与计费电量×目录征收标准不符；单一制电价计收了基本电费。"
    ),
    source=(
        "《电力法》第四十四条（禁止在电费中加收其他费用）；国家发展改革委可再生能源电价附加征收标准"
        "（发改价格〔2015〕3105号）；「营销稽查规则（站规）」：收费项目以电价目录为准"
    ),
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=10,
)
def fee_items_outside_catalogue(ctx: RuleContext) -> Iterator[Hit]:
    exempt = [c for c in str(rule_value("billing.funds.exempt_categories", ctx.month_end)).split(",") if c]
    rate = Decimal(str(rule_value("tariff.demo.fund.renewable_energy_surcharge", ctx.month_end)))
    money = DecimalField(max_digits=16, decimal_places=4)
    tariff = _tariff_in_force(OuterRef("period_end"))
    rows = (
        _month_bills(ctx)
        .annotate(
            category=Subquery(tariff.values("category")[:1]),
            basic_price=Subquery(tariff.values("basic_price_yuan_per_kva_month")[:1]),
            demand_price=Subquery(tariff.values("basic_price_yuan_per_kw_month")[:1]),
            expected=ExpressionWrapper(F("energy_kwh") * Value(rate), output_field=money),
        )
        .annotate(gap=Abs(F("funds_yuan") - F("expected")))
        .filter(
            Q(category__in=exempt, funds_yuan__gt=0)
            | (Q(category__isnull=False) & ~Q(category__in=exempt) & Q(gap__gt=Decimal("0.01")))
            | Q(basic_charge_yuan__gt=0, basic_price__isnull=True, demand_price__isnull=True)
        )
        .values(
            *BILL_FIELDS,
            "category",
            "funds_yuan",
            "expected",
            "basic_charge_yuan",
            "basic_price",
            "demand_price",
        )
    )
    for row in rows.iterator(chunk_size=5000):
        items, evidence = [], []
        if row["category"] in exempt and row["funds_yuan"] > 0:
            items.append(
                f"{TariffCategory(row['category']).label}电价计收基金及附加{_yuan(row['funds_yuan'])}"
            )
            evidence.append(Evidence("基金及附加", f"{_yuan(row['funds_yuan'])}（应为0）"))
        elif row["category"] not in exempt:
            expected = Decimal(str(row["expected"])).quantize(Decimal("0.01"))
            if abs(row["funds_yuan"] - expected) > Decimal("0.01"):
                items.append(f"基金及附加{_yuan(row['funds_yuan'])}，按目录应为{_yuan(expected)}")
                evidence.append(
                    Evidence("基金及附加", f"{_yuan(row['funds_yuan'])}（按目录应为{_yuan(expected)}）")
                )
        if row["basic_charge_yuan"] > 0 and row["basic_price"] is None and row["demand_price"] is None:
            items.append(f"单一制电价计收基本电费{_yuan(row['basic_charge_yuan'])}")
            evidence.append(
                Evidence("基本电费", f"{_yuan(row['basic_charge_yuan'])}（单一制电价无基本电费）")
            )
        if not items:
            continue
        yield _bill_hit(
            row,
            f"{_customer_name(row)}{_month_label(row['period'])}账单：{'；'.join(items)}",
            Evidence("执行电价", f"{row['tariff_name']}（{row['tariff_code']}）"),
            *evidence,
        )


# ------------------------------------------------------------------------ refunds and back-bills
def _approver_roles() -> list[str]:
    return [role for role, granted in ROLE_CAPABILITIES.items() if APPROVE_STATION in granted]


@audit_rule(
    code="DF-12",
    module=Module.TARIFF,
    theme=Theme.FEES,
    title="退补电费未经所长批准或由编制人自批",
    description=(
        "已批准的退补电费没有批准人、批准人无审批权限（非所长及以上）或批准人即编制人；或账单金额已"
        "调整却没有已批准的退补申请。"
    ),
    source="《供电营业规则》第八十条、第八十一条（计量差错退补）；「营销稽查规则（站规）」：退补电费经所长批准，编制人不得自批",
    severity=Severity.HIGH,
    owner_role=Role.STATION_HEAD,
    deadline_days=10,
    params={"months": Param(3, 1, 24, "月", "回溯月数")},
)
def adjustment_unapproved(ctx: RuleContext) -> Iterator[Hit]:
    first = month_add(ctx.month, -(ctx.int_param("months") - 1))
    approvers = _approver_roles()
    rows = (
        ctx.scoped(
            BillAdjustment.objects.filter(
                status=ChangeStatus.APPROVED, bill__period__gte=first, bill__period__lte=ctx.month
            )
        )
        .filter(
            Q(decided_by__isnull=True)
            | Q(decided_by_id=F("prepared_by_id"))
            | ~Q(decided_by__role__in=approvers)
        )
        .values(
            "pk",
            "station_id",
            "area_id",
            "bill_id",
            "bill__number",
            "bill__period",
            "bill__customer_id",
            "bill__customer__name",
            "bill__customer__account_number",
            "amount_yuan",
            "kind",
            "prepared_by_id",
            "decided_by_id",
            "prepared_by__full_name",
            "decided_by__full_name",
            "decided_by__role",
        )
    )
    for row in rows.iterator(chunk_size=5000):
        if row["decided_by_id"] is None:
            problem = "无批准人"
        elif row["decided_by_id"] == row["prepared_by_id"]:
            problem = "由编制人自行批准"
        else:
            problem = f"批准人{row['decided_by__full_name']}无审批权限"
        kind = "退费" if row["amount_yuan"] < 0 else "补收"
        yield Hit(
            key=f"adjustment:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["bill__customer_id"],
            summary=(
                f"{_customer_name(row, 'bill__customer__')}{_month_label(row['bill__period'])}账单{kind}"
                f"{_yuan(abs(row['amount_yuan']))}，{problem}"
            ),
            evidence=[
                _customer_evidence({**row, "customer_id": row["bill__customer_id"]}, "bill__customer__"),
                Evidence(
                    "退补电费",
                    f"{kind}{_yuan(abs(row['amount_yuan']))}",
                    reverse("billing:adjustment_detail", args=[row["pk"]]),
                ),
                Evidence("电费账单", row["bill__number"], _bill_url(row["bill_id"])),
                Evidence("编制人", row["prepared_by__full_name"] or "未记录"),
                Evidence("批准人", row["decided_by__full_name"] or "无"),
            ],
        )
    adjusted = (
        _month_bills(ctx, ctx.int_param("months"))
        .filter(Q(status=BillStatus.ADJUSTED) | Q(adjusted_total_yuan__isnull=False))
        .exclude(Exists(BillAdjustment.objects.filter(bill_id=OuterRef("pk"), status=ChangeStatus.APPROVED)))
        .values(*BILL_FIELDS, "total_yuan", "adjusted_total_yuan")
    )
    for row in adjusted.iterator(chunk_size=5000):
        yield _bill_hit(
            row,
            f"{_customer_name(row)}{_month_label(row['period'])}账单金额已调整，无已批准的退补申请",
            Evidence("原金额", _yuan(row["total_yuan"])),
            Evidence(
                "调整后金额",
                _yuan(row["adjusted_total_yuan"]) if row["adjusted_total_yuan"] is not None else "未记录",
            ),
        )


# ------------------------------------------------------------------------------------ readings
@audit_rule(
    code="DF-13",
    module=Module.TARIFF,
    theme=Theme.ENERGY,
    title="连续多个抄表周期估抄",
    description="同一电能表最近连续多个抄表周期（含本月）均为估抄，未实抄。",
    source="「营销稽查规则（站规）」：抄表应实抄到位，不得连续估抄；国家电网公司抄表管理规定（实抄率100%）",
    severity=Severity.MEDIUM,
    owner_role=Role.METER_READER,
    deadline_days=10,
    params={"cycles": Param(3, 2, 12, "个周期", "连续估抄周期数")},
)
def estimated_in_a_row(ctx: RuleContext) -> Iterator[Hit]:
    cycles = ctx.int_param("cycles")
    first = month_add(ctx.month, -(cycles - 1))
    # Meters estimated in the audited month, then their estimates in the months before (index on
    # (meter, read_on) serves the second step; the first reads the month's readings by cycle).
    rows = (
        ctx.scoped(
            MeterReading.objects.filter(
                source=ReadingSource.ESTIMATED, cycle__period__gte=first, cycle__period__lte=ctx.month
            )
        )
        .filter(
            meter_id__in=MeterReading.objects.filter(
                source=ReadingSource.ESTIMATED, cycle__period=ctx.month
            ).values("meter_id")
        )
        .values(
            "meter_id",
            "meter__asset_number",
            "customer_id",
            "customer__name",
            "customer__account_number",
            "station_id",
            "area_id",
        )
        .annotate(n=Count("cycle__period", distinct=True))
        .filter(n__gte=cycles)
    )
    for row in rows.iterator(chunk_size=5000):
        yield Hit(
            key=f"meter:{row['meter_id']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["customer_id"],
            summary=(
                f"{_customer_name(row)}电能表{row['meter__asset_number']}截至{_month_label(ctx.month)}"
                f"连续{row['n']}个抄表周期估抄"
            ),
            evidence=[
                _customer_evidence(row),
                Evidence("电能表", row["meter__asset_number"], meter_url(row["meter_id"])),
                Evidence("连续估抄周期", f"{row['n']}个（{_month_label(first)}至{_month_label(ctx.month)}）"),
            ],
        )


@audit_rule(
    code="DF-14",
    module=Module.TARIFF,
    theme=Theme.ENERGY,
    title="台区抄表实抄率未达100%",
    description="抄表周期内台区的实抄率（非估抄示数/应抄电能表）低于规定值，按抄表员、台区、周期统计。",
    source="「营销稽查规则（站规）」：抄表实抄率100%，一人一区，抄表员对所抄台区负责",
    severity=Severity.LOW,
    owner_role=Role.METER_READER,
    deadline_days=10,
    params={
        "rate": Param(100, 80, 100, "%", "实抄率下限"),
        "months": Param(12, 1, 24, "月", "回溯月数"),
    },
)
def actual_reading_rate(ctx: RuleContext) -> Iterator[Hit]:
    first = month_add(ctx.month, -(ctx.int_param("months") - 1))
    limit = ctx.params["rate"]
    # A billed cycle has a reading of every meter due (the bill run refuses a missing one), so the
    # readings of the area in the cycle are the meters due.
    rows = (
        ctx.scoped(MeterReading.objects.filter(cycle__period__gte=first, cycle__period__lte=ctx.month))
        .values(
            "cycle_id",
            "area_id",
            "station_id",
            "cycle__period",
            "cycle__book__code",
            "cycle__book__reader__full_name",
            "area__name",
            "area__code",
        )
        .annotate(
            due=Count("pk"),
            estimated=Count("pk", filter=Q(source=ReadingSource.ESTIMATED)),
        )
        .filter(estimated__gt=0)
    )
    for row in rows.iterator(chunk_size=5000):
        actual = row["due"] - row["estimated"]
        rate = (Decimal(actual * 100) / row["due"]).quantize(Decimal("0.1"))
        if rate >= limit:
            continue
        period = row["cycle__period"]
        reader = row["cycle__book__reader__full_name"] or "未指定"
        yield Hit(
            key=f"area-cycle:{row['area_id']}:{period:%Y-%m}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            summary=(
                f"抄表员{reader}（{row['cycle__book__code']}册）{_month_label(period)}台区{row['area__name']}"
                f"实抄率{rate}%，估抄{row['estimated']}只"
            ),
            evidence=[
                Evidence("台区", f"{row['area__name']}（{row['area__code']}）", area_url(row["area_id"])),
                Evidence(
                    "抄表周期",
                    f"{row['cycle__book__code']}册{_month_label(period)}",
                    reverse("billing:cycle_detail", args=[row["cycle_id"]]),
                ),
                Evidence("抄表员", reader),
                Evidence("应抄电能表", f"{row['due']}只"),
                Evidence("估抄", f"{row['estimated']}只"),
                Evidence("实抄率", f"{rate}%"),
            ],
        )


# -------------------------------------------------------------------------------- energy
@audit_rule(
    code="DF-15",
    module=Module.TARIFF,
    theme=Theme.ENERGY,
    title="在用客户连续多月零电量或电量过低",
    description="在用客户最近连续数月（含本月）每月电费账单电量均不超过规定值，可能存在人情电、关系电或表计故障。",
    source="「营销稽查规则（站规）」：在用客户连续零电量、低电量核查（人情电、关系电、权力电）",
    severity=Severity.MEDIUM,
    owner_role=Role.AUDITOR,
    deadline_days=15,
    params={
        "kwh": Param(0, 0, 100, "kWh", "月电量上限"),
        "months": Param(3, 2, 12, "月", "连续月数"),
    },
)
def zero_energy_active(ctx: RuleContext) -> Iterator[Hit]:
    months = ctx.int_param("months")
    first = month_add(ctx.month, -(months - 1))
    rows = (
        _month_bills(ctx, months)
        .filter(customer__status=CustomerStatus.ACTIVE)
        .values(
            "customer_id",
            "customer__name",
            "customer__account_number",
            "customer__station_id",
            "customer__area_id",
            "customer__category",
        )
        .annotate(n=Count("pk"), most=Max("energy_kwh"), last=Max("period"))
        .filter(n__gte=months, most__lte=ctx.params["kwh"], last=ctx.month)
    )
    for row in rows.iterator(chunk_size=5000):
        category = CustomerCategory(row["customer__category"]).label
        yield Hit(
            key=f"customer:{row['customer_id']}",
            station_id=row["customer__station_id"],
            area_id=row["customer__area_id"],
            customer_id=row["customer_id"],
            summary=(
                f"在用{category}客户{_customer_name(row)}{_month_label(first)}至{_month_label(ctx.month)}"
                f"连续{row['n']}个月电量不超过{_kwh(row['most'])}"
            ),
            evidence=[
                _customer_evidence(row),
                Evidence("客户状态", "在用"),
                Evidence("连续月数", f"{row['n']}个月"),
                Evidence("最高月电量", _kwh(row["most"])),
            ],
        )


@audit_rule(
    code="DF-16",
    module=Module.TARIFF,
    theme=Theme.FEES,
    title="电费账单未经审核发行或由编制人自审",
    description="已审核或已发行的电费账单没有审核人，或审核人即账单编制人（核算、审核未分离）。",
    source="「营销稽查规则（站规）」：电费发行前须经审核，编制与审核不得为同一人",
    severity=Severity.HIGH,
    owner_role=Role.STATION_HEAD,
    deadline_days=10,
    params={"months": Param(3, 1, 24, "月", "回溯月数")},
)
def bill_unchecked(ctx: RuleContext) -> Iterator[Hit]:
    rows = (
        _month_bills(ctx, ctx.int_param("months"))
        .exclude(status=BillStatus.DRAFT)
        .filter(Q(checked_by__isnull=True) | Q(checked_by_id=F("prepared_by_id")))
        .values(*BILL_FIELDS, "status", "checked_by_id", "prepared_by__full_name", "total_yuan")
    )
    for row in rows.iterator(chunk_size=5000):
        problem = "未经审核" if row["checked_by_id"] is None else "由编制人自行审核"
        status = BillStatus(row["status"]).label
        yield _bill_hit(
            row,
            f"{_customer_name(row)}{_month_label(row['period'])}账单（{_yuan(row['total_yuan'])}）{problem}即{status}",
            Evidence("账单状态", str(status)),
            Evidence("编制人", row["prepared_by__full_name"] or "未记录"),
            Evidence(
                "审核人",
                "无" if row["checked_by_id"] is None else (row["prepared_by__full_name"] or "编制人"),
            ),
        )


@audit_rule(
    code="DF-17",
    module=Module.TARIFF,
    theme=Theme.ENERGY,
    title="账单电量与抄见电量不符",
    description=(
        "本月账单计费电量与抄表示数计算的电量（本次示数−上次示数）×档案倍率相差超过规定值"
        "（不含计收变损、换表及示数翻转的账单）。"
    ),
    source="《供电营业规则》第八十三条（按计量装置记录计收电费）；「营销稽查规则（站规）」：账单电量与抄见电量一致",
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=10,
    params={
        "percent": Param(5, 1, 50, "%", "允许相差比例"),
        "kwh": Param(10, 1, 1000, "kWh", "允许相差电量"),
    },
)
def bill_energy_vs_readings(ctx: RuleContext) -> Iterator[Hit]:
    previous = MeterReading.objects.filter(
        meter_id=OuterRef("meter_id"), read_on__lt=OuterRef("read_on")
    ).order_by("-read_on")
    readings = (
        ctx.scoped(MeterReading.objects.filter(cycle__period=ctx.month, total__isnull=False))
        .annotate(start=Subquery(previous.values("total")[:1]))
        .values_list("customer_id", "total", "start", "meter__metering_point__multiplier")
    )
    metered: dict[int, Decimal | None] = {}
    for customer_id, total, start, multiplier in readings.iterator(chunk_size=5000):
        if start is None or total < start or metered.get(customer_id, 0) is None:
            metered[customer_id] = None  # no start, or a rollover: not compared
            continue
        metered[customer_id] = metered.get(customer_id, Decimal(0)) + (total - start) * multiplier
    exchanged = MeterExchange.objects.filter(
        customer_id=OuterRef("customer_id"),
        changed_on__gt=OuterRef("period_start"),
        changed_on__lte=OuterRef("period_end"),
    )
    bills = (
        _month_bills(ctx).exclude(inputs__has_key=LOSS_KEY).exclude(Exists(exchanged)).values(*BILL_FIELDS)
    )
    percent, slack = ctx.params["percent"], ctx.params["kwh"]
    for row in bills.iterator(chunk_size=5000):
        expected = metered.get(row["customer_id"])
        if expected is None:
            continue
        expected = expected.quantize(Decimal(1))
        gap = abs(row["energy_kwh"] - expected)
        if gap <= slack or gap * 100 <= percent * max(expected, Decimal(1)):
            continue
        yield _bill_hit(
            row,
            f"{_customer_name(row)}{_month_label(row['period'])}账单电量{_kwh(row['energy_kwh'])}，抄见电量{_kwh(expected)}",
            Evidence("账单电量", _kwh(row["energy_kwh"])),
            Evidence("抄见电量（示数差×档案倍率）", _kwh(expected)),
            Evidence("相差", _kwh(gap)),
        )
