"""Audit rules of metering (电能计量): CT sizing, wiring of three-phase three-wire meters, obsolete and
overdue meters, seals and sealing pliers, accounts without a meter, capacity above the contract.

Each rule's ``source`` is the one place that cites what it enforces. Station rules already in the rule
table (``rules.toml``: the CT band, the three-phase imbalance limit) are read from there on the audited
month's last day, not copied into the rule's thresholds.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from gridcheck.archive.choices import CustomerStatus, MeterPhase, MeterStatus
from gridcheck.archive.models import Meter, MeteringPoint
from gridcheck.audit.choices import Module, Schedule, Severity, Theme
from gridcheck.audit.engine import Evidence, Hit, Param, RuleContext, audit_rule
from gridcheck.audit.rules._format import aware as _aware
from gridcheck.audit.rules._format import day as _day
from gridcheck.audit.rules._format import who as _who
from gridcheck.audit.rules._links import customer_url, meter_url, metering_point_url
from gridcheck.billing.models import Bill, MeterExchange, MeterReading
from gridcheck.core.roles import Role
from gridcheck.core.rules import rule_value
from gridcheck.seals.choices import SealMovementKind, SealStatus
from gridcheck.seals.models import PliersLoan, Seal, SealBreak, SealMovement, SealUse

CHUNK = 5000
SQRT3 = math.sqrt(3)
#: Line voltage of each supply voltage level [kV] (single-phase 220 V: the phase voltage).
VOLTAGE_KV = {"220V": 0.22, "380V": 0.38, "10kV": 10.0, "35kV": 35.0}
#: Accuracy classes of transformer-rated meters that JJG 596-2012 verifies every 6 years (others: 8).
PRECISION_CLASSES = ("0.2S", "0.5S", "0.2", "0.5")
#: Accuracy classes of active-energy meters in use today (a class outside them is read and checked).
USUAL_CLASSES = (*PRECISION_CLASSES, "1", "1.0", "2", "2.0")


# ------------------------------------------------------------------------------------------- helpers


def _num(value, digits: int = 0) -> str:
    return f"{float(value):,.{digits}f}"


def load_current_a(kva: float, voltage_level: str) -> float | None:
    """The current [A] of an apparent power ``kva`` at a supply voltage level: S / U single-phase 220 V,
    S / (sqrt(3) U) otherwise (on the side the CT measures: the supply voltage)."""
    kv = VOLTAGE_KV.get(voltage_level)
    if not kv or kva is None:
        return None
    return float(kva) / ((1.0 if voltage_level == "220V" else SQRT3) * kv)


def _accuracy(value: str) -> float | None:
    try:
        return float(str(value).upper().rstrip("S").strip())
    except ValueError:
        return None


# ------------------------------------------------------------------------------------------- JL-01
def ct_load_rows(ctx: RuleContext, *, customer_ids=None) -> Iterator[dict]:
    """The CT-metered points of active customers with their load current and CT load [%].

    The load is the month's maximum demand where the meter records one (converted to kVA with the
    ``power_factor`` threshold), else the contracted capacity; the current is taken at the supply
    voltage, the side the CT sits on.
    """
    demand = (
        MeterReading.objects.filter(
            meter__metering_point=OuterRef("pk"), cycle__period=ctx.month, max_demand_kw__isnull=False
        )
        .order_by("-max_demand_kw")
        .values("max_demand_kw")[:1]
    )
    points = ctx.scoped(
        MeteringPoint.objects.filter(
            ct_primary_a__isnull=False, customer__status=CustomerStatus.ACTIVE
        ).filter(Exists(Meter.objects.filter(metering_point=OuterRef("pk"), status=MeterStatus.IN_SERVICE))),
        "customer__area",
        "customer__station",
    )
    if customer_ids is not None:
        points = points.filter(customer_id__in=list(customer_ids))
    rows = points.annotate(demand_kw=Subquery(demand)).values(
        "pk",
        "code",
        "ct_primary_a",
        "ct_ratio",
        "demand_kw",
        "customer_id",
        "customer__name",
        "customer__account_number",
        "customer__station_id",
        "customer__area_id",
        "customer__voltage_level",
        "customer__contracted_capacity_kva",
    )
    power_factor = float(ctx.params["power_factor"])
    for row in rows.iterator(chunk_size=CHUNK):
        if row["demand_kw"] is not None:
            kva = float(row["demand_kw"]) / power_factor
            row["basis"] = f"本月最大需量{_num(row['demand_kw'], 1)} kW（按功率因数{power_factor:.2f}折算）"
        else:
            kva = float(row["customer__contracted_capacity_kva"])
            row["basis"] = f"合同容量{_num(kva, 0)} kVA"
        current = load_current_a(kva, row["customer__voltage_level"])
        if current is None or not row["ct_primary_a"]:
            continue
        row["current_a"] = current
        row["load_percent"] = current * 100.0 / float(row["ct_primary_a"])
        yield row


@audit_rule(
    code="JL-01",
    module=Module.METERING,
    theme=Theme.ENERGY,
    title="电流互感器负载率超出30%～100%",
    description=(
        "经电流互感器计量的客户，其负荷电流（本月最大需量，无需量记录时按合同容量）不在互感器额定一次电流的"
        "30%～100%之间：过低则计量误差偏负、少计电量，过高则互感器饱和，需核查互感器选型或是否擅自更换。"
    ),
    source=(
        "「营销稽查规则（站规）」计量、封印与普查一节：正常负荷电流应在电流互感器额定一次电流的30%～100%之间"
        "（低于20%误差偏负，高于120%铁芯饱和）；限值取规则表中电流互感器负荷电流下限、上限两行的现行值"
    ),
    severity=Severity.MEDIUM,
    owner_role=Role.STATION_HEAD,
    deadline_days=30,
    schedule=Schedule.MONTHLY,
    params={"power_factor": Param("0.9", "0.5", "1", "", "最大需量折算视在功率所用的功率因数")},
)
def ct_load_out_of_band(ctx: RuleContext) -> Iterator[Hit]:
    low = float(rule_value("detection.ct_min_percent", ctx.month_end))
    high = float(rule_value("detection.ct_max_percent", ctx.month_end))
    band = f"{low:.0f}%～{high:.0f}%"
    for row in ct_load_rows(ctx):
        pct = row["load_percent"]
        if low <= pct <= high:
            continue
        side = f"低于{low:.0f}%" if pct < low else f"高于{high:.0f}%"
        ct = _num(row["ct_primary_a"], 0)
        yield Hit(
            key=f"metering-point:{row['pk']}",
            station_id=row["customer__station_id"],
            area_id=row["customer__area_id"],
            customer_id=row["customer_id"],
            summary=(
                f"{_who(row, 'customer__')}计量点{row['code']}负荷电流约{_num(row['current_a'], 1)} A，"
                f"为互感器额定一次电流{ct} A的{pct:.1f}%，{side}"
            ),
            evidence=[
                Evidence("客户", _who(row, "customer__"), customer_url(row["customer_id"])),
                Evidence("计量点", row["code"], metering_point_url(row["pk"])),
                Evidence("互感器额定一次电流", f"{ct} A（变比{_num(row['ct_ratio'], 0)}）"),
                Evidence("负荷依据", row["basis"]),
                Evidence("负荷电流", f"{_num(row['current_a'], 1)} A"),
                Evidence("互感器负载率", f"{pct:.1f}%（应在{band}之间）"),
            ],
        )


# ------------------------------------------------------------------------------------------- JL-02
def three_wire_meters(ctx: RuleContext):
    """In-service three-phase three-wire meters (3×100 V: two elements, behind a PT) of active customers."""
    return ctx.scoped(
        Meter.objects.filter(
            status=MeterStatus.IN_SERVICE,
            phase=MeterPhase.THREE,
            rated_voltage_v=Decimal("100"),
            metering_point__customer__status=CustomerStatus.ACTIVE,
        ),
        "metering_point__customer__area",
        "metering_point__customer__station",
    )


def _imbalance_from_meter_data(month: datetime.date, asset_numbers: list[str]) -> dict[str, dict]:
    """Per meter: the month's current-imbalance events and the imbalance of its mean phase currents
    from the load curves (where the curves carry at least two phases). Reads only the month's files."""
    from gridcheck.readings.selectors import meter_store

    out: dict[str, dict] = {}
    if not asset_numbers:
        return out
    store = meter_store()
    key = f"{month:%Y-%m}"
    wanted = set(asset_numbers)
    events = store.read("events", [key])
    if len(events):
        events = events[(events["event_code"] == "current_imbalance") & events["meter_id"].isin(wanted)]
        for meter_id, count in events.groupby("meter_id").size().items():
            out.setdefault(str(meter_id), {})["events"] = int(count)
    paths = store.paths("curves", [key])
    if paths:
        import duckdb

        con = duckdb.connect()
        try:
            con.execute("CREATE TEMP TABLE wanted (meter_id VARCHAR)")
            con.executemany("INSERT INTO wanted VALUES (?)", [(m,) for m in wanted])
            frame = con.execute(
                "SELECT c.meter_id, avg(c.current_a_a) AS a, avg(c.current_b_a) AS b, avg(c.current_c_a) AS c "
                "FROM read_parquet(?, union_by_name = true) c JOIN wanted w USING (meter_id) GROUP BY 1",
                [paths],
            ).fetchall()
        except duckdb.Error:  # curves without per-phase columns: nothing to compare
            frame = []
        finally:
            con.close()
        for meter_id, *phases in frame:
            values = [float(v) for v in phases if v is not None]
            if len(values) >= 2 and max(values) > 0:
                ratio = (max(values) - min(values)) / max(values)
                out.setdefault(str(meter_id), {})["imbalance"] = ratio
    return out


