"""The main pages make as many queries with fifty rows as with five: no query per row comes back.

Each page is opened twice, on a county with 5 and then 50 rows of each listed kind (customers, suspects,
bills, findings, work orders with an assignee, hazards), by the county-wide administrator and by a
station head; the number of queries must be the same (a row's related objects come with the page, not
one query each). The counts are also capped, so that a new query on every page is noticed.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

MONTH = datetime.date(2025, 3, 1)
TODAY = datetime.date(2025, 4, 10)

# (page, at most this many queries for the administrator)
PAGES = [
    ("/", 70),
    ("/archive/customers/", 20),
    ("/detection/suspects/", 25),
    ("/billing/bills/", 20),
    ("/audit/findings/", 25),
    ("/inspections/orders/", 20),
    ("/hazards/list/", 20),
    ("/api/archive/customers/", 12),
]


def add_rows(county, n: int) -> None:
    """``n`` more customers in the east station's first area, each with a suspect, a bill, a finding,
    a work order (assigned to the east inspector) and a hazard."""
    from gridcheck.archive.models import Customer
    from gridcheck.audit import services as audit_services
    from gridcheck.audit.models import AuditRule, Finding
    from gridcheck.billing.models import Bill, ReadingBook, ReadingCycle
    from gridcheck.detection.models import DetectionRun, Suspect
    from gridcheck.hazards.models import Hazard
    from gridcheck.inspections.models import Assignment, WorkOrder
    from gridcheck.users.models import Qualification

    station, area = county.stations["east"], county.areas["east1"]
    start = Customer.objects.filter(account_number__startswith="19").count()
    customers = Customer.objects.bulk_create(
        Customer(
            account_number=f"19{start + i:08d}",
            name=f"批量客户{start + i}",
            address="示范县",
            area=area,
            station=station,
            category="commercial" if i % 2 else "residential",
            voltage_level="220V",
            contracted_capacity_kva=Decimal("8"),
            tariff_code="RES-1",
            inspection_class="C",
            is_high_risk=bool(i % 3 == 0),
        )
        for i in range(n)
    )
    run, _ = DetectionRun.objects.get_or_create(month=MONTH)
    Suspect.objects.bulk_create(
        Suspect(
            run=run,
            month=MONTH,
            customer=c,
            area=area,
            station=station,
            meter_number=f"M{c.account_number}",
            score=0.5 + i / 1000,
            rank_in_area=i + 1,
            rank_in_station=i + 1,
            reasons=[],
        )
        for i, c in enumerate(customers)
    )
    book, _ = ReadingBook.objects.get_or_create(
        station=station,
        code="QB1",
        defaults={"name": "查询测试册", "reading_day": 5, "reader": county.users["reader_east"]},
    )
    cycle, _ = ReadingCycle.objects.get_or_create(
        book=book,
        station=station,
        period=MONTH,
        defaults={"reading_date": TODAY, "previous_reading_date": MONTH},
    )
    Bill.objects.bulk_create(
        Bill(
            number=f"B{c.account_number}",
            customer=c,
            station=station,
            area=area,
            cycle=cycle,
            period=MONTH,
            period_start=MONTH,
            period_end=TODAY,
            tariff_code="RES-1",
            tariff_name="居民生活用电",
            energy_kwh=Decimal("100"),
            energy_charge_yuan=Decimal("56.00"),
            total_yuan=Decimal("56.00"),
        )
        for c in customers
    )
    if not AuditRule.objects.exists():
        audit_services.rules_sync()
    rule = AuditRule.objects.order_by("code").first()
    version = rule.versions.order_by("-effective_from").first()
    Finding.objects.bulk_create(
        Finding(
            rule=rule,
            version=version,
            key=f"q-{c.account_number}",
            module=rule.module,
            theme=rule.theme,
            severity=version.severity,
            station=station,
            area=area,
            customer=c,
            summary=f"测试发现 {c.account_number}",
            owner_role=version.owner_role,
            assignee=county.users["auditor_east"],
            deadline=TODAY,
            month=MONTH,
            last_found_at=datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC),
        )
        for c in customers
    )
    orders = WorkOrder.objects.bulk_create(
        WorkOrder(
            number=f"WQ{c.account_number}",
            source="manual",
            customer=c,
            station=station,
            reason="查询测试",
        )
        for c in customers
    )
    inspector = county.users["inspector_east"]
    qualification = Qualification.objects.filter(user=inspector).first()
    Assignment.objects.bulk_create(
        Assignment(work_order=o, inspector=inspector, qualification=qualification) for o in orders
    )
    Hazard.objects.bulk_create(
        Hazard(
            customer=c,
            station=station,
            category="ageing_equipment",
            severity="general",
            description="配电箱老化",
            found_on=MONTH,
            deadline=TODAY,
            responsible_person="张电工",
            responsible_staff=inspector,
            found_by=inspector,
        )
        for c in customers
    )


def queries_of(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in queries]


@pytest.mark.parametrize("username", ["admin", "head_east"])
@pytest.mark.parametrize(("url", "most"), PAGES)
def test_page_queries_do_not_grow_with_rows(county, login, username, url, most):
    from django.core.cache import cache

    client = login(username)
    add_rows(county, 5)
    queries_of(client, url)  # first visit: what is cached per process (menus, the rule table) is read
    cache.clear()  # the home page's tiles are computed again, not read from the cache
    few = queries_of(client, url)
    add_rows(county, 45)
    cache.clear()
    many = queries_of(client, url)
    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= most, "\n".join(many)


@pytest.mark.parametrize("username", ["admin", "head_east", "inspector_east", "auditor_east", "reader_east"])
def test_home_page_of_every_role_does_not_grow_with_rows(county, login, username):
    from django.core.cache import cache

    client = login(username)
    add_rows(county, 5)
    queries_of(client, "/")
    cache.clear()
    few = queries_of(client, "/")
    add_rows(county, 45)
    cache.clear()
    assert len(queries_of(client, "/")) == len(few)


def test_home_page_tiles_are_computed_once_per_scope(county, login):
    """The home page's figures (customers, collection, findings) are computed once for a station and kept:
    a second user of the same station and role reads them from the cache; another station's user gets
    their own, with their own figures, and never the first station's."""
    from gridcheck.core import registries
    from gridcheck.core.scoping import scope_key

    add_rows(county, 5)
    assert {name for name, tile in registries.dashboard.items() if tile.cache_s} >= {
        "archive.summary",
        "collection.figures",
        "audit.findings",
    }
    cold = queries_of(login("inspector_east"), "/")
    warm = queries_of(login("inspector2_east"), "/")  # another inspector of the same station
    assert len(warm) < len(cold)
    assert not any("archive_customer" in sql and "GROUP BY" in sql for sql in warm)
    assert any("archive_customer" in sql and "GROUP BY" in sql for sql in cold)

    east, west = county.users["inspector_east"], county.users["inspector_west"]
    assert scope_key(east) == scope_key(county.users["inspector2_east"])
    assert scope_key(east) != scope_key(west)
    assert scope_key(county.users["admin"]) != scope_key(east)
    assert scope_key(county.users["head_east"]) != scope_key(east)  # another role, other links
    # The west inspector's page is computed for the west station: its customer count, not the east's.
    west_cold = queries_of(login("inspector_west"), "/")
    assert any("archive_customer" in sql and "GROUP BY" in sql for sql in west_cold)


