"""The monthly audit report: figures by module, theme, station, person and rule computed from hand-made
findings (each figure worked out below by hand), the scope of each user, the page, its PDF and XLSX, the
home tile."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from gridcheck.audit import reports, services
from gridcheck.audit.choices import FindingStatus as S
from gridcheck.audit.choices import Module as M
from gridcheck.audit.choices import Theme as T
from gridcheck.audit.models import AuditRule, Finding
from gridcheck.core.periods import last_complete_month

MONTH = datetime.date(2025, 3, 1)
AS_OF = datetime.date(2025, 4, 20)


def _day(month: int, day: int) -> datetime.date:
    return datetime.date(2025, month, day)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12))


@pytest.fixture
def findings(county):
    """Seven findings of March 2025 and one of February (as of 2025-04-20):

    ====  =======  ======  ===========  ======  =================  ==============  ===========  =============
    n     station  area    module       theme   status             assignee        deadline     closed
    ====  =======  ======  ===========  ======  =================  ==============  ===========  =============
    1     east     east1   tariff       price   closed             auditor_east    04-15        04-10 on time
    2     east     east1   tariff       price   dismissed          auditor_east    04-15        04-18 late
    3     east     east1   metering     energy  assigned           auditor_east    04-15 over   —
    4     east     east2   metering     loss    rectified          reader_east     04-30        —
    5     east     east2   business     fees    dismiss_requested  reader_east     04-01 over   —
    6     west     west1   tariff       fees    open               —               04-30        —
    7     west     west1   inspection   loss    closed             inspector_west  04-10        04-09 on time
    (8)   east     east1   tariff       price   closed (February: not in the report)
    ====  =======  ======  ===========  ======  =================  ==============  ===========  =============
    """
    services.rules_sync()
    rule = AuditRule.objects.get(code="DF-01")
    version = services.rule_version_on(rule, AS_OF)
    u = county.users
    rows = [
        ("east", "east1", M.TARIFF, T.PRICE, S.CLOSED, "auditor_east", _day(4, 15), _day(4, 10), MONTH),
        ("east", "east1", M.TARIFF, T.PRICE, S.DISMISSED, "auditor_east", _day(4, 15), _day(4, 18), MONTH),
        ("east", "east1", M.METERING, T.ENERGY, S.ASSIGNED, "auditor_east", _day(4, 15), None, MONTH),
        ("east", "east2", M.METERING, T.LOSS, S.RECTIFIED, "reader_east", _day(4, 30), None, MONTH),
        ("east", "east2", M.BUSINESS, T.FEES, S.DISMISS_REQUESTED, "reader_east", _day(4, 1), None, MONTH),
        ("west", "west1", M.TARIFF, T.FEES, S.OPEN, None, _day(4, 30), None, MONTH),
        ("west", "west1", M.INSPECTION, T.LOSS, S.CLOSED, "inspector_west", _day(4, 10), _day(4, 9), MONTH),
        ("east", "east1", M.TARIFF, T.PRICE, S.CLOSED, "auditor_east", _day(3, 15), _day(3, 10), _day(2, 1)),
    ]
    made = []
    for n, (station, area, module, theme, status, assignee, deadline, closed, month) in enumerate(rows, 1):
        made.append(
            Finding.objects.create(
                rule=rule,
                version=version,
                key=f"test:{n}",
                module=module,
                theme=theme,
                severity="medium",
                station=county.stations[station],
                area=county.areas[area],
                summary=f"问题{n}",
                status=status,
                owner_role="auditor",
                assignee=u[assignee] if assignee else None,
                deadline=deadline,
                month=month,
                last_found_at=_at(month),
                closed_at=_at(closed) if closed else None,
            )
        )
    return made


def _figures(row: dict) -> tuple:
    rate = row["closure_rate_percent"]
    return (
        row["found"],
        row["closed"],
        row["dismissed"],
        row["open"],
        row["overdue"],
        row["closed_on_time"],
        None if rate is None else str(rate),
    )


def test_the_county_report_of_a_month(county, findings):
    report = reports.audit_report(user=county.users["admin"], month="2025-03", as_of=AS_OF)
    # found, closed, dismissed, open, overdue, closed on time, closure rate (finished of found)
    assert _figures(report.total) == (7, 2, 1, 4, 2, 2, "42.9")
    assert {r["key"]: _figures(r) for r in report.by_module} == {
        "metering": (2, 0, 0, 2, 1, 0, "0.0"),
        "inspection": (1, 1, 0, 0, 0, 1, "100.0"),
        "tariff": (3, 1, 1, 1, 0, 1, "66.7"),
        "business": (1, 0, 0, 1, 1, 0, "0.0"),
    }
    assert [r["key"] for r in report.by_module] == ["metering", "inspection", "tariff", "business"]
    assert {r["key"]: _figures(r) for r in report.by_theme} == {
        "energy": (1, 0, 0, 1, 1, 0, "0.0"),
        "price": (2, 1, 1, 0, 0, 1, "100.0"),
        "fees": (2, 0, 0, 2, 1, 0, "0.0"),
        "loss": (2, 1, 0, 1, 0, 1, "50.0"),
    }
    assert [(r["name"], _figures(r)) for r in report.by_station] == [
        ("东城供电所", (5, 1, 1, 3, 2, 1, "40.0")),
        ("西山供电所", (2, 1, 0, 1, 0, 1, "50.0")),
    ]
    assert [(r["name"], r["station_name"], _figures(r)) for r in report.by_person] == [
        ("auditor_east", "东城供电所", (3, 1, 1, 1, 1, 1, "66.7")),
        ("reader_east", "东城供电所", (2, 0, 0, 2, 1, 0, "0.0")),
        ("inspector_west", "西山供电所", (1, 1, 0, 0, 0, 1, "100.0")),
        ("未分派", "", (1, 0, 0, 1, 0, 0, "0.0")),
    ]
    assert [(r["code"], r["found"]) for r in report.by_rule] == [("DF-01", 7)]
    assert report.scope_label == "全县"


def test_a_station_sees_its_figures_and_an_area_manager_their_areas(county, findings):
    east = reports.audit_report(user=county.users["head_east"], month=MONTH, as_of=AS_OF)
    assert _figures(east.total) == (5, 1, 1, 3, 2, 1, "40.0")
    assert [r["name"] for r in east.by_station] == ["东城供电所"] and east.scope_label == "东城供电所"
    assert "inspector_west" not in [r["name"] for r in east.by_person]
    manager = reports.audit_report(user=county.users["manager_east"], month=MONTH, as_of=AS_OF)
    assert _figures(manager.total) == (3, 1, 1, 1, 1, 1, "66.7")  # area east1: findings 1-3
    west = reports.audit_report(
        user=county.users["admin"], month=MONTH, station=county.stations["west"], as_of=AS_OF
    )
    assert _figures(west.total) == (2, 1, 0, 1, 0, 1, "50.0") and west.scope_label == "西山供电所"


def test_overdue_depends_on_the_day_and_an_empty_month_has_no_rate(county, findings):
    early = reports.audit_report(user=county.users["admin"], month=MONTH, as_of=_day(3, 31))
    assert early.total["overdue"] == 0
    late = reports.audit_report(user=county.users["admin"], month=MONTH, as_of=_day(5, 1))
    assert late.total["overdue"] == 4  # every unfinished one
    empty = reports.audit_report(user=county.users["admin"], month="2025-05", as_of=AS_OF)
    assert _figures(empty.total) == (0, 0, 0, 0, 0, 0, None)
    assert all(r["found"] == 0 for r in empty.by_module) and empty.by_person == []


def test_findings_per_person_for_the_assessment(county, findings):
    rows = reports.findings_per_person(MONTH, as_of=AS_OF)
    by_user = {r["user_id"]: r for r in rows}
    auditor = by_user[county.users["auditor_east"].pk]
    assert (auditor["username"], _figures(auditor)) == ("auditor_east", (3, 1, 1, 1, 1, 1, "66.7"))
    assert _figures(by_user[None]) == (1, 0, 0, 1, 0, 0, "0.0")
    assert sum(r["found"] for r in rows) == 7
    # February's finding is February's.
    february = reports.findings_per_person(datetime.date(2025, 2, 1), as_of=AS_OF)
    assert [(r["username"], r["found"], r["closed_on_time"]) for r in february] == [("auditor_east", 1, 1)]


# ------------------------------------------------------------------------------------------ the page
def test_the_report_page(login, county, findings):
    response = login("head_east").get(reverse("audit:report"), {"month": "2025-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="kpi-found">5<' in html
    assert "<script>" not in html.split("</main>")[0].replace('<script src="', "")  # no inline script
    assert 'id="gc-chart-data" type="application/json"' in html
    data = response.context["chart_data"]
    assert data["module"]["labels"] == [str(m.label) for m in M]
    assert data["module"]["overdue"] == [2, 0, 0, 1]  # today every unfinished one is overdue
    assert "西山供电所" not in html
    assert reverse("audit:report_pdf") + "?month=2025-03" in html


def test_the_report_page_for_the_county_and_one_station(login, county, findings):
    client = login("admin")
    response = client.get(
        reverse("audit:report"), {"month": "2025-03", "station": county.stations["west"].pk}
    )
    assert response.status_code == 200 and response.context["report"].total["found"] == 2
    default = client.get(reverse("audit:report"))
    assert default.context["month"] == last_complete_month()
    assert (
        client.get(reverse("audit:report"), {"month": "2025-99"}).status_code == 200
    )  # message, default month
    # Another station is not found for a station's staff; the liaison does not read audit at all.
    outside = login("head_east").get(reverse("audit:report"), {"station": county.stations["west"].pk})
    assert outside.status_code == 404
    assert login("liaison").get(reverse("audit:report")).status_code == 403


def test_the_report_as_xlsx(login, county, findings):
    from openpyxl import load_workbook

    response = login("admin").get(reverse("audit:report_xlsx"), {"month": "2025-03"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按专业", "按主题", "按供电所", "按责任人", "按规则"]
    rows = list(book["按供电所"].iter_rows(values_only=True))
    assert rows[0][0] == "全县营销稽查月报（2025年3月）"
    assert rows[2][:3] == ("供电所编号", "供电所", "发现数")
    assert rows[3][:4] == ("S01", "东城供电所", 5, 1)
    assert rows[-1][0] == "合计" and rows[-1][2] == 7


def test_the_report_as_pdf(login, county, findings):
    response = login("head_east").get(reverse("audit:report_pdf"), {"month": "2025-03"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "inline" in response["Content-Disposition"]


def test_the_home_tile(rf, county, findings):
    from gridcheck.audit.dashboard import home_tile_context

    request = rf.get("/")
    request.user = county.users["head_east"]
    context = home_tile_context(request)
    # Unfinished east findings: 3, 4, 5; every deadline lies in 2025, so all three are overdue today.
    assert context["open_now"] == 3 and context["overdue_now"] == 3