@audit_rule(
    code="JL-02",
    module=Module.METERING,
    theme=Theme.ENERGY,
    title="三相三线（两元件）电能表计量不平衡负荷",
    description=(
        "三相三线（3×100 V两元件）电能表所计量的负荷三相不平衡：本月采集系统报电流不平衡事件，"
        "或负荷曲线各相平均电流的不平衡率超过限值。含单相负荷的不平衡负荷不应采用三相两元件电能表计量，"
        "否则产生附加误差、少计电量。"
    ),
    source=(
        "《电能计量装置技术管理规程》（DL/T 448）；「营销稽查规则（站规）」计量一节：有单相负荷的三相不平衡负荷"
        "不宜采用三相两元件电能表计量；不平衡率限值取规则表中“三相不平衡率限值”一行的现行值"
    ),
    severity=Severity.MEDIUM,
    owner_role=Role.STATION_HEAD,
    deadline_days=30,
    schedule=Schedule.MONTHLY,
)
def three_wire_meter_unbalanced(ctx: RuleContext) -> Iterator[Hit]:
    limit = float(rule_value("lineloss.imbalance_fraction", ctx.month_end))
    meters = {
        row["asset_number"]: row
        for row in three_wire_meters(ctx)
        .values(
            "pk",
            "asset_number",
            "metering_point__customer_id",
            "metering_point__customer__name",
            "metering_point__customer__account_number",
            "metering_point__customer__station_id",
            "metering_point__customer__area_id",
        )
        .iterator(chunk_size=CHUNK)
    }
    found = _imbalance_from_meter_data(ctx.month, list(meters))
    for asset, data in sorted(found.items()):
        row = meters.get(asset)
        events, ratio = data.get("events", 0), data.get("imbalance")
        if row is None or not (events or (ratio is not None and ratio > limit)):
            continue
        who = _who(row, "metering_point__customer__")
        signs = []
        if events:
            signs.append(f"本月电流不平衡事件{events}次")
        if ratio is not None and ratio > limit:
            signs.append(f"各相平均电流不平衡率{ratio * 100:.1f}%（限值{limit * 100:.0f}%）")
        yield Hit(
            key=f"meter:{row['pk']}",
            station_id=row["metering_point__customer__station_id"],
            area_id=row["metering_point__customer__area_id"],
            customer_id=row["metering_point__customer_id"],
            summary=f"{who}三相三线电能表{asset}计量不平衡负荷：{'；'.join(signs)}",
            evidence=[
                Evidence("客户", who, customer_url(row["metering_point__customer_id"])),
                Evidence("电能表", f"{asset}（三相三线3×100 V）", meter_url(row["pk"])),
                *[Evidence("采集数据", sign) for sign in signs],
            ],
        )


