"""Several counts in one query (``core.counting.count_together``) equal the counts one by one, and the
home page's to-do list counts its lines in a handful of queries, not one (or ten) per line."""

import datetime

import pytest

from gridcheck.archive.models import Customer, Station
from gridcheck.cases import services as cases
from gridcheck.core.context_processors import allowed
from gridcheck.core.counting import count_together
from gridcheck.core.registries import todos
from gridcheck.core.views import Todo, todo_list
from gridcheck.inspections.services.work_orders import work_order_assign, work_order_create
from gridcheck.reports import selectors as reports

pytestmark = pytest.mark.django_db


def test_counts_together_equal_counts_one_by_one(county):
    querysets = [
        Customer.objects.all(),
        Customer.objects.filter(area__line__station=county.stations["east"]),
        Customer.objects.exclude(area__line__station=county.stations["east"]).order_by("-name"),
        Customer.objects.filter(metering_points__isnull=False).distinct(),
        Customer.objects.values("area_id").distinct(),
        Customer.objects.none(),
        Customer.objects.order_by("pk")[:3],
        Station.objects.order_by().values("pk").union(Station.objects.order_by().values("pk"), all=True),
        Station.objects.filter(code="none such"),
    ]
    expected = [qs.count() for qs in querysets]
    assert expected[0] > expected[1] > 0 and expected[3] > 0 and expected[7] == 2 * Station.objects.count()
    assert count_together(querysets) == expected
    assert count_together([]) == []


def test_count_together_is_one_query(county, django_assert_num_queries):
    with django_assert_num_queries(1):
        count_together([Customer.objects.all(), Station.objects.all(), Customer.objects.none()])


def _one_by_one(user) -> list[Todo]:
    """The to-do list as it was counted before: each line's own query."""
    lines = []
    for item in sorted(todos.values(), key=lambda item: item.order):
        if not allowed(user, item.allowed):
            continue
        count = item.number(user)
        if count:
            lines.append(Todo(label=str(item.label), count=count, url=item.url(user), urgent=item.urgent))
    return lines


def _waiting_things(county):
    case = cases.case_create(
        customer=county.customers["east11"],
        kind="theft",
        theft_type="bypass_meter",
        case_date=datetime.date(2023, 5, 1),
        facts="表前绕越接线",
        created_by=county.users["inspector_east"],
    )
    case = cases.case_compute(case=case, user=county.users["inspector_east"])
    case = cases.case_notify(
        case=case, signed_by_customer=True, signer_name="张三", user=county.users["inspector_east"]
    )
    cases.case_submit_for_approval(case=case, user=county.users["inspector_east"])
    order = work_order_create(
        source="manual",
        customer=county.customers["east11"],
        reason="用电检查",
        created_by=county.users["head_east"],
        due_on=datetime.date.today() - datetime.timedelta(days=1),
    )
    work_order_assign(
        work_order=order,
        inspectors=[county.users["inspector_east"], county.users["inspector2_east"]],
        visit_date=datetime.date.today(),
        assigned_by=county.users["head_east"],
    )
    work_order_create(
        source="manual",
        customer=county.customers["west11"],
        reason="用电检查",
        created_by=county.users["admin"],
        due_on=datetime.date.today(),
    )


def test_the_to_do_list_counted_together_equals_the_lines_counted_one_by_one(county):
    _waiting_things(county)
    shown = 0
    for user in county.users.values():
        together = todo_list(user)
        assert together == _one_by_one(user), user.username
        shown += len(together)
    assert shown >= 8  # cases, work orders (mine, overdue, to dispatch), reports due or late


@pytest.mark.parametrize(("username", "most"), [("admin", 5), ("head_east", 5), ("inspector_east", 3)])
def test_the_to_do_list_counts_in_a_few_queries(county, django_assert_max_num_queries, username, most):
    # Before: a query per line and ten per report line (administrator: 66 on a cold home page).
    _waiting_things(county)
    user = county.users[username]
    todo_list(user)  # the user's capabilities, the menu's registries
    with django_assert_max_num_queries(most):
        assert todo_list(user)


def test_reports_missing_equals_the_counts(county):
    head, admin = county.users["head_east"], county.users["admin"]
    for today in (datetime.date(2026, 1, 3), datetime.date(2026, 1, 28), datetime.date(2026, 3, 31)):
        for user in (head, admin):
            missing = reports.not_generated_count(user, today=today)
            late = reports.late_count(user, today=today)
            assert missing > 0
            assert reports.reports_missing(user, today=today).count() == missing
            assert reports.reports_missing(user, today=today, late=True).count() == late
            assert reports.reports_missing(user, today=today, late=False).count() == missing - late


def test_a_lists_count_leaves_out_its_computed_columns_not_its_filters(county):
    from django.db import connection
    from django.db.models import OuterRef, Subquery
    from django.test.utils import CaptureQueriesContext

    from gridcheck.archive.models import MeteringPoint
    from gridcheck.core.generic import capped_count

    first_point = MeteringPoint.objects.filter(customer=OuterRef("pk")).order_by("pk").values("pk")[:1]
    listed = Customer.objects.select_related("area").annotate(point=Subquery(first_point))
    for queryset, computed in (
        (listed, False),
        (listed.filter(point__isnull=True), True),  # a filter on it: kept
        (listed.filter(area__line__station=county.stations["west"]), False),
        (listed.values("area_id").distinct(), False),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert capped_count(queryset) == (queryset.count(), False)
        assert ("archive_meteringpoint" in queries[0]["sql"]) == computed
    assert (
        capped_count(listed)[0]
        == Customer.objects.count()
        > capped_count(listed.filter(point__isnull=True))[0]
    )


@pytest.mark.parametrize("username", ["admin", "head_east", "manager_east"])
def test_the_archive_tiles_counts_in_one_query_equal_the_counts(county, username, django_assert_num_queries):
    from gridcheck.archive.models import Area, Line, Meter
    from gridcheck.archive.selectors import dashboard_counts
    from gridcheck.core.scoping import scope_queryset

    user = county.users[username]
    models = {"stations": Station, "lines": Line, "areas": Area, "customers": Customer, "meters": Meter}
    expected = {name: scope_queryset(model.objects.all(), user).count() for name, model in models.items()}
    assert expected["customers"] > 0
    with django_assert_num_queries(1):
        assert dashboard_counts(user=user) == expected
