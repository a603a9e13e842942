"""The home dashboard: counts, breakdowns and last imports within the user's scope."""

from django.urls import reverse

from gridcheck.archive.models import ImportBatch


def test_anonymous_is_sent_to_login(client, county):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_counts_are_scoped(login, county):
    east = login("inspector_east").get(reverse("home"))
    assert east.context["counts"] == {"stations": 1, "lines": 1, "areas": 2, "customers": 4, "meters": 4}
    manager = login("manager_east").get(reverse("home"))
    assert manager.context["counts"] == {"stations": 1, "lines": 1, "areas": 1, "customers": 2, "meters": 2}
    county_level = login("admin").get(reverse("home"))
    assert county_level.context["counts"] == {
        "stations": 2,
        "lines": 2,
        "areas": 4,
        "customers": 8,
        "meters": 8,
    }


def test_breakdown_by_category_and_class(login, county):
    customer = county.customers["east11"]
    customer.is_high_risk = True
    customer.save()
    county.customers["west11"].is_important = True
    county.customers["west11"].save()
    response = login("inspector_east").get(reverse("home"))
    breakdown = response.context["breakdown"]
    by_category = {row["value"]: row["count"] for row in breakdown["by_category"]}
    assert (
        by_category["residential"] == 2 and by_category["commercial"] == 2 and by_category["industrial"] == 0
    )
    by_class = {row["value"]: row["count"] for row in breakdown["by_class"]}
    assert by_class == {"A": 0, "B": 2, "C": 2}
    assert breakdown["high_risk"] == 1 and breakdown["important"] == 0
    body = response.content.decode()
    assert "echarts.min.js" in body and 'id="gc-chart-data"' in body


def test_last_imports_are_scoped(login, county):
    for n, key in enumerate(["east", "east", "west"]):
        ImportBatch.objects.create(
            entity="customers",
            file_name=f"{key}-{n}.xlsx",
            sha256="0" * 64,
            status="succeeded",
            station=county.stations[key],
            started_by=county.users["admin"],
        )
    response = login("inspector_east").get(reverse("home"))
    names = [batch.file_name for batch in response.context["imports"]]
    assert sorted(names) == ["east-0.xlsx", "east-1.xlsx"]
    assert "west-2.xlsx" not in response.content.decode()


def test_search_box_and_links(login, county):
    body = login("inspector_east").get(reverse("home")).content.decode()
    assert reverse("archive:search") in body and reverse("archive:customer_list") in body


def test_the_liaison_home_has_no_customer_archive(login, county):
    response = login("liaison").get(reverse("home"))
    assert response.status_code == 200
    assert "counts" not in response.context and 'data-testid="stats"' not in response.content.decode()
