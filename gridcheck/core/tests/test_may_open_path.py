"""A link is shown only to who may follow it: ``may_open_path`` (the ``opens`` template filter) answers as
the page itself does, for every role, and the pages that linked to pages a role may not open (a meter
reader, the government liaison and an inspector followed them to a 403 in the demo) no longer do."""

import pytest
from django.urls import reverse

from gridcheck.core.access import may_open_path

pytestmark = pytest.mark.django_db


def paths(county) -> list[str]:
    customer = county.customers["east11"]
    return [
        "/detection/suspects/",
        reverse("billing:billing_terms", args=[customer.pk]),
        reverse("archive:import"),
        reverse("metering:asset_receive"),
        reverse("readings:import"),
        reverse("archive:customer_detail", args=[customer.pk]),
        reverse("hazards:customer_safety", args=[customer.pk]),
        reverse("inspections:workorder_list"),
        "/no/such/page/",
    ]


def test_may_open_path_answers_as_the_page_does(client, county):
    refused = set()
    for username, user in county.users.items():
        client.force_login(user)
        for path in paths(county):
            status = client.get(path).status_code
            assert may_open_path(user, path) is (status != 403), (username, path, status)
            if status == 403:
                refused.add((username, path))
    # the check is not vacuous: some roles are refused some of these pages, and the head none of them
    assert any(u == "reader_east" for u, _ in refused) and any(u == "liaison" for u, _ in refused)
    assert not any(u == "head_east" for u, _ in refused)


def test_the_customer_safety_page_links_the_archive_only_for_who_may_read_it(login, county):
    customer = county.customers["east11"]
    page = reverse("hazards:customer_safety", args=[customer.pk])
    link = f'href="{reverse("archive:customer_detail", args=[customer.pk])}"'
    assert link in login("head_east").get(page).content.decode()
    response = login("liaison").get(page)
    assert response.status_code == 200 and link not in response.content.decode()
