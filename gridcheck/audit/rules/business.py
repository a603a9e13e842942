"""Audit rules of business acceptance and collection (营业受理): reversals, favour and staff accounts,
arrears never dunned, several accounts at one address, late fees waived, receipts, disconnections for
arrears, the month close, prepaid accounts, new connections never billed, customers out of reading books.

Each rule's ``source`` is the one place that cites what it enforces.

Windows. A rule about an event (a reversal asked for, a bill settled, a payment received or posted, a cut)
looks at the events from the first day of the audited month up to the run's day (``_window``): a later
month's run does not find them again (a closed finding found again would open a new one). A rule about
a state (arrears, a prepaid balance, an account out of the reading books) looks at the state on the run's
day, and finds it again for as long as it lasts.

Facts without an area (receipt stock, its cancellations) are station-level: a themed run of one area
(按台区主题稽查) does not report them.

Contracts and temporary supply (合同到期、缺条款、无合同供电、临时用电超期) have no data yet (the contracts
issue is not built): their rules are left out until it lands.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from gridcheck.archive.choices import CustomerCategory, CustomerStatus
from gridcheck.archive.models import Customer
from gridcheck.audit.choices import Module, Schedule, Severity, Theme
from gridcheck.audit.engine import Evidence, Hit, Param, RuleContext, audit_rule
from gridcheck.audit.rules._format import bill_url as _bill_url
from gridcheck.audit.rules._format import day as _day
from gridcheck.audit.rules._format import kwh as _kwh
from gridcheck.audit.rules._format import yuan as _yuan
from gridcheck.audit.rules._links import area_url, customer_url
from gridcheck.billing.choices import ChangeStatus
from gridcheck.billing.models import Bill, BillAdjustment, BookArea
from gridcheck.collection.choices import (
    DecisionStatus,
    DisconnectionStatus,
    PaymentChannel,
    ReceivableStatus,
    StockKind,
)
from gridcheck.collection.models import (
    CollectionPolicy,
    Disconnection,
    DunningNotice,
    MonthClose,
    Payment,
    ReceiptCancellation,
    ReceiptStock,
    Receivable,
    Reversal,
)
from gridcheck.core.periods import month_add
from gridcheck.core.roles import Role
from gridcheck.core.rules import rule_int, rule_value

#: Channels where a person takes the money and hands over a paper (or electronic) receipt.
HANDED_CHANNELS = (PaymentChannel.COUNTER, PaymentChannel.RURAL_ELECTRICIAN, PaymentChannel.AGENT_POINT)

#: Defaults of the thresholds the demo injectors build against (the rules' ``params``).
FAVOUR_MONTHS = 3
STAFF_LOW_KWH = 10
ADDRESS_MIN_ACCOUNTS = 3
CANCELLATION_DAYS = 7
NEW_CONNECTION_DAYS = 60

#: Characters an address is written with in different ways: dropped before addresses are compared.
ADDRESS_DROPPED = (
    " ",
    "\u3000",
    "-",
    "－",
    "—",
    "_",
    "#",
    "＃",
    ",",
    "，",
    ".",
    "。",
    "、",
    "(",
    ")",
    "（",
    "）",
)
#: Full-width digits, compared as their half-width forms.
FULL_WIDTH_DIGITS = tuple(zip("０１２３４５６７８９", "0123456789", strict=True))


# ------------------------------------------------------------------------------------------- helpers


def _person(full_name: str | None, username: str | None) -> str:
    return full_name or username or "—"


def _who(row: dict, prefix: str = "customer__") -> str:
    return f"{row[prefix + 'name']}（{row[prefix + 'account_number']}）"


def _end_day(ctx: RuleContext) -> datetime.date:
    """The last day of a rule's window: the run's day (the month's end when run before the month)."""
    return ctx.on if ctx.on >= ctx.month else ctx.month_end


def _window(ctx: RuleContext) -> tuple[datetime.datetime, datetime.datetime]:
    """The moments of the window: from the audited month's first day to the end of the run's day (local)."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(ctx.month, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(_end_day(ctx) + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return start, end


def _station_only(ctx: RuleContext, queryset, station_field: str):
    """Station-level facts (no area): none in a themed run of areas, else the run's stations."""
    if ctx.area_ids is not None:
        return queryset.none()
    if ctx.station_ids is not None:
        queryset = queryset.filter(**{f"{station_field}__in": ctx.station_ids})
    return queryset


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def address_normalised_python(address: str) -> str:
    """An address as the rule YY-04 compares it: no spaces or punctuation, half-width digits, upper case."""
    text = (address or "").strip().upper()
    for char in ADDRESS_DROPPED:
        text = text.replace(char, "")
    for full, half in FULL_WIDTH_DIGITS:
        text = text.replace(full, half)
    return text


def address_key(area_id: int, normalised: str) -> str:
    digest = hashlib.sha1(normalised.encode("utf-8")).hexdigest()[:16]
    return f"address:{area_id}:{digest}"


def _closes(ctx: RuleContext):
    """The month closes of the run's stations (a station-level table: every station for a themed run)."""
    closes = MonthClose.objects.all()
    if ctx.station_ids is not None:
        closes = closes.filter(station_id__in=ctx.station_ids)
    return closes


def _payment_url(pk: int) -> str:
    return reverse("collection:payment_detail", args=[pk])


def _reversal_url(pk: int) -> str:
    return reverse("collection:reversal_detail", args=[pk])


def _account_url(customer_id: int) -> str:
    return reverse("collection:account_detail", args=[customer_id])


# ------------------------------------------------------------------------------------ YY-01 reversal
@audit_rule(
    code="YY-01",
    module=Module.BUSINESS,
    theme=Theme.FEES,
    title="收费后超期冲正",
    description=(
        "冲正（冲帐）申请距原收费日超过站规允许的天数，"
        "存在借冲正截留、挪用电费的风险，应核实冲正原因、原始票据与审批。已驳回的申请不列入。"
    ),
    source="「营销稽查规则（站规）」：收费后超过2天冲正的列为可疑冲帐",
    severity=Severity.HIGH,
    owner_role=Role.STATION_HEAD,
    deadline_days=10,
    schedule=Schedule.NIGHTLY,
)
def late_reversal(ctx: RuleContext) -> Iterator[Hit]:
    start, end = _window(ctx)
    rows = (
        ctx.scoped(Reversal.objects.filter(created_at__gte=start, created_at__lt=end))
        .exclude(status=DecisionStatus.REJECTED)
        .values(
            "pk",
            "created_at",
            "status",
            "station_id",
            "area_id",
            "reason",
            "requested_by__full_name",
            "requested_by__username",
            "payment_id",
            "payment__number",
            "payment__amount_yuan",
            "payment__received_on",
            "payment__customer_id",
            "payment__customer__name",
            "payment__customer__account_number",
        )
    )
    limits: dict[datetime.date, int] = {}
    for row in rows.iterator(chunk_size=2000):
        received = row["payment__received_on"]
        if received not in limits:
            limits[received] = rule_int("collection.reversal_suspicious_after_days", received)
        asked = _local_day(row["created_at"])
        days = (asked - received).days
        if days <= limits[received]:
            continue
        status = DecisionStatus(row["status"]).label
        who = _who(row, "payment__customer__")
        yield Hit(
            key=f"reversal:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["payment__customer_id"],
            summary=(
                f"{who}缴费 {row['payment__number']}（{_yuan(row['payment__amount_yuan'])}）于{_day(received)}收费，"
                f"{_day(asked)}申请冲正，相隔{days}天，超过{limits[received]}天"
            ),
            evidence=[
                Evidence("冲正申请", f"{_day(asked)}，{status}", _reversal_url(row["pk"])),
                Evidence(
                    "原缴费",
                    f"{row['payment__number']}，{_yuan(row['payment__amount_yuan'])}，{_day(received)}",
                    _payment_url(row["payment_id"]),
                ),
                Evidence("相隔天数", f"{days} 天（站规不超过 {limits[received]} 天）"),
                Evidence("申请人", _person(row["requested_by__full_name"], row["requested_by__username"])),
                Evidence("冲正原因", (row["reason"] or "—")[:100]),
            ],
        )


# --------------------------------------------------------------------------------- YY-02 staff power
@audit_rule(
    code="YY-02",
    module=Module.BUSINESS,
    theme=Theme.ENERGY,
    title="疑似人情电、关系电、权力电",
    description=(
        "在用客户的户名与本所（或县公司）职工同名，或预留电话与职工电话相同，且本月电量为零或极低、"
        "或有逾期未缴电费：疑为职工及关系户的人情电、关系电、权力电（少计、不计或不缴电费），应现场核实用电与计量。"
    ),
    source="「营销稽查规则（站规）」：杜绝人情电、关系电、权力电，一切用电均须计量收费（营业普查查处人情电）",
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=20,
    params={
        "low_kwh": Param(STAFF_LOW_KWH, 0, 200, "kWh", "本月电量不高于"),
        "overdue_days": Param(30, 1, 365, "天", "电费逾期超过"),
    },
)
def staff_accounts(ctx: RuleContext) -> Iterator[Hit]:
    from gridcheck.users.models import User

    low_kwh = ctx.params["low_kwh"]
    overdue_before = ctx.on - datetime.timedelta(days=ctx.int_param("overdue_days"))
    # The staff (a small table) read once; the customers bearing one of their names or phones are found
    # by the customer name index and one scan of the phones, before anything else is joined.
    people = list(
        User.objects.exclude(role=Role.CUSTOMER).values(
            "full_name", "username", "phone", "role", "station_id", "station__name"
        )
    )
    names = {p["full_name"] for p in people if p["full_name"]}
    phones = {p["phone"] for p in people if p["phone"]}
    if not names and not phones:
        return
    energy = Bill.objects.filter(customer_id=OuterRef("pk"), period=ctx.month).values("energy_kwh")[:1]
    overdue = Receivable.objects.filter(
        customer_id=OuterRef("pk"),
        status=ReceivableStatus.OPEN,
        due_date__lt=overdue_before,
        paid_yuan__lt=F("amount_yuan"),
    )
    rows = (
        ctx.customers()
        .filter(status=CustomerStatus.ACTIVE)
        .filter(Q(name__in=names) | Q(phone__in=phones))
        .annotate(energy=Subquery(energy), overdue=Exists(overdue))
        .filter(Q(energy__lte=low_kwh) | Q(overdue=True))
        .values("pk", "name", "account_number", "phone", "station_id", "area_id", "energy", "overdue")
    )
    found = list(rows.iterator(chunk_size=2000))
    if not found:
        return
    arrears = {
        r["customer_id"]: r
        for r in Receivable.objects.filter(
            customer_id__in=[r["pk"] for r in found],
            status=ReceivableStatus.OPEN,
            due_date__lt=overdue_before,
            paid_yuan__lt=F("amount_yuan"),
        )
        .values("customer_id")
        .annotate(owed=Sum(F("amount_yuan") - F("paid_yuan")), bills=Count("pk"), oldest=Min("due_date"))
    }
    by_name, by_phone = defaultdict(list), defaultdict(list)
    for person in people:
        if person["full_name"]:
            by_name[person["full_name"]].append(person)
        if person["phone"]:
            by_phone[person["phone"]].append(person)
    for row in found:
        matches = [
            (person, "同名")
            for person in by_name.get(row["name"], [])
            if person["station_id"] in (row["station_id"], None)
        ]
        if row["phone"]:
            matches += [(person, "电话相同") for person in by_phone.get(row["phone"], [])]
        if not matches:
            continue
        person, how = matches[0]
        staff_text = (
            f"{person['full_name'] or person['username']}（{Role(person['role']).label}，"
            f"{person['station__name'] or '县公司'}，{how}）"
        )
        reasons = []
        evidence = [
            Evidence("客户", f"{row['name']}（{row['account_number']}）", customer_url(row["pk"])),
            Evidence(
                "匹配职工",
                "；".join(
                    f"{p['full_name'] or p['username']}（{Role(p['role']).label}，{h}）"
                    for p, h in matches[:5]
                ),
            ),
        ]
        if row["energy"] is not None and row["energy"] <= low_kwh:
            reasons.append(f"{ctx.month:%Y年%m月}电量{_kwh(row['energy'])}")
            evidence.append(Evidence(f"{ctx.month:%Y年%m月}电量", _kwh(row["energy"])))
        owed = arrears.get(row["pk"])
        if owed:
            reasons.append(f"逾期欠费{_yuan(owed['owed'])}")
            evidence.append(
                Evidence(
                    "逾期欠费",
                    f"{owed['bills']} 张账单，{_yuan(owed['owed'])}，最早应缴日 {_day(owed['oldest'])}",
                    _account_url(row["pk"]),
                )
            )
        yield Hit(
            key=f"customer:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["pk"],
            summary=f"{row['name']}（{row['account_number']}）与职工{staff_text}，{'、'.join(reasons)}",
            evidence=evidence,
        )


# ------------------------------------------------------------------------------ YY-03 never dunned
@audit_rule(
    code="YY-03",
    module=Module.BUSINESS,
    theme=Theme.FEES,
    title="长期欠费未催缴",
    description=(
        "在用客户有电费逾期超过设定月数仍未缴清，而这些账单从未发出催费通知：疑为长期不缴费的人情户、"
        "关系户，或催费工作缺失，应立即催缴并按程序处理。"
    ),
    source=(
        "《电力供应与使用条例》第三十九条（逾期未交付电费的，经催交仍未交付的可依程序停止供电）；"
        "「营销稽查规则（站规）」：电费月结月清，逾期即催费"
    ),
    severity=Severity.MEDIUM,
    owner_role=Role.AREA_MANAGER,
    deadline_days=15,
    params={"months": Param(FAVOUR_MONTHS, 1, 24, "月", "逾期超过")},
)
def arrears_never_dunned(ctx: RuleContext) -> Iterator[Hit]:
    cutoff = month_add(ctx.on, -ctx.int_param("months")).replace(day=min(ctx.on.day, 28))
    dunned = DunningNotice.receivables.through.objects.filter(receivable_id=OuterRef("pk"))
    rows = (
        ctx.scoped(
            Receivable.objects.filter(
                status=ReceivableStatus.OPEN,
                due_date__lt=cutoff,
                paid_yuan__lt=F("amount_yuan"),
                customer__status=CustomerStatus.ACTIVE,
            )
        )
        .filter(~Exists(dunned))
        .values(
            "customer_id",
            "customer__name",
            "customer__account_number",
            "customer__station_id",
            "customer__area_id",
        )
        .annotate(
            owed=Sum(F("amount_yuan") - F("paid_yuan")),
            bills=Count("pk"),
            oldest_due=Min("due_date"),
            oldest_period=Min("period"),
        )
        .order_by("customer_id")
    )
    for row in rows.iterator(chunk_size=2000):
        days = (ctx.on - row["oldest_due"]).days
        yield Hit(
            key=f"customer:{row['customer_id']}",
            station_id=row["customer__station_id"],
            area_id=row["customer__area_id"],
            customer_id=row["customer_id"],
            summary=(
                f"{_who(row)}自{row['oldest_period']:%Y年%m月}起{row['bills']}张电费账单未缴（{_yuan(row['owed'])}），"
                f"最长逾期{days}天，从未催费"
            ),
            evidence=[
                Evidence("客户", _who(row), _account_url(row["customer_id"])),
                Evidence("未缴账单", f"{row['bills']} 张，{_yuan(row['owed'])}"),
                Evidence("最早应缴日", f"{_day(row['oldest_due'])}（逾期 {days} 天）"),
                Evidence("催费通知", "无"),
            ],
        )


# ---------------------------------------------------------------------------- YY-04 one address
@audit_rule(
    code="YY-04",
    module=Module.BUSINESS,
    theme=Theme.PRICE,
    title="一址多户",
    description=(
        "同一台区内同一地址（去除空格、标点，全角数字按半角比较）有多个在用居民户号：疑为拆户规避阶梯电价、"
        "转供电或虚设户头。仅统计居民户；同址的商业户（前店后宅）不计入。经核实确为分户（有分户手续）的可申请“非问题”。"
    ),
    source=(
        "「营销稽查规则（站规）」：一址多户核查（居民阶梯电价以“户”为计量单位执行，拆户、虚设户头须核实）"
    ),
    severity=Severity.LOW,
    owner_role=Role.AREA_MANAGER,
    deadline_days=30,
    params={"min_accounts": Param(ADDRESS_MIN_ACCOUNTS, 2, 20, "户", "同址在用居民户数不少于")},
)
def one_address_many_accounts(ctx: RuleContext) -> Iterator[Hit]:
    least = ctx.int_param("min_accounts")
    residents = (
        ctx.customers()
        .filter(status=CustomerStatus.ACTIVE, category=CustomerCategory.RESIDENTIAL)
        .exclude(address="")
    )
    # Addresses are compared in Python (one normalisation for every database), one area at a time: the
    # customers are read in the order of the (area, account number) index, only one area's counts kept.
    groups: dict[tuple[int, str], list[int]] = {}
    area_now, counts = None, defaultdict(list)

    def flush():
        for normalised, pks in counts.items():
            if normalised and len(pks) >= least:
                groups[(area_now, normalised)] = pks

    for pk, area_id, address in (
        residents.order_by("area_id", "account_number")
        .values_list("pk", "area_id", "address")
        .iterator(chunk_size=5000)
    ):
        if area_id != area_now:
            flush()
            area_now, counts = area_id, defaultdict(list)
        counts[address_normalised_python(address)].append(pk)
    flush()
    if not groups:
        return
    details = {
        row["pk"]: row
        for row in Customer.objects.filter(pk__in=[pk for pks in groups.values() for pk in pks]).values(
            "pk", "name", "account_number", "address", "area__name", "station_id"
        )
    }
    for (area_id, normalised), pks in sorted(groups.items()):
        rows = [details[pk] for pk in pks]
        first = rows[0]
        listed = "、".join(f"{r['name']}（{r['account_number']}）" for r in rows[:10])
        if len(rows) > 10:
            listed += f" 等{len(rows)}户"
        yield Hit(
            key=address_key(area_id, normalised),
            station_id=first["station_id"],
            area_id=area_id,
            customer_id=None,
            summary=f"{first['area__name']}：地址“{first['address']}”有{len(rows)}个在用居民户号",
            evidence=[
                Evidence("台区", first["area__name"], area_url(area_id)),
                Evidence("地址", first["address"]),
                Evidence("在用居民户数", f"{len(rows)} 户（阈值 {least} 户）"),
                Evidence("户号", listed),
                *[
                    Evidence("客户", f"{r['name']}（{r['account_number']}）", customer_url(r["pk"]))
                    for r in rows[:5]
                ],
            ],
        )


# --------------------------------------------------------------------------- YY-05 late fee waived
@audit_rule(
    code="YY-05",
    module=Module.BUSINESS,
    theme=Theme.FEES,
    title="电费违约金未经审批减免",
    description=(
        "逾期结清的电费账单未收或少收电费违约金：按公司违约金口径（宽限天数、缴费当日是否计算）至少应计收一天、"
        "不低于规则表最低额，或已核定的违约金未收足即结清。系统中减免违约金无审批记录，均列为未经审批减免。"
        "经批准退补（账单金额调整）的账单不列入。"
    ),
    source=(
        "《供电营业规则》第九十八条（用户逾期交付电费应承担电费违约金）；"
        "「营销稽查规则（站规）」：违约金不得擅自减免，减免须经审批"
    ),
    severity=Severity.MEDIUM,
    owner_role=Role.STATION_HEAD,
    deadline_days=15,
    schedule=Schedule.NIGHTLY,
)
def late_fee_waived(ctx: RuleContext) -> Iterator[Hit]:
    minimum = Decimal(str(rule_value("late_fee.minimum_yuan", ctx.month_end)))
    adjusted = BillAdjustment.objects.filter(bill_id=OuterRef("bill_id"), status=ChangeStatus.APPROVED)
    rows = (
        ctx.scoped(
            Receivable.objects.filter(
                status=ReceivableStatus.PAID,
                settled_on__gte=ctx.month,
                settled_on__lte=_end_day(ctx),
                settled_on__gt=F("due_date"),
                amount_yuan__gt=0,
            )
        )
        .filter(Q(late_fee_paid_yuan__lt=minimum) | Q(late_fee_paid_yuan__lt=F("late_fee_accrued_yuan")))
        .filter(~Exists(adjusted))
        .values(
            "pk",
            "bill_id",
            "bill__number",
            "period",
            "due_date",
            "settled_on",
            "amount_yuan",
            "late_fee_accrued_yuan",
            "late_fee_paid_yuan",
            "customer_id",
            "customer__name",
            "customer__account_number",
            "station_id",
            "station__company_id",
            "area_id",
        )
    )
    practices = {
        p["company_id"]: p
        for p in CollectionPolicy.objects.values("company_id", "grace_days", "count_payment_day")
    }
    for row in rows.iterator(chunk_size=2000):
        practice = practices.get(row["station__company_id"], {"grace_days": 0, "count_payment_day": False})
        charged_days = (row["settled_on"] - row["due_date"]).days - 1 - practice["grace_days"]
        charged_days += 1 if practice["count_payment_day"] else 0
        accrued, paid = row["late_fee_accrued_yuan"], row["late_fee_paid_yuan"]
        if paid < accrued:
            owed_text = _yuan(accrued)
            kind = "少收"
        elif charged_days >= 1:
            owed_text = f"至少 {_yuan(minimum)}（计费 {charged_days} 天）"
            kind = "未收" if paid == 0 else "少收"
        else:
            continue
        late = (row["settled_on"] - row["due_date"]).days
        yield Hit(
            key=f"receivable:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["customer_id"],
            summary=(
                f"{_who(row)}{row['period']:%Y年%m月}电费逾期{late}天于{_day(row['settled_on'])}结清，"
                f"违约金{kind}（实收{_yuan(paid)}）"
            ),
            evidence=[
                Evidence(
                    "账单", f"{row['bill__number']}，{_yuan(row['amount_yuan'])}", _bill_url(row["bill_id"])
                ),
                Evidence("应缴日", _day(row["due_date"])),
                Evidence("结清日", f"{_day(row['settled_on'])}（逾期 {late} 天）"),
                Evidence("应收违约金", owed_text),
                Evidence("实收违约金", _yuan(paid), _account_url(row["customer_id"])),
                Evidence("减免审批", "无"),
            ],
        )


# ---------------------------------------------------------------------------- YY-06 receipt stock
def _receipt_matches(text: str, stocks: list[dict]) -> bool:
    text = (text or "").strip().upper()
    for stock in stocks:
        series = stock["series"]
        if not text.startswith(series):
            continue
        rest = text[len(series) :].strip()
        if rest.isdigit() and stock["first_number"] <= int(rest) <= stock["last_number"]:
            return True
    return False


@audit_rule(
    code="YY-06",
    module=Module.BUSINESS,
    theme=Theme.FEES,
    title="收费票据不在领用号段内",
    description=(
        "柜台、农电工、代收点收费所开纸质收据的号码不在该收费员领用的收据号段内（号段外、他人票据或未登记票据）："
        "疑为使用私制票据、白条收费或截留电费，应核对票据存根与实收。电子收据不列入。"
    ),
    source="「营销稽查规则（站规）」：收费票据由专人发放、按号段领用登记，收费员只使用本人领用的票据，用毕交回核销",
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=10,
    schedule=Schedule.NIGHTLY,
)
def receipt_outside_stock(ctx: RuleContext) -> Iterator[Hit]:
    rows = (
        ctx.scoped(
            Payment.objects.filter(
                received_on__gte=ctx.month,
                received_on__lte=_end_day(ctx),
                channel__in=HANDED_CHANNELS,
            )
        )
        .exclude(receipt_number="")
        .values(
            "pk",
            "number",
            "receipt_number",
            "amount_yuan",
            "received_on",
            "channel",
            "collector_id",
            "collector__full_name",
            "collector__username",
            "customer_id",
            "customer__name",
            "customer__account_number",
            "station_id",
            "area_id",
        )
    )
    stocks: dict[tuple[int, int | None], list[dict]] | None = None
    for row in rows.iterator(chunk_size=5000):
        if row["receipt_number"] == "DZ" + row["number"][2:]:
            continue  # the electronic receipt the system gave
        if stocks is None:
            stocks = defaultdict(list)
            for stock in ReceiptStock.objects.filter(kind=StockKind.RECEIPT).values(
                "station_id", "holder_id", "series", "first_number", "last_number"
            ):
                stocks[(stock["station_id"], stock["holder_id"])].append(stock)
                stocks[(stock["station_id"], None)].append(stock)
        if _receipt_matches(row["receipt_number"], stocks.get((row["station_id"], row["collector_id"]), [])):
            continue
        collector = _person(row["collector__full_name"], row["collector__username"])
        yield Hit(
            key=f"payment:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["customer_id"],
            summary=(
                f"{_who(row)}于{_day(row['received_on'])}缴费{_yuan(row['amount_yuan'])}，收据号 {row['receipt_number']} "
                f"不在收费员{collector}领用的号段内"
            ),
            evidence=[
                Evidence(
                    "缴费",
                    f"{row['number']}，{_yuan(row['amount_yuan'])}，{_day(row['received_on'])}",
                    _payment_url(row["pk"]),
                ),
                Evidence("收费渠道", str(PaymentChannel(row["channel"]).label)),
                Evidence("收据号", row["receipt_number"]),
                Evidence("收费员", collector),
                Evidence("领用号段", "无匹配"),
            ],
        )


# ------------------------------------------------------------------------ YY-07 cancelled receipts
@audit_rule(
    code="YY-07",
    module=Module.BUSINESS,
    theme=Theme.FEES,
    title="作废票据长期未审核",
    description=(
        "收费员作废的收据或发票超过设定天数仍未经他人审核（作废联未收回核对）：作废票据可能被用于收费后作废、"
        "截留电费，应收回作废联并审核。"
    ),
    source="「营销稽查规则（站规）」：作废票据须全联收回，由收费员以外的人员及时审核",
    severity=Severity.MEDIUM,
    owner_role=Role.AUDITOR,
    deadline_days=7,
    schedule=Schedule.NIGHTLY,
    params={"days": Param(CANCELLATION_DAYS, 1, 90, "天", "作废后未审核超过")},
)
def cancellation_unchecked(ctx: RuleContext) -> Iterator[Hit]:
    zone = timezone.get_default_timezone()
    before = datetime.datetime.combine(
        ctx.on - datetime.timedelta(days=ctx.int_param("days")), datetime.time(), tzinfo=zone
    )
    rows = _station_only(
        ctx,
        ReceiptCancellation.objects.filter(status=DecisionStatus.PENDING, created_at__lt=before),
        "stock__station_id",
    ).values(
        "pk",
        "number",
        "reason",
        "created_at",
        "stock_id",
        "stock__kind",
        "stock__series",
        "stock__station_id",
        "cancelled_by__full_name",
        "cancelled_by__username",
    )
    for row in rows.iterator(chunk_size=2000):
        day = _local_day(row["created_at"])
        days = (ctx.on - day).days
        label = f"{row['stock__series']} {row['number']:08d}"
        kind = StockKind(row["stock__kind"]).label
        who = _person(row["cancelled_by__full_name"], row["cancelled_by__username"])
        yield Hit(
            key=f"cancellation:{row['pk']}",
            station_id=row["stock__station_id"],
            summary=f"{kind} {label} 由{who}于{_day(day)}作废，{days}天未审核",
            evidence=[
                Evidence(
                    "作废票据", f"{kind} {label}", reverse("collection:stock_detail", args=[row["stock_id"]])
                ),
                Evidence("作废人", who),
                Evidence("作废日期", f"{_day(day)}（已 {days} 天）"),
                Evidence("作废原因", (row["reason"] or "—")[:100]),
                Evidence("审核", "未审核"),
            ],
        )


# ---------------------------------------------------------------------------- YY-08 disconnection
@audit_rule(
    code="YY-08",
    module=Module.BUSINESS,
    theme=Theme.FEES,
    title="欠费停电程序不合规",
    description=(
        "已实施的欠费停电未履行法定程序：未经供电所审批或由提出人自批；重要或高危客户未经县公司审批；"
        "未送达停电通知书，或送达后未满规定天数（居民7天、其他3天）即停电。"
    ),
    source=(
        "《电力供应与使用条例》第三十九条；《供电营业规则》第六十七条（停电前三至七天内将停电通知书送达用户）；"
        "「营销稽查规则（站规）」：重要、高危客户欠费停电须报县公司批准"
    ),
    severity=Severity.HIGH,
    owner_role=Role.STATION_HEAD,
    deadline_days=7,
    schedule=Schedule.NIGHTLY,
)
def disconnection_irregular(ctx: RuleContext) -> Iterator[Hit]:
    start, end = _window(ctx)
    rows = ctx.scoped(
        Disconnection.objects.filter(executed_at__gte=start, executed_at__lt=end).exclude(
            status__in=[DisconnectionStatus.CANCELLED, DisconnectionStatus.REJECTED]
        )
    ).values(
        "pk",
        "number",
        "arrears_yuan",
        "needs_county",
        "proposed_by_id",
        "approved_by_id",
        "county_approved_by_id",
        "notice_served_on",
        "executed_at",
        "customer_id",
        "customer__name",
        "customer__account_number",
        "customer__category",
        "customer__is_important",
        "customer__is_high_risk",
        "station_id",
        "area_id",
    )
    for row in rows.iterator(chunk_size=2000):
        cut = _local_day(row["executed_at"])
        problems = []
        if row["approved_by_id"] is None:
            problems.append("未经供电所审批")
        elif row["approved_by_id"] == row["proposed_by_id"]:
            problems.append("提出人自行审批")
        county = row["needs_county"] or row["customer__is_important"] or row["customer__is_high_risk"]
        if county and row["county_approved_by_id"] is None:
            problems.append("重要或高危客户未经县公司审批")
        served = row["notice_served_on"]
        kind = "residential" if row["customer__category"] == CustomerCategory.RESIDENTIAL else "other"
        notice_days = rule_int(f"collection.disconnection_notice_days.{kind}", served or cut)
        if served is None:
            problems.append("未送达停电通知书")
        elif (cut - served).days < notice_days:
            problems.append(f"通知送达后第{(cut - served).days}天即停电（应满{notice_days}天）")
        if not problems:
            continue
        yield Hit(
            key=f"disconnection:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["customer_id"],
            summary=f"{_who(row)}于{_day(cut)}欠费停电（{row['number']}）：{'；'.join(problems)}",
            evidence=[
                Evidence(
                    "欠费停电",
                    f"{row['number']}，欠费 {_yuan(row['arrears_yuan'])}",
                    reverse("collection:disconnection_detail", args=[row["pk"]]),
                ),
                Evidence("停电日期", _day(cut)),
                Evidence("通知送达日期", _day(served)),
                Evidence("规定通知天数", f"{notice_days} 天"),
                Evidence("问题", "；".join(problems)),
            ],
        )


# ---------------------------------------------------------------------------- YY-09 closed month
@audit_rule(
    code="YY-09",
    module=Module.BUSINESS,
    theme=Theme.FEES,
    title="月结后补记实收",
    description=(
        "缴费记录的收费日期所在月份已月结，而该笔缴费是在月结之后才入账的（绕过系统控制的补录、导入或改期）："
        "月结后的账不得再动，应核实来源并按规定调整到当月入账。"
    ),
    source="「营销稽查规则（站规）」：电费月结月清，月结后不得补记、修改当月实收",
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=10,
    schedule=Schedule.NIGHTLY,
)
def payment_after_close(ctx: RuleContext) -> Iterator[Hit]:
    closes = {
        (row["station_id"], row["month"]): row["closed_at"]
        for row in _closes(ctx).values("station_id", "month", "closed_at")
    }
    if not closes:
        return
    start, end = _window(ctx)
    latest = max(month for _, month in closes)
    # Payments posted in the window and dated in or before the latest closed month. (No index on
    # ``created_at``: the window's payments are read by a scan; one on it would serve a large county.)
    rows = ctx.scoped(
        Payment.objects.filter(
            created_at__gte=start, created_at__lt=end, received_on__lt=month_add(latest, 1)
        )
    ).values(
        "pk",
        "number",
        "amount_yuan",
        "received_on",
        "created_at",
        "channel",
        "customer_id",
        "customer__name",
        "customer__account_number",
        "station_id",
        "area_id",
    )
    for row in rows.iterator(chunk_size=5000):
        closed_at = closes.get((row["station_id"], row["received_on"].replace(day=1)))
        if closed_at is None or row["created_at"] <= closed_at:
            continue
        posted = timezone.localtime(row["created_at"])
        closed = timezone.localtime(closed_at)
        yield Hit(
            key=f"payment:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["customer_id"],
            summary=(
                f"{_who(row)}缴费 {row['number']}（{_yuan(row['amount_yuan'])}）收费日期{_day(row['received_on'])}，"
                f"该月已于{closed:%Y-%m-%d}月结，却于{posted:%Y-%m-%d %H:%M}入账"
            ),
            evidence=[
                Evidence("缴费", f"{row['number']}，{_yuan(row['amount_yuan'])}", _payment_url(row["pk"])),
                Evidence("收费渠道", str(PaymentChannel(row["channel"]).label)),
                Evidence("收费日期", _day(row["received_on"])),
                Evidence("月结时间", f"{closed:%Y-%m-%d %H:%M}"),
                Evidence("入账时间", f"{posted:%Y-%m-%d %H:%M}"),
            ],
        )


# ------------------------------------------------------------------------ YY-10 reversal approval
@audit_rule(
    code="YY-10",
    module=Module.BUSINESS,
    theme=Theme.FEES,
    title="冲正审批不合规",
    description=(
        "已批准的冲正由申请人本人审批、无审批人，或在原缴费所属月份月结之后才批准：冲正须由申请人以外的所长审批，"
        "月结后不得冲正。"
    ),
    source="「营销稽查规则（站规）」：冲正须经所长审批，申请人不得自批；电费月结后不得冲正",
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=10,
    schedule=Schedule.NIGHTLY,
)
def reversal_approval_irregular(ctx: RuleContext) -> Iterator[Hit]:
    start, end = _window(ctx)
    rows = ctx.scoped(
        Reversal.objects.filter(status=DecisionStatus.APPROVED).filter(
            Q(decided_at__gte=start, decided_at__lt=end)
            | Q(decided_at__isnull=True, updated_at__gte=start, updated_at__lt=end)
        )
    ).values(
        "pk",
        "decided_at",
        "requested_by_id",
        "requested_by__full_name",
        "requested_by__username",
        "decided_by_id",
        "decided_by__full_name",
        "decided_by__username",
        "payment_id",
        "payment__number",
        "payment__amount_yuan",
        "payment__received_on",
        "payment__customer_id",
        "payment__customer__name",
        "payment__customer__account_number",
        "station_id",
        "area_id",
    )
    found = list(rows.iterator(chunk_size=2000))
    if not found:
        return
    closes = {
        (row["station_id"], row["month"]): row["closed_at"]
        for row in MonthClose.objects.filter(station_id__in={r["station_id"] for r in found}).values(
            "station_id", "month", "closed_at"
        )
    }
    for row in found:
        problems = []
        requester = _person(row["requested_by__full_name"], row["requested_by__username"])
        if row["decided_by_id"] is None:
            problems.append("无审批人")
        elif row["decided_by_id"] == row["requested_by_id"]:
            problems.append(f"申请人{requester}自行审批")
        closed_at = closes.get((row["station_id"], row["payment__received_on"].replace(day=1)))
        if closed_at is not None and row["decided_at"] is not None and row["decided_at"] > closed_at:
            problems.append(f"原缴费所属月份已于{timezone.localtime(closed_at):%Y-%m-%d}月结")
        if not problems:
            continue
        decided = timezone.localtime(row["decided_at"]) if row["decided_at"] else None
        yield Hit(
            key=f"reversal:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["payment__customer_id"],
            summary=(
                f"{_who(row, 'payment__customer__')}缴费 {row['payment__number']}（{_yuan(row['payment__amount_yuan'])}）"
                f"的冲正：{'；'.join(problems)}"
            ),
            evidence=[
                Evidence(
                    "冲正",
                    f"批准于 {decided:%Y-%m-%d %H:%M}" if decided else "已批准",
                    _reversal_url(row["pk"]),
                ),
                Evidence(
                    "原缴费",
                    f"{row['payment__number']}，{_yuan(row['payment__amount_yuan'])}，{_day(row['payment__received_on'])}",
                    _payment_url(row["payment_id"]),
                ),
                Evidence("申请人", requester),
                Evidence("审批人", _person(row["decided_by__full_name"], row["decided_by__username"])),
                Evidence("问题", "；".join(problems)),
            ],
        )


# ------------------------------------------------------------------------------- YY-11 prepaid
@audit_rule(
    code="YY-11",
    module=Module.BUSINESS,
    theme=Theme.FEES,
    title="预付费客户欠费仍供电",
    description=(
        "预付费账户的余额已不足以结清发行的电费（余额为负），客户仍在正常用电：预付费客户应先购电后用电，"
        "余额不足应及时告知并按约定停止供电。"
    ),
    source="「营销稽查规则（站规）」：预付费（含临时用电）客户先交费后用电，余额不足及时预警、按约定停止供电",
    severity=Severity.MEDIUM,
    owner_role=Role.AREA_MANAGER,
    deadline_days=7,
    schedule=Schedule.NIGHTLY,
    params={"days": Param(0, 0, 60, "天", "账单发行后未结清超过")},
)
def prepaid_negative(ctx: RuleContext) -> Iterator[Hit]:
    issued_before = ctx.on - datetime.timedelta(days=ctx.int_param("days"))
    rows = (
        ctx.scoped(
            Receivable.objects.filter(
                status=ReceivableStatus.OPEN,
                paid_yuan__lt=F("amount_yuan"),
                issued_on__lte=issued_before,
                customer__status=CustomerStatus.ACTIVE,
                customer__collection_account__is_prepaid=True,
            )
        )
        .values(
            "customer_id",
            "customer__name",
            "customer__account_number",
            "customer__station_id",
            "customer__area_id",
            "customer__collection_account__credit_yuan",
        )
        .annotate(owed=Sum(F("amount_yuan") - F("paid_yuan")), bills=Count("pk"), oldest=Min("period"))
        .order_by("customer_id")
    )
    for row in rows.iterator(chunk_size=2000):
        balance = row["customer__collection_account__credit_yuan"] - row["owed"]
        if balance >= 0:
            continue
        yield Hit(
            key=f"customer:{row['customer_id']}",
            station_id=row["customer__station_id"],
            area_id=row["customer__area_id"],
            customer_id=row["customer_id"],
            summary=(
                f"预付费客户{_who(row)}余额{_yuan(balance)}，{row['bills']}张电费账单未由预付款结清"
                f"（自{row['oldest']:%Y年%m月}起），仍在用电"
            ),
            evidence=[
                Evidence("预付费账户", _who(row), _account_url(row["customer_id"])),
                Evidence("预付余额", _yuan(row["customer__collection_account__credit_yuan"])),
                Evidence("未结清电费", f"{row['bills']} 张，{_yuan(row['owed'])}"),
                Evidence("账户余额", _yuan(balance)),
            ],
        )


# ---------------------------------------------------------------------------- YY-12 never billed
@audit_rule(
    code="YY-12",
    module=Module.BUSINESS,
    theme=Theme.ENERGY,
    title="新装客户超期未抄表计费",
    description=(
        "在用客户装表接电已超过设定天数，所在台区已编入抄表册且本月已出账，该客户却从未出过电费账单："
        "新装客户未纳入抄表（未建计量点或电能表、漏抄漏计），应补抄补计。"
    ),
    source=(
        "「营销稽查规则（站规）」：新装客户接电后在首个抄表周期内编入抄表计费，实抄率100%，杜绝漏抄漏计"
        "（workflows「抄核收」）"
    ),
    severity=Severity.HIGH,
    owner_role=Role.METER_READER,
    deadline_days=10,
    params={"days": Param(NEW_CONNECTION_DAYS, 15, 365, "天", "接电超过")},
)
def new_connection_never_billed(ctx: RuleContext) -> Iterator[Hit]:
    from gridcheck.archive.models import Meter

    connected_before = ctx.month_end - datetime.timedelta(days=ctx.int_param("days"))
    in_book = BookArea.objects.filter(area_id=OuterRef("area_id"))
    area_billed = Bill.objects.filter(area_id=OuterRef("area_id"), period=ctx.month)
    billed = Bill.objects.filter(customer_id=OuterRef("pk"))
    metered = Meter.objects.filter(metering_point__customer_id=OuterRef("pk"), status="in_service")
    rows = (
        ctx.customers()
        .filter(status=CustomerStatus.ACTIVE, connected_on__isnull=False, connected_on__lte=connected_before)
        .filter(Exists(in_book), Exists(area_billed), ~Exists(billed))
        .annotate(
            metered=Exists(metered),
            book=Subquery(BookArea.objects.filter(area_id=OuterRef("area_id")).values("book__name")[:1]),
        )
        .values(
            "pk",
            "name",
            "account_number",
            "connected_on",
            "station_id",
            "area_id",
            "area__name",
            "metered",
            "book",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        days = (ctx.month_end - row["connected_on"]).days
        yield Hit(
            key=f"customer:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["pk"],
            summary=(
                f"{row['name']}（{row['account_number']}）于{_day(row['connected_on'])}接电，已{days}天，"
                f"所在{row['area__name']}已出账，该户从未出账"
            ),
            evidence=[
                Evidence("客户", f"{row['name']}（{row['account_number']}）", customer_url(row["pk"])),
                Evidence("接电日期", f"{_day(row['connected_on'])}（截至{ctx.month:%Y年%m月}末 {days} 天）"),
                Evidence("台区", row["area__name"], area_url(row["area_id"])),
                Evidence("抄表册", row["book"] or "—"),
                Evidence("在运电能表", "有" if row["metered"] else "无"),
                Evidence("电费账单", "从未出账"),
            ],
        )


# ------------------------------------------------------------------------- YY-13 out of the books
@audit_rule(
    code="YY-13",
    module=Module.BUSINESS,
    theme=Theme.ENERGY,
    title="计费客户所在台区未编入抄表册",
    description=(
        "在用客户曾经出账，但其档案所在台区不在任何抄表册中（台区变更、调户后未编册）：下个抄表周期将不再抄表计费，"
        "造成漏抄漏计，应将台区编入抄表册或更正客户档案。"
    ),
    source="「营销稽查规则（站规）」：每个台区编入一本抄表册、由一名抄表员负责（一人一区），杜绝漏抄漏计",
    severity=Severity.MEDIUM,
    owner_role=Role.METER_READER,
    deadline_days=10,
)
def billed_customer_out_of_books(ctx: RuleContext) -> Iterator[Hit]:
    in_book = BookArea.objects.filter(area_id=OuterRef("area_id"))
    last_bill = Bill.objects.filter(customer_id=OuterRef("pk")).order_by("-period")
    rows = (
        ctx.customers()
        .filter(status=CustomerStatus.ACTIVE)
        .filter(~Exists(in_book), Exists(Bill.objects.filter(customer_id=OuterRef("pk"))))
        .annotate(
            last_period=Subquery(last_bill.values("period")[:1]),
            last_area=Subquery(last_bill.values("area__name")[:1]),
            last_book=Subquery(last_bill.values("cycle__book__name")[:1]),
        )
        .values(
            "pk",
            "name",
            "account_number",
            "station_id",
            "area_id",
            "area__name",
            "last_period",
            "last_area",
            "last_book",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        yield Hit(
            key=f"customer:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["pk"],
            summary=(
                f"{row['name']}（{row['account_number']}）所在{row['area__name']}未编入抄表册，"
                f"上次出账{row['last_period']:%Y年%m月}（{row['last_book'] or '—'}）"
            ),
            evidence=[
                Evidence("客户", f"{row['name']}（{row['account_number']}）", customer_url(row["pk"])),
                Evidence("档案台区", f"{row['area__name']}（未编入抄表册）", area_url(row["area_id"])),
                Evidence(
                    "上次出账",
                    f"{row['last_period']:%Y年%m月}，{row['last_area']}，{row['last_book'] or '—'}",
                ),
            ],
        )


__all__ = [
    "ADDRESS_MIN_ACCOUNTS",
    "CANCELLATION_DAYS",
    "FAVOUR_MONTHS",
    "NEW_CONNECTION_DAYS",
    "STAFF_LOW_KWH",
    "address_key",
    "address_normalised_python",
]
