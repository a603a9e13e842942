"""Audit rules of tariff and billing (电费电价): category and tariff, time-of-use and power-factor
adjustment, preferential tariffs, fee items, refunds and back-bills, estimated readings.

Each rule's ``source`` is the one place that cites what it enforces.
"""

from collections.abc import Iterator

from django.db.models import OuterRef, Subquery

from gridcheck.archive.choices import CustomerCategory, CustomerStatus, TariffCategory
from gridcheck.archive.models import Tariff
from gridcheck.audit.choices import Module, Schedule, Severity, Theme
from gridcheck.audit.engine import Evidence, Hit, RuleContext, audit_rule
from gridcheck.audit.rules._links import customer_url
from gridcheck.core.roles import Role

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
