"""The home page's to-do list: what waits for the user, counted in their scope, linked to the list that
shows it; nothing of another station; nothing one prepared oneself to approve."""

import datetime

import pytest
from django.urls import reverse

from gridcheck.cases import services as cases
from gridcheck.core.views import todo_list
from gridcheck.inspections.services.work_orders import work_order_assign, work_order_create

pytestmark = pytest.mark.django_db


def _labels(user) -> dict[str, int]:
    return {todo.label: todo.count for todo in todo_list(user)}


def _pending_case(county, key="east11", by="inspector_east"):
    case = cases.case_create(
        customer=county.customers[key],
        kind="theft",
        theft_type="bypass_meter",
        case_date=datetime.date(2023, 5, 1),
        facts="表前绕越接线",
        created_by=county.users[by],
    )
    case = cases.case_compute(case=case, user=county.users[by])
    case = cases.case_notify(case=case, signed_by_customer=True, signer_name="张三", user=county.users[by])
    return cases.case_submit_for_approval(case=case, user=county.users[by])


def _case_lines(user):
    return [(t.count, t.url) for t in todo_list(user) if t.url.startswith(reverse("cases:case_list"))]


def test_a_case_submitted_for_approval_waits_for_the_station_head_not_its_creator(county):
    _pending_case(county)
    waiting = [(1, reverse("cases:case_list") + "?status=pending_approval")]
    assert _case_lines(county.users["head_east"]) == waiting
    assert _case_lines(county.users["admin"]) == waiting  # county level: every station
    # The inspector who opened it has nothing to approve.
    assert _case_lines(county.users["inspector_east"]) == []


def test_a_case_of_another_station_does_not_wait_for_this_head(county):
    _pending_case(county, key="west11", by="inspector_west")
    assert _case_lines(county.users["head_east"]) == []
    assert _case_lines(county.users["admin"]) == [
        (1, reverse("cases:case_list") + "?status=pending_approval")
    ]


def test_work_orders_assigned_to_an_inspector_wait_on_their_home_and_overdue_ones_are_urgent(county, client):
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
    mine = [t for t in todo_list(county.users["inspector_east"]) if t.url == reverse("inspections:my_work")]
    assert [(t.count, t.urgent) for t in mine] == [(1, False), (1, True)]
    assert not [
        t for t in todo_list(county.users["inspector_west"]) if t.url == reverse("inspections:my_work")
    ]

    client.force_login(county.users["inspector_east"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="todo"' in page
    assert f'href="{reverse("inspections:my_work")}"' in page


def test_nothing_waiting_says_so(county, client):
    assert todo_list(county.users["liaison"]) == []
    client.force_login(county.users["liaison"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="todo"' in page
    todo_card = page.split('data-testid="todo"', 1)[1].split("</section>", 1)[0]
    assert "gc-todo" not in todo_card and "list-group-item" not in todo_card
