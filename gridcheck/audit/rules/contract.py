"""Audit rules of supply contracts and temporary supply (营业受理: 供用电合同、临时用电).

- YY-14: an active non-residential customer supplied without a contract in force (a residential
  customer is covered by the residential notice, ``gridcheck.contracts``);
- YY-15: a temporary supply still connected after its agreed end.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse

from gridcheck.audit.choices import Module, Schedule, Severity, Theme
from gridcheck.audit.engine import Evidence, Hit, RuleContext, audit_rule
from gridcheck.audit.rules._format import day as _day
from gridcheck.audit.rules._format import who as _who
from gridcheck.audit.rules._links import customer_url
from gridcheck.core.roles import Role


@audit_rule(
    code="YY-14",
    module=Module.BUSINESS,
    theme=Theme.FEES,
    title="非居民客户无有效供用电合同",
    description="在运行（正常用电）的非居民客户，稽查日没有生效的供用电合同（未签、已到期或已终止未续签）。"
    "居民客户以《居民用电须知》作为合同，不列入。",
    source="《电力供应与使用条例》第三十二条（供电前签订供用电合同）；《供电营业规则》第九十二条"
    "（正式供电前签订供用电合同）",
    severity=Severity.HIGH,
    owner_role=Role.AUDITOR,
    deadline_days=30,
    schedule=Schedule.NIGHTLY,
)
def supply_without_contract(ctx: RuleContext) -> Iterator[Hit]:
    from django.db.models import OuterRef, Subquery

    from gridcheck.contracts.models import Contract
    from gridcheck.contracts.selectors import customers_without_contract

    # Each customer's latest signed contract, in the same query (one subquery per column, not a query
    # per customer: a county where every commercial customer lacks one has 200,000 hits).
    latest = (
        Contract.objects.filter(customer_id=OuterRef("pk"))
        .exclude(status="draft")
        .order_by("-valid_to", "-pk")
    )
    rows = (
        customers_without_contract(on=ctx.on, queryset=ctx.customers())
        .annotate(
            last_number=Subquery(latest.values("number")[:1]),
            last_valid_to=Subquery(latest.values("valid_to")[:1]),
        )
        .values(
            "pk",
            "name",
            "account_number",
            "station_id",
            "area_id",
            "category",
            "last_number",
            "last_valid_to",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        if row["last_number"] is None:
            situation = "从未签订供用电合同"
        else:
            situation = f"最近一份合同{row['last_number']}有效期至{_day(row['last_valid_to'])}，现已失效"
        yield Hit(
            key=f"customer:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["pk"],
            summary=f"{_who(row)}正常用电，但无生效的供用电合同（{situation}）",
            evidence=[
                Evidence("客户", _who(row), customer_url(row["pk"])),
                Evidence("合同情况", situation),
                Evidence("稽查日", _day(ctx.on)),
            ],
        )


@audit_rule(
    code="YY-15",
    module=Module.BUSINESS,
    theme=Theme.FEES,
    title="临时用电超期未终止供电",
    description="临时用电已过约定的用电期限（含已批准的延期），既未办理延期也未终止供电（未拆表销户）。",
    source="《供电营业规则》第十二条（临时用电期限除经供电企业准许外一般不得超过六个月，逾期不办理延期或永久性"
    "正式用电手续的，供电企业应终止供电）",
    severity=Severity.HIGH,
    owner_role=Role.STATION_HEAD,
    deadline_days=7,
    schedule=Schedule.NIGHTLY,
)
def temporary_supply_overdue(ctx: RuleContext) -> Iterator[Hit]:
    from gridcheck.temporary_supply.choices import ACTIVE_STATUSES
    from gridcheck.temporary_supply.models import TemporarySupply

    rows = ctx.scoped(TemporarySupply.objects.filter(status__in=ACTIVE_STATUSES, end_on__lt=ctx.on)).values(
        "pk",
        "number",
        "end_on",
        "station_id",
        "area_id",
        "customer_id",
        "customer__name",
        "customer__account_number",
        "capacity_kva",
    )
    for row in rows.iterator(chunk_size=2000):
        days = (ctx.on - row["end_on"]).days
        yield Hit(
            key=f"temporary-supply:{row['pk']}",
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["customer_id"],
            summary=(
                f"临时用电{row['number']}（{_who(row, 'customer__')}）约定{_day(row['end_on'])}到期，"
                f"已超期{days}天仍在供电"
            ),
            evidence=[
                Evidence(
                    "临时用电",
                    row["number"],
                    reverse("temporary_supply:supply_detail", args=[row["pk"]]),
                ),
                Evidence("约定到期日", _day(row["end_on"])),
                Evidence("超期天数", f"{days}天"),
                Evidence("容量", f"{row['capacity_kva']:,.0f} kVA"),
            ],
        )
