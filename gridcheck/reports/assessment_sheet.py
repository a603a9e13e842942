"""The monthly assessment sheet (月度考核表) of a station's staff, for signature.

Built from the work each person did in the month as the apps record it (visits, findings, cases,
hazards, audit findings). The scoring itself belongs to the assessment app; until its selectors are
committed the sheet leaves the score column to be filled in by hand before signing.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from gridcheck.archive.models import Station
from gridcheck.core.periods import month_end
from gridcheck.core.roles import Role
from gridcheck.reports.contents import (
    INT,
    PCT,
    TEXT,
    Document,
    ReportRefused,
    Section,
    check_month_analysed,
    document_number,
)


def _staff(station: Station):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(station=station, is_active=True)
        .exclude(role__in=[Role.CUSTOMER, Role.GOVERNMENT_LIAISON])
        .order_by("role", "username")
    )


def staff_figures(station: Station, month: datetime.date) -> list[dict]:
    """One row per staff member of ``station``: what they did in ``month``."""
    from gridcheck.audit.reports import findings_per_person
    from gridcheck.cases.models import Case
    from gridcheck.hazards.models import Hazard
    from gridcheck.inspections.models import Visit

    end = month_end(month)
    visits = Visit.objects.filter(station=station, visited_at__date__range=(month, end))
    audit = {r["user_id"]: r for r in findings_per_person(month) if r["user_id"]}
    rows = []
    for person in _staff(station):
        mine = visits.filter(Q(inspector1=person) | Q(inspector2=person))
        found = sum(len(v.findings or []) for v in mine.only("findings"))
        cases = Case.objects.filter(created_by=person, case_date__range=(month, end)).count()
        hazards = Hazard.objects.filter(found_by=person, found_on__range=(month, end)).count()
        finding = audit.get(person.pk, {})
        rows.append(
            {
                "name": str(person),
                "role": str(Role(person.role).label) if person.role in Role.values else person.role,
                "visits": mine.count(),
                "findings": found,
                "cases": cases,
                "hazards": hazards,
                "audit_found": finding.get("found", 0),
                "audit_overdue": finding.get("overdue", 0),
                "audit_rate": finding.get("closure_rate_percent"),
            }
        )
    return rows


ROLE_CN = {
    Role.STATION_HEAD: "所长",
    Role.INSPECTOR: "用电检查员",
    Role.METER_READER: "抄表员",
    Role.AUDITOR: "稽查员",
    Role.AREA_MANAGER: "台区经理",
    Role.ADMINISTRATOR: "管理员",
}


def assessment_document(kind, station: Station, month: datetime.date) -> Document:
    check_month_analysed(station, month, bills=False)
    staff = list(_staff(station))
    if not staff:
        raise ReportRefused(f"{station.name}没有在册员工，无法编制考核表。")
    rows = staff_figures(station, month)
    roles = {str(p): ROLE_CN.get(p.role, p.role) for p in staff}
    period = kind.period_text(month)
    doc = Document(
        kind=kind,
        station=station,
        period_start=month,
        period_end=month_end(month),
        title=f"{station.name}{period}员工考核表",
        document_number=document_number(kind, station, month),
        signatures=("考核人", "被考核人代表", "所长"),
    )
    doc.intro = [
        f"根据{period}各岗位的工作记录（现场检查、查处案件、安全隐患登记、营销稽查问题整改）汇总如下，"
        "考核得分由考核小组评定后填写，经被考核人确认、所长签字后生效。"
    ]
    doc.sections = [
        Section(
            title="员工月度工作及考核",
            header=[
                "序号",
                "姓名",
                "岗位",
                "现场检查（次）",
                "发现问题（项）",
                "查处案件（件）",
                "登记隐患（处）",
                "稽查问题（项）",
                "超期未闭环",
                "闭环率",
                "考核得分",
                "本人签字",
            ],
            formats=[INT, TEXT, TEXT, INT, INT, INT, INT, INT, INT, PCT, TEXT, TEXT],
            rows=[
                [
                    i,
                    r["name"],
                    roles.get(r["name"], r["role"]),
                    r["visits"],
                    r["findings"],
                    r["cases"],
                    r["hazards"],
                    r["audit_found"],
                    r["audit_overdue"],
                    r["audit_rate"],
                    "",
                    "",
                ]
                for i, r in enumerate(rows, start=1)
            ],
        )
    ]
    doc.summary = {"staff": len(rows), "visits": sum(r["visits"] for r in rows)}
    return doc
