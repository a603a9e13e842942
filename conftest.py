"""Fixtures shared by every test: a small two-station county with one user per role."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from gridcheck.core.roles import Role

# The browser fixtures, one session-wide browser for tests/browser and the apps' browser tests alike.
pytest_plugins = ["tests.browser.fixtures"]
# Checks that test modules share, with pytest's detailed assertion messages.
pytest.register_assert_rewrite("gridcheck.billing.tests.demo_checks")

PASSWORD = "gridcheck-test-pw"


#: Fixtures through which a test reaches the database (pytest-django refuses it to any other test).
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup", "django_db_reset_sequences"}


def pytest_collection_modifyitems(config, items):
    """With ``GRIDCHECK_TESTS_NEEDING_A_DATABASE_ONLY=1`` (the second database's run of scripts/test.sh),
    leave out the tests that cannot reach the database (no ``django_db`` mark, no database fixture):
    they give the same result on either database, and the first run has run them. The analytics core's
    tests (tests/analytics, none reaches the database) are shared out between the two runs by the
    script itself."""
    import os

    if os.environ.get("GRIDCHECK_TESTS_NEEDING_A_DATABASE_ONLY") != "1":
        return
    kept, left_out = [], []
    for item in items:
        if item.nodeid.startswith("tests/analytics/"):
            kept.append(item)
            continue
        reaches = item.get_closest_marker("django_db") is not None or bool(
            DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        (kept if reaches else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: what one test kept (a home page tile, a long list's count)
    is not read by the next."""
    from django.core.cache import cache

    cache.clear()


@dataclass
class SmallCounty:
    """Two stations (east, west), each with a line, two areas, customers, metering points and meters."""

    company: object = None
    stations: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)
    areas: dict = field(default_factory=dict)
    customers: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    password: str = PASSWORD


def build_county() -> SmallCounty:
    """The small county's rows, written as ``Model.objects.create`` would write them (each row and its
    creation in the history), but a table at a time: ``bulk_create_with_history`` per model, parents
    first. About a tenth of the queries of a row at a time, for the ~2,000 tests that start from it."""
    from simple_history.utils import bulk_create_with_history

    from gridcheck.archive.models import (
        Area,
        Company,
        Customer,
        Line,
        Meter,
        MeteringPoint,
        Station,
        Tariff,
    )
    from gridcheck.users.models import Qualification, User

    c = SmallCounty()
    c.company = Company(code="C01", name="示范县供电公司")
    tariffs = [
        Tariff(
            code="RES-1",
            name="居民生活用电",
            category="residential",
            price_yuan_per_kwh=Decimal("0.5600"),
            effective_from=datetime.date(2020, 1, 1),
        ),
        Tariff(
            code="GEN-1",
            name="一般工商业",
            category="general",
            price_yuan_per_kwh=Decimal("0.6500"),
            effective_from=datetime.date(2020, 1, 1),
        ),
    ]
    for key, (code, name) in {"east": ("S01", "东城供电所"), "west": ("S02", "西山供电所")}.items():
        c.stations[key] = Station(company=c.company, code=code, name=name)
    # Users: one per role at the east station, plus a west-station inspector and county-level users.
    roles = [
        ("head_east", Role.STATION_HEAD, "east"),
        ("inspector_east", Role.INSPECTOR, "east"),
        ("inspector2_east", Role.INSPECTOR, "east"),
        ("reader_east", Role.METER_READER, "east"),
        ("auditor_east", Role.AUDITOR, "east"),
        ("manager_east", Role.AREA_MANAGER, "east"),
        ("inspector_west", Role.INSPECTOR, "west"),
        ("liaison", Role.GOVERNMENT_LIAISON, None),
        ("admin", Role.ADMINISTRATOR, None),
    ]
    for username, role, station in roles:
        # What ``User.objects.create_user(username=..., password=..., ...)`` sets.
        user = User(
            username=User.normalize_username(username),
            email="",
            full_name=username,
            role=role,
            station=c.stations[station] if station else None,
        )
        user.set_password(PASSWORD)
        c.users[username] = user
    qualifications = [
        Qualification(
            user=c.users[username],
            level="2",
            certificate_number=f"JC-2024-{n:04d}",
            issued_on=datetime.date(2024, 1, 1),
            expires_on=datetime.date(2029, 12, 31),
        )
        for n, username in enumerate(["inspector_east", "inspector2_east", "inspector_west"])
    ]
    points, meters = [], []
    for key, station in c.stations.items():
        line = Line(station=station, code=f"{station.code}-L1", name=f"{station.name}10kV一线")
        c.lines[key] = line
        for n in (1, 2):
            owner = c.users["manager_east"] if (key == "east" and n == 1) else None
            area = Area(
                line=line,
                station=station,
                code=f"{station.code}-A{n}",
                name=f"{station.name}{n}号台区",
                capacity_kva=Decimal("400"),
                owner=owner,
            )
            c.areas[f"{key}{n}"] = area
            for m in (1, 2):
                account = f"{station.code[-1]}{n}{m:08d}"
                customer = Customer(
                    account_number=account,
                    name=f"客户{key}{n}{m}",
                    address="示范县某镇某村",
                    area=area,
                    station=station,
                    category="residential" if m == 1 else "commercial",
                    voltage_level="220V" if m == 1 else "380V",
                    contracted_capacity_kva=Decimal("8") if m == 1 else Decimal("50"),
                    tariff_code="RES-1" if m == 1 else "GEN-1",
                    inspection_class="C" if m == 1 else "B",
                )
                c.customers[f"{key}{n}{m}"] = customer
                point = MeteringPoint(
                    customer=customer, code=f"MP{account}", ct_ratio=Decimal("1") if m == 1 else Decimal("40")
                )
                point.multiplier = point.derive_multiplier(point.ct_ratio, point.pt_ratio)  # as its save()
                points.append(point)
                meters.append(
                    Meter(
                        metering_point=point,
                        asset_number=f"M{account}",
                        phase="single" if m == 1 else "three",
                        accuracy_class="2.0" if m == 1 else "1.0",
                        rated_current_a=Decimal("5") if m == 1 else Decimal("1.5"),
                        max_current_a=Decimal("60") if m == 1 else Decimal("6"),
                        install_date=datetime.date(2022, 3, 1),
                    )
                )
    for model, rows in (
        (Company, [c.company]),
        (Tariff, tariffs),
        (Station, list(c.stations.values())),
        (User, list(c.users.values())),
        (Qualification, qualifications),
        (Line, list(c.lines.values())),
        (Area, list(c.areas.values())),
        (Customer, list(c.customers.values())),
        (MeteringPoint, points),
        (Meter, meters),
    ):
        bulk_create_with_history(rows, model)
    return c


@pytest.fixture
def county(db) -> SmallCounty:
    return build_county()


@pytest.fixture
def login(client, county):
    """Log the Django test client in as one of the county's users: ``login("inspector_east")``."""

    def _login(username: str):
        user = county.users[username]
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login