def test_scope_key_of_an_area_manager_is_their_own(county):
    from gridcheck.core.roles import Role
    from gridcheck.core.scoping import scope_key
    from gridcheck.users.models import User

    a = User.objects.create_user("am1", password="x", role=Role.AREA_MANAGER, station=county.stations["east"])
    b = User.objects.create_user("am2", password="x", role=Role.AREA_MANAGER, station=county.stations["east"])
    assert scope_key(a) != scope_key(b)


def test_customer_page_does_not_grow_with_its_rows(county, login):
    """A customer's page with 1 and then 20 bills, hazards and work orders of its own."""
    from gridcheck.archive.models import Customer
    from gridcheck.billing.models import Bill
    from gridcheck.hazards.models import Hazard
    from gridcheck.inspections.models import WorkOrder

    client = login("admin")
    add_rows(county, 1)
    customer = Customer.objects.get(account_number="1900000000")
    url = f"/archive/customers/{customer.pk}/"
    queries_of(client, url)
    few = queries_of(client, url)
    bill = Bill.objects.get(customer=customer)
    hazard = Hazard.objects.get(customer=customer)
    order = WorkOrder.objects.get(customer=customer)
    for i in range(19):
        bill.pk = None
        bill.number = f"BX{i:04d}"
        bill.period = datetime.date(2023 + i // 12, i % 12 + 1, 1)
        bill.save()
        hazard.pk = None
        hazard.save()
        order.pk = None
        order.number = f"WX{i:05d}"
        order.save()
    assert len(queries_of(client, url)) == len(few)


@pytest.mark.parametrize("url", [url for url, _most in PAGES if url not in ("/", "/api/archive/customers/")])
def test_table_rows_are_django_tables2s_markup(county, login, url):
    """The rows written in Python (``{% table_rows %}``) are the markup django-tables2's own template
    writes for the same table, up to the whitespace between tags."""
    import re

    from django.template import Context, Template

    client = login("admin")
    add_rows(county, 7)
    response = client.get(url)
    table = response.context["table"]

    def tbody(html: str) -> str:
        body = re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.S).group(1)
        return re.sub(r">\s+<", "><", body).strip()

    stock = Template(
        '{% load django_tables2 %}{% render_table table "django_tables2/bootstrap5.html" %}'
    ).render(Context({"table": table, "request": response.wsgi_request}))
    ours = tbody(response.content.decode())
    assert ours.count("<tr") >= 7
    assert ours == tbody(stock)


def test_home_page_does_not_save_the_session_on_every_visit(county, login):
    client = login("head_east")
    client.get("/")  # the first page after logging in marks the session once
    writes = [
        sql for sql in queries_of(client, "/") if '"django_session"' in sql and not sql.startswith("SELECT")
    ]
    assert writes == []


def test_a_long_lists_count_is_kept_a_while(county, login, monkeypatch):
    """A list of ``COUNT_CACHE_FROM`` rows or more is counted once and then read from the cache, per scope:
    another station's user gets their own count."""
    from django.core.cache import cache

    from gridcheck.core import generic

    cache.clear()
    monkeypatch.setattr(generic, "COUNT_CACHE_FROM", 10)
    add_rows(county, 5)

    def counts(client):
        return [
            sql
            for sql in queries_of(client, "/archive/customers/")
            if "COUNT(*)" in sql and "archive_customer" in sql
        ]

    admin = login("admin")
    assert len(counts(admin)) == 1
    assert counts(admin) == []
    assert admin.get("/archive/customers/").context["count"] == 13
    west = login("inspector_west")
    assert len(counts(west)) == 1  # west's two customers: too few to keep, counted every time
    assert len(counts(west)) == 1
    assert west.get("/archive/customers/").context["count"] == 4
    cache.clear()
