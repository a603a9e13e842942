"""Audit rule of the business census (营业普查): the discrepancies a census team found and the station
head approved as audit findings.

The facts are recorded from the field (``services.finding_record``), not queried from the data: the rule
finds again its own unfinished findings, so that a run keeps them "still found" until they are worked.
"""

from __future__ import annotations

from collections.abc import Iterator

from gridcheck.audit.choices import UNFINISHED, Module, Severity, Theme
from gridcheck.audit.engine import Evidence, Hit, RuleContext, audit_rule
from gridcheck.core.roles import Role

CENSUS_RULE = "YP-01"


@audit_rule(
    code=CENSUS_RULE,
    module=Module.BUSINESS,
    theme=Theme.FEES,
    title="营业普查发现的问题",
    description="营业普查中现场核对发现、经供电所长批准转为稽查问题的差异（表计、示数、电量、类别、电价、容量、封印、"
    "无表用电、人情电关系电权力电、乱收费乱加价乱摊派）。",
    source="供电所管理规定：营业普查每季度核对安全、计量、示数、电量、电价、电费与档案，查处人情电和“三乱”",
    severity=Severity.MEDIUM,
    owner_role=Role.AUDITOR,
    deadline_days=30,
)
def census_finding(ctx: RuleContext) -> Iterator[Hit]:
    from gridcheck.audit.models import Finding

    findings = ctx.scoped(Finding.objects.filter(rule__code=CENSUS_RULE, status__in=UNFINISHED))
    for row in findings.values("key", "station_id", "area_id", "customer_id", "summary", "evidence"):
        yield Hit(
            key=row["key"],
            station_id=row["station_id"],
            area_id=row["area_id"],
            customer_id=row["customer_id"],
            summary=row["summary"],
            evidence=[Evidence(**e) for e in row["evidence"] or []],
        )