# ------------------------------------------------------------------------------------------- JL-03
@audit_rule(
    code="JL-03",
    module=Module.METERING,
    theme=Theme.ENERGY,
    title="在运电能表属淘汰型号",
    description=(
        "在运电能表属应淘汰的型号：准确度等级低于2.0级，或过载倍数（最大电流/基本电流）低于规定倍数的窄量程表，"
        "或安装年份早于智能电能表推广年份。"
    ),
    source=(
        "《电能计量装置技术管理规程》（DL/T 448）：有功电能表准确度等级不低于2.0级；直接接入式电能表宜选用过载4倍"
        "及以上的电能表；国家电网公司《智能电能表功能规范》（Q/GDW 354-2009）起推广智能电能表"
    ),
    severity=Severity.LOW,
    owner_role=Role.STATION_HEAD,
    deadline_days=60,
    schedule=Schedule.MONTHLY,
    params={
        "before_year": Param(2009, 1990, 2030, "年", "安装年份早于此年的电能表为淘汰型号"),
        "min_overload": Param(4, 2, 20, "倍", "过载倍数（最大电流/基本电流）下限"),
    },
)
def obsolete_meters(ctx: RuleContext) -> Iterator[Hit]:
    before = datetime.date(ctx.int_param("before_year"), 1, 1)
    min_overload = ctx.params["min_overload"]
    candidates = ctx.scoped(
        Meter.objects.filter(
            status=MeterStatus.IN_SERVICE, metering_point__customer__status=CustomerStatus.ACTIVE
        ),
        "metering_point__customer__area",
        "metering_point__customer__station",
    ).filter(
        # accuracy classes are text: any class outside the usual ones is checked below
        Q(install_date__lt=before)
        | Q(max_current_a__lt=F("rated_current_a") * min_overload)
        | ~Q(accuracy_class__in=USUAL_CLASSES)
    )
    rows = candidates.values(
        "pk",
        "asset_number",
        "accuracy_class",
        "rated_current_a",
        "max_current_a",
        "install_date",
        "manufacturer",
        "metering_point__customer_id",
        "metering_point__customer__name",
        "metering_point__customer__account_number",
        "metering_point__customer__station_id",
        "metering_point__customer__area_id",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        reasons = []
        accuracy = _accuracy(row["accuracy_class"])
        if accuracy is not None and accuracy > 2.0:
            reasons.append(f"准确度等级{row['accuracy_class']}级低于2.0级")
        if row["max_current_a"] and row["rated_current_a"]:
            overload = row["max_current_a"] / row["rated_current_a"]
            if overload < min_overload:
                reasons.append(f"过载倍数{_num(overload, 1)}倍，低于{_num(min_overload)}倍")
        if row["install_date"] and row["install_date"] < before:
            reasons.append(f"{row['install_date']:%Y}年安装，早于{before:%Y}年")
        if not reasons:
            continue
        who = _who(row, "metering_point__customer__")
        rating = f"{_num(row['rated_current_a'], 1)}({_num(row['max_current_a'] or 0, 0)})A"
        yield Hit(
            key=f"meter:{row['pk']}",
            station_id=row["metering_point__customer__station_id"],
            area_id=row["metering_point__customer__area_id"],
            customer_id=row["metering_point__customer_id"],
            summary=f"{who}在运电能表{row['asset_number']}属淘汰型号：{'；'.join(reasons)}",
            evidence=[
                Evidence("客户", who, customer_url(row["metering_point__customer_id"])),
                Evidence("电能表", row["asset_number"], meter_url(row["pk"])),
                Evidence("准确度等级", f"{row['accuracy_class']}级"),
                Evidence("电流规格", rating),
                Evidence("制造厂", row["manufacturer"] or "未登记"),
                Evidence("安装日期", _day(row["install_date"]) if row["install_date"] else "未登记"),
                Evidence("淘汰原因", "；".join(reasons)),
            ],
        )


# ------------------------------------------------------------------------------------------- JL-04
@audit_rule(
    code="JL-04",
    module=Module.METERING,
    theme=Theme.ENERGY,
    title="电能表超期未轮换（检定超期）",
    description=(
        "在运电能表自安装之日起的运行年限已超过其检定（轮换）周期仍未轮换：0.2S、0.5S级表超过6年，"
        "1级、2级表超过8年（年限可调）。"
    ),
    source=(
        "《电子式交流电能表检定规程》（JJG 596-2012）检定周期：0.2S级、0.5S级有功电能表一般不超过6年，"
        "1级、2级有功电能表一般不超过8年；《电能计量装置技术管理规程》（DL/T 448）运行电能表到期轮换"
    ),
    severity=Severity.MEDIUM,
    owner_role=Role.STATION_HEAD,
    deadline_days=90,
    schedule=Schedule.MONTHLY,
    params={
        "precision_years": Param(6, 1, 16, "年", "0.2S、0.5S级电能表的检定（轮换）周期"),
        "other_years": Param(8, 1, 16, "年", "1级、2级电能表的检定（轮换）周期"),
    },
)
def verification_overdue(ctx: RuleContext) -> Iterator[Hit]:
    end = ctx.month_end
    precision_years, other_years = ctx.int_param("precision_years"), ctx.int_param("other_years")

    def years_before(years: int) -> datetime.date:
        try:
            return end.replace(year=end.year - years)
        except ValueError:  # 29 February
            return end.replace(year=end.year - years, day=28)

    precision_cut, other_cut = years_before(precision_years), years_before(other_years)
    meters = ctx.scoped(
        Meter.objects.filter(
            status=MeterStatus.IN_SERVICE,
            metering_point__customer__status=CustomerStatus.ACTIVE,
            install_date__isnull=False,
        ),
        "metering_point__customer__area",
        "metering_point__customer__station",
    ).filter(
        Q(accuracy_class__in=PRECISION_CLASSES, install_date__lt=precision_cut)
        | (~Q(accuracy_class__in=PRECISION_CLASSES) & Q(install_date__lt=other_cut))
    )
    rows = meters.values(
        "pk",
        "asset_number",
        "accuracy_class",
        "install_date",
        "metering_point__customer_id",
        "metering_point__customer__name",
        "metering_point__customer__account_number",
        "metering_point__customer__station_id",
        "metering_point__customer__area_id",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        period = precision_years if row["accuracy_class"] in PRECISION_CLASSES else other_years
        age = (end - row["install_date"]).days / 365.25
        who = _who(row, "metering_point__customer__")
        yield Hit(
            key=f"meter:{row['pk']}",
            station_id=row["metering_point__customer__station_id"],
            area_id=row["metering_point__customer__area_id"],
            customer_id=row["metering_point__customer_id"],
            summary=(
                f"{who}电能表{row['asset_number']}（{row['accuracy_class']}级）{_day(row['install_date'])}安装，"
                f"已运行{age:.1f}年，超过{period}年轮换周期"
            ),
            evidence=[
                Evidence("客户", who, customer_url(row["metering_point__customer_id"])),
                Evidence("电能表", row["asset_number"], meter_url(row["pk"])),
                Evidence("准确度等级", f"{row['accuracy_class']}级"),
                Evidence("安装日期", _day(row["install_date"])),
                Evidence("运行年限", f"{age:.1f}年（截至{_day(end)}）"),
                Evidence("检定（轮换）周期", f"{period}年"),
            ],
        )


# ------------------------------------------------------------------------------------------- JL-05
@audit_rule(
    code="JL-05",
    module=Module.METERING,
    theme=Theme.ENERGY,
    title="换表或新装未留加封记录",
    description=(
        "本月的换表（含倍率变更）或新装客户，其电能表没有加封记录（封印使用登记）：计量装置应加封，"
        "加封须登记封印、加封人、时间和原因。"
    ),
    source=(
        "「营销稽查规则（站规）」计量、封印与普查一节：每块电能表均须加封，换表、新装工作结束后加封并登记；"
        "《供电营业规则》第七十七条（计量装置由供电企业加封）"
    ),
    severity=Severity.HIGH,
    owner_role=Role.STATION_HEAD,
    deadline_days=7,
    schedule=Schedule.MONTHLY,
)
def meter_work_without_seal(ctx: RuleContext) -> Iterator[Hit]:
    first, last = ctx.month, ctx.month_end
    # A seal put on the new meter on or after the day of the change (local date).
    sealed_new = SealUse.objects.filter(
        meter_id=OuterRef("new_meter_id"), used_at__date__gte=OuterRef("changed_on")
    )
    exchanges = (
        ctx.scoped(MeterExchange.objects.filter(changed_on__range=(first, last)), "customer__area")
        .filter(~Exists(sealed_new))
        .values(
            "pk",
            "changed_on",
            "new_meter_id",
            "new_meter__asset_number",
            "old_meter__asset_number",
            "customer_id",
            "customer__name",
            "customer__account_number",
            "station_id",
            "customer__area_id",
        )
    )
    for row in exchanges.iterator(chunk_size=CHUNK):
        who = _who(row, "customer__")
        yield Hit(
            key=f"exchange:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["customer__area_id"],
            customer_id=row["customer_id"],
            summary=f"{who}于{_day(row['changed_on'])}换表（{row['old_meter__asset_number']}→"
            f"{row['new_meter__asset_number']}），新表无加封记录",
            evidence=[
                Evidence("客户", who, customer_url(row["customer_id"])),
                Evidence("换表日期", _day(row["changed_on"])),
                Evidence("新电能表", row["new_meter__asset_number"], meter_url(row["new_meter_id"])),
                Evidence("加封记录", "无"),
            ],
        )
    sealed = SealUse.objects.filter(meter__metering_point__customer=OuterRef("pk"))
    metered = Meter.objects.filter(metering_point__customer=OuterRef("pk"), status=MeterStatus.IN_SERVICE)
    connections = (
        ctx.customers()
        .filter(connected_on__range=(first, last))
        .exclude(status=CustomerStatus.CLOSED)
        .filter(Exists(metered))
        .filter(~Exists(sealed))
        .values("pk", "name", "account_number", "connected_on", "station_id", "area_id")
    )
    for row in connections.iterator(chunk_size=CHUNK):
        who = _who(row)
        yield Hit(
            key=f"connection:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["pk"],
            summary=f"{who}于{_day(row['connected_on'])}新装接电，电能表无加封记录",
            evidence=[
                Evidence("客户", who, customer_url(row["pk"])),
                Evidence("接电日期", _day(row["connected_on"])),
                Evidence("加封记录", "无"),
            ],
        )


# ------------------------------------------------------------------------------------------- JL-06
@audit_rule(
    code="JL-06",
    module=Module.METERING,
    theme=Theme.LOSS,
    title="封钳借出逾期未归还",
    description="防撬封钳借出后超过规定天数仍未归还：封钳由营销专责保管，工作负责人领用后应在工作结束后及时归还。",
    source=(
        "「营销稽查规则（站规）」计量、封印与普查一节：防撬封钳由营销专责保管，工作负责人为普查、检查、换表、"
        "新装领用，工作结束后归还"
    ),
    severity=Severity.MEDIUM,
    owner_role=Role.STATION_HEAD,
    deadline_days=3,
    schedule=Schedule.NIGHTLY,
    params={"return_days": Param(3, 1, 60, "天", "借出后应归还的天数")},
)
def pliers_not_returned(ctx: RuleContext) -> Iterator[Hit]:
    if ctx.area_ids is not None:
        return  # pliers belong to a station, not to an area: not part of an area-themed run
    cutoff = _aware(ctx.on) - datetime.timedelta(days=ctx.int_param("return_days"))
    loans = ctx.scoped(
        PliersLoan.objects.filter(returned_at__isnull=True, issued_at__lt=cutoff), None, "pliers__station"
    ).values(
        "pk",
        "pliers__code",
        "pliers__station_id",
        "issued_at",
        "purpose",
        "issued_to__username",
        "issued_to__full_name",
    )
    for row in loans.iterator(chunk_size=CHUNK):
        days = (ctx.on - timezone.localtime(row["issued_at"]).date()).days
        person = row["issued_to__full_name"] or row["issued_to__username"]
        yield Hit(
            key=f"pliers-loan:{row['pk']}",
            station_id=row["pliers__station_id"],
            summary=f"封钳{row['pliers__code']}于{_day(row['issued_at'])}借给{person}，已{days}天未归还",
            evidence=[
                Evidence("封钳", row["pliers__code"], reverse("seals:pliers_list")),
                Evidence("领用人", person),
                Evidence("领用时间", _day(row["issued_at"])),
                Evidence("用途", row["purpose"]),
                Evidence("已借出", f"{days}天"),
            ],
        )


# ------------------------------------------------------------------------------------------- JL-07
@audit_rule(
    code="JL-07",
    module=Module.METERING,
    theme=Theme.LOSS,
    title="封印领用后逾期未使用或退回",
    description=("封印发给个人后超过规定天数，既无加封使用、也无拆封或损坏登记、也未退回库存，去向不明。"),
    source=(
        "「营销稽查规则（站规）」计量、封印与普查一节：封印按批次编号入库，领用到人，每枚封印的使用（加封）、"
        "拆封或退回均须登记"
    ),
    severity=Severity.MEDIUM,
    owner_role=Role.STATION_HEAD,
    deadline_days=15,
    schedule=Schedule.MONTHLY,
    params={"unused_days": Param(30, 1, 365, "天", "领用后应使用或退回的天数")},
)
def seals_unaccounted(ctx: RuleContext) -> Iterator[Hit]:
    if ctx.area_ids is not None:
        return  # seals in a person's hands belong to a station, not to an area
    cutoff = _aware(ctx.on) - datetime.timedelta(days=ctx.int_param("unused_days"))
    seals = (
        ctx.scoped(Seal.objects.filter(status=SealStatus.ISSUED), None, "station")
        .annotate(
            issued_at=Subquery(
                SealMovement.objects.filter(seal=OuterRef("pk"), kind=SealMovementKind.ISSUE)
                .order_by("-at")
                .values("at")[:1]
            )
        )
        .filter(issued_at__lt=cutoff)
        .filter(~Exists(SealUse.objects.filter(seal=OuterRef("pk"))))
        .filter(~Exists(SealBreak.objects.filter(seal=OuterRef("pk"), at__gte=OuterRef("issued_at"))))
        .values("pk", "number", "station_id", "issued_at", "holder__username", "holder__full_name")
    )
    for row in seals.iterator(chunk_size=CHUNK):
        days = (ctx.on - timezone.localtime(row["issued_at"]).date()).days
        person = row["holder__full_name"] or row["holder__username"]
        yield Hit(
            key=f"seal:{row['pk']}",
            station_id=row["station_id"],
            summary=f"封印{row['number']}于{_day(row['issued_at'])}发给{person}，{days}天无使用或退回记录",
            evidence=[
                Evidence("封印", row["number"], reverse("seals:seal_detail", args=[row["pk"]])),
                Evidence("领用人", person),
                Evidence("领用时间", _day(row["issued_at"])),
                Evidence("已领用", f"{days}天"),
            ],
        )


# ------------------------------------------------------------------------------------------- JL-08
@audit_rule(
    code="JL-08",
    module=Module.METERING,
    theme=Theme.ENERGY,
    title="在用客户无在运电能表（无表用电）",
    description="在用客户的计量点下没有一块在运电能表，用电未经计量（无表用电）。",
    source=(
        "《供电营业规则》第七十四条（用电计量装置原则上装在供电设施的产权分界处，用户用电均应装表计量）；"
        "「营销稽查规则（站规）」电价一节：一律装表计量，不得有人情电、关系电、权力电"
    ),
    severity=Severity.HIGH,
    owner_role=Role.INSPECTOR,
    deadline_days=7,
    schedule=Schedule.NIGHTLY,
)
def accounts_without_meter(ctx: RuleContext) -> Iterator[Hit]:
    metered = Meter.objects.filter(metering_point__customer=OuterRef("pk"), status=MeterStatus.IN_SERVICE)
    customers = (
        ctx.customers()
        .filter(status=CustomerStatus.ACTIVE)
        .filter(Q(connected_on__isnull=True) | Q(connected_on__lte=ctx.month_end))
        .filter(~Exists(metered))
        .annotate(
            removed=Subquery(
                Meter.objects.filter(metering_point__customer=OuterRef("pk"))
                .order_by("-install_date", "-pk")
                .values("asset_number")[:1]
            )
        )
        .values("pk", "name", "account_number", "station_id", "area_id", "removed")
    )
    for row in customers.iterator(chunk_size=CHUNK):
        who = _who(row)
        yield Hit(
            key=f"customer:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["pk"],
            summary=f"{who}为在用客户，但无在运电能表",
            evidence=[
                Evidence("客户", who, customer_url(row["pk"])),
                Evidence("客户状态", "在用"),
                Evidence("在运电能表", "无"),
                Evidence("最近一块电能表", f"{row['removed']}（已拆除）" if row["removed"] else "无"),
            ],
        )


# ------------------------------------------------------------------------------------------- JL-09
@audit_rule(
    code="JL-09",
    module=Module.METERING,
    theme=Theme.PRICE,
    title="用电容量超过合同容量（超容）",
    description=(
        "客户本月最大需量，或按本月结算电量折算的平均负荷，超过合同约定容量的规定比例：疑似私增容量，"
        "应现场核查并按违约用电处理。"
    ),
    source="《供电营业规则》第一百条第2项（私自超过合同约定的容量用电）；《电力供应与使用条例》第三十条",
    severity=Severity.HIGH,
    owner_role=Role.INSPECTOR,
    deadline_days=15,
    schedule=Schedule.MONTHLY,
    params={
        "demand_percent": Param(100, 50, 300, "%", "最大需量超过合同容量的比例"),
        "average_percent": Param(100, 10, 300, "%", "平均负荷超过合同容量的比例"),
    },
)
def capacity_above_contract(ctx: RuleContext) -> Iterator[Hit]:
    demand_share = ctx.params["demand_percent"] / 100
    average_share = ctx.params["average_percent"] / 100
    found: dict[int, dict] = {}
    readings = (
        ctx.scoped(
            MeterReading.objects.filter(
                cycle__period=ctx.month,
                max_demand_kw__isnull=False,
                customer__status=CustomerStatus.ACTIVE,
            )
        )
        .order_by()  # the default ordering would join the grouping
        .values(
            "customer_id",
            "customer__name",
            "customer__account_number",
            "customer__contracted_capacity_kva",
            "customer__station_id",
            "customer__area_id",
        )
        .annotate(demand=Max("max_demand_kw"))
        .filter(demand__gt=F("customer__contracted_capacity_kva") * demand_share)
    )
    for row in readings.iterator(chunk_size=CHUNK):
        entry = found.setdefault(row["customer_id"], {"row": row, "signs": []})
        capacity = row["customer__contracted_capacity_kva"]
        entry["signs"].append(
            Evidence(
                "本月最大需量",
                f"{_num(row['demand'], 1)} kW，为合同容量的{row['demand'] * 100 / capacity:.1f}%",
            )
        )
    # One day's energy at full contracted capacity is the cheapest bound in SQL; the period decides.
    bills = (
        ctx.scoped(Bill.objects.filter(period=ctx.month, customer__status=CustomerStatus.ACTIVE))
        .filter(energy_kwh__gt=F("customer__contracted_capacity_kva") * 24 * average_share)
        .values(
            "pk",
            "number",
            "energy_kwh",
            "period_start",
            "period_end",
            "customer_id",
            "customer__name",
            "customer__account_number",
            "customer__contracted_capacity_kva",
            "customer__station_id",
            "customer__area_id",
        )
    )
    for row in bills.iterator(chunk_size=CHUNK):
        hours = max((row["period_end"] - row["period_start"]).days, 1) * 24
        average = row["energy_kwh"] / hours
        capacity = row["customer__contracted_capacity_kva"]
        if average <= capacity * average_share:
            continue
        entry = found.setdefault(row["customer_id"], {"row": row, "signs": []})
        entry["signs"].append(
            Evidence(
                "本月结算电量",
                f"{_num(row['energy_kwh'])} kWh（{hours // 24}天），平均负荷{_num(average, 1)} kW，"
                f"为合同容量的{average * 100 / capacity:.1f}%",
                reverse("billing:bill_detail", args=[row["pk"]]),
            )
        )
    for customer_id, entry in sorted(found.items()):
        row = entry["row"]
        who = _who(row, "customer__")
        capacity = _num(row["customer__contracted_capacity_kva"], 0)
        yield Hit(
            key=f"customer:{customer_id}",
            station_id=row["customer__station_id"],
            area_id=row["customer__area_id"],
            customer_id=customer_id,
            summary=f"{who}合同容量{capacity} kVA，{ctx.month:%Y年%m月}用电负荷超过合同容量",
            evidence=[
                Evidence("客户", who, customer_url(customer_id)),
                Evidence("合同容量", f"{capacity} kVA"),
                *entry["signs"],
            ],
        )
