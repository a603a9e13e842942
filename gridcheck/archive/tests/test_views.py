"""Archive pages: scoping on every list, detail page and export; search, sorting, paging, editing, history."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from gridcheck.archive.models import Area, Customer, Line, Meter, MeteringPoint, Station

# (list url name, export entity, model, the text that identifies a row on the page, field of it)
LISTS = [
    ("archive:station_list", "stations", Station, "code"),
    ("archive:line_list", "lines", Line, "code"),
    ("archive:area_list", "areas", Area, "code"),
    ("archive:customer_list", "customers", Customer, "account_number"),
    ("archive:meteringpoint_list", "metering_points", MeteringPoint, "code"),
    ("archive:meter_list", "meters", Meter, "asset_number"),
]

DETAILS = [
    ("archive:station_detail", lambda c, key: c.stations[key]),
    ("archive:line_detail", lambda c, key: c.lines[key]),
    ("archive:area_detail", lambda c, key: c.areas[f"{key}1"]),
    ("archive:customer_detail", lambda c, key: c.customers[f"{key}11"]),
    ("archive:meteringpoint_detail", lambda c, key: c.customers[f"{key}11"].metering_points.get()),
    (
        "archive:meter_detail",
        lambda c, key: Meter.objects.get(metering_point__customer=c.customers[f"{key}11"]),
    ),
]


def identifiers(model, field, **filters):
    return set(model.objects.filter(**filters).values_list(field, flat=True))


def station_filter(model):
    lookup = model.SCOPE_STATION.removesuffix("_id")
    return lambda code: {f"{lookup}__code" if lookup != "pk" else "code": code}


def xlsx_text(response) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return "\n".join(
        " ".join("" if v is None else str(v) for v in row)
        for ws in workbook
        for row in ws.iter_rows(values_only=True)
    )


# -- access --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [item[0] for item in LISTS] + ["archive:tariff_list", "archive:search", "home"]
)
def test_anonymous_is_sent_to_login(client, county, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_detail_is_sent_to_login(client, county):
    response = client.get(county.customers["east11"].get_absolute_url())
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# -- lists: station staff, area manager, county level ------------------------------------------------------


@pytest.mark.parametrize("name,entity,model,field", LISTS)
def test_station_user_list_shows_only_their_station(login, county, name, entity, model, field):
    client = login("inspector_east")
    body = client.get(reverse(name)).content.decode()
    by_station = station_filter(model)
    east, west = (
        identifiers(model, field, **by_station("S01")),
        identifiers(model, field, **by_station("S02")),
    )
    assert east and west
    for value in east:
        assert value in body
    for value in west:
        assert value not in body
    # No other station's name leaks through a filter dropdown either.
    assert "西山供电所" not in body


@pytest.mark.parametrize("name,entity,model,field", LISTS)
def test_area_manager_list_shows_only_their_area(login, county, name, entity, model, field):
    body = login("manager_east").get(reverse(name)).content.decode()
    if model in (Station, Line):  # the station and line above their area
        mine = identifiers(model, field, **station_filter(model)("S01"))
    else:
        area_lookup = model.SCOPE_AREA.removesuffix("_id")
        mine = identifiers(
            model, field, **{"code" if area_lookup == "pk" else f"{area_lookup}__code": "S01-A1"}
        )
    others = identifiers(model, field) - mine
    assert mine and others
    assert all(v in body for v in mine)
    assert all(v not in body for v in others)


@pytest.mark.parametrize("name,entity,model,field", LISTS)
def test_county_user_sees_every_station(login, county, name, entity, model, field):
    body = login("admin").get(reverse(name)).content.decode()
    assert all(v in body for v in identifiers(model, field))


@pytest.mark.parametrize("name,entity,model,field", LISTS)
def test_export_is_scoped_and_filtered(login, county, name, entity, model, field):
    client = login("inspector_east")
    response = client.get(reverse(name), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = xlsx_text(response)
    by_station = station_filter(model)
    assert all(v in text for v in identifiers(model, field, **by_station("S01")))
    assert all(v not in text for v in identifiers(model, field, **by_station("S02")))


def test_export_area_manager_customers(login, county):
    text = xlsx_text(login("manager_east").get(reverse("archive:customer_list"), {"export": "xlsx"}))
    assert county.customers["east11"].account_number in text
    assert county.customers["east12"].account_number in text
    assert county.customers["east21"].account_number not in text
    assert county.customers["west11"].account_number not in text


def test_export_follows_the_filters(login, county):
    client = login("admin")
    text = xlsx_text(
        client.get(reverse("archive:customer_list"), {"export": "xlsx", "category": "commercial"})
    )
    assert county.customers["west12"].account_number in text
    assert county.customers["west11"].account_number not in text


def test_customer_list_filters_offer_only_scope(login, county):
    response = login("manager_east").get(reverse("archive:customer_list"))
    area_field = response.context["filter"].form.fields["area"]
    assert list(area_field.queryset.values_list("code", flat=True)) == ["S01-A1"]
    station_field = response.context["filter"].form.fields["station"]
    assert list(station_field.queryset.values_list("code", flat=True)) == ["S01"]


def test_filter_by_another_stations_area_shows_nothing(login, county):
    client = login("inspector_east")
    response = client.get(reverse("archive:customer_list"), {"area": county.areas["west1"].pk})
    body = response.content.decode()
    assert county.customers["west11"].account_number not in body
    assert county.customers["east11"].account_number not in body


def test_tariff_list_shows_catalogue(login, county):
    body = login("inspector_west").get(reverse("archive:tariff_list")).content.decode()
    assert "RES-1" in body and "GEN-1" in body


# -- detail pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,get", DETAILS)
def test_station_user_gets_404_on_other_station(login, county, name, get):
    client = login("inspector_east")
    assert client.get(reverse(name, args=[get(county, "east").pk])).status_code == 200
    assert client.get(reverse(name, args=[get(county, "west").pk])).status_code == 404


@pytest.mark.parametrize("name,get", DETAILS)
def test_area_manager_gets_404_outside_their_area(login, county, name, get):
    client = login("manager_east")
    assert client.get(reverse(name, args=[get(county, "east").pk])).status_code == 200
    assert client.get(reverse(name, args=[get(county, "west").pk])).status_code == 404


def test_area_manager_gets_404_on_other_area_of_their_station(login, county):
    client = login("manager_east")
    assert client.get(county.areas["east2"].get_absolute_url()).status_code == 404
    assert client.get(county.customers["east21"].get_absolute_url()).status_code == 404


def test_customer_detail_shows_hierarchy_and_meters(login, county):
    customer = county.customers["east12"]
    response = login("inspector_east").get(customer.get_absolute_url())
    body = response.content.decode()
    crumbs = [str(item) for _level, item, _url in response.context["breadcrumb"]]
    assert crumbs == [
        "示范县供电公司",
        "东城供电所",
        "东城供电所10kV一线",
        "东城供电所1号台区",
        str(customer),
    ]
    assert "M1100000002" in body and "MP1100000002" in body
    assert "40.00" in body  # the multiplier of a CT 40/1 metering point


def test_meter_detail_breadcrumb_goes_down_to_the_meter(login, county):
    meter = Meter.objects.get(asset_number="M1100000002")
    response = login("inspector_east").get(meter.get_absolute_url())
    levels = [str(level) for level, _item, _url in response.context["breadcrumb"]]
    assert len(levels) == 7
    assert [str(item) for _l, item, _u in response.context["breadcrumb"]][-2:] == [
        "MP1100000002",
        "M1100000002",
    ]
    assert "1.5(6)A" in response.content.decode()


def test_station_detail_lists_lines_and_areas(login, county):
    body = login("head_east").get(county.stations["east"].get_absolute_url()).content.decode()
    assert "S01-L1" in body and "S01-A1" in body and "S01-A2" in body
    assert "S02-A1" not in body


def test_area_detail_lists_only_its_customers(login, county):
    body = login("head_east").get(county.areas["east1"].get_absolute_url()).content.decode()
    assert "客户east11" in body and "客户east12" in body
    assert "客户east21" not in body


def test_station_detail_of_area_manager_lists_only_owned_areas(login, county):
    body = login("manager_east").get(county.stations["east"].get_absolute_url()).content.decode()
    assert "S01-A1" in body and "S01-A2" not in body


# -- search, sorting, paging ----------------------------------------------------------------------------------


def test_search_by_account_number_prefix(login, county):
    body = login("inspector_east").get(reverse("archive:customer_list"), {"q": "1200"}).content.decode()
    assert "1200000001" in body and "1200000002" in body
    assert "1100000001" not in body


def test_search_by_name_and_meter_number(login, county):
    client = login("inspector_east")
    body = client.get(reverse("archive:customer_list"), {"q": "east21"}).content.decode()
    assert "1200000001" in body and "1100000001" not in body
    body = client.get(reverse("archive:customer_list"), {"q": "M1100000002"}).content.decode()
    assert "1100000002" in body and "1100000001" not in body


def test_global_search_exact_hit_redirects(login, county):
    client = login("inspector_east")
    customer = county.customers["east12"]
    response = client.get(reverse("archive:search"), {"q": customer.account_number})
    assert response.status_code == 302 and response.url == customer.get_absolute_url()
    response = client.get(reverse("archive:search"), {"q": "M1100000002"})
    assert response.status_code == 302 and response.url == customer.get_absolute_url()


def test_global_search_lists_several_hits_in_scope(login, county):
    response = login("inspector_east").get(reverse("archive:search"), {"q": "客户east"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "客户east11" in body and "客户east22" in body
    assert "客户west" not in body


def test_global_search_does_not_reach_other_station(login, county):
    client = login("inspector_east")
    west = county.customers["west11"]
    response = client.get(reverse("archive:search"), {"q": west.account_number})
    assert response.status_code == 200
    assert west.name not in response.content.decode()
    response = client.get(reverse("archive:search"), {"q": "M2100000001"})
    assert response.status_code == 200 and west.name not in response.content.decode()


def test_sorting_by_column_header(login, county):
    client = login("admin")
    asc = client.get(reverse("archive:customer_list"), {"sort": "account_number"}).context["table"]
    desc = client.get(reverse("archive:customer_list"), {"sort": "-account_number"}).context["table"]
    asc_numbers = [row.record.account_number for row in asc.page.object_list]
    desc_numbers = [row.record.account_number for row in desc.page.object_list]
    assert asc_numbers == sorted(asc_numbers) and asc_numbers[0] == "1100000001"
    assert desc_numbers == sorted(desc_numbers, reverse=True) and desc_numbers[0] == "2200000002"


def test_paging_fifty_per_page(login, county):
    base = county.areas["east1"]
    Customer.objects.bulk_create(
        [
            Customer(
                account_number=f"19{n:08d}",
                name=f"批量{n}",
                area=base,
                station=base.station,
                category="residential",
                voltage_level="220V",
                contracted_capacity_kva=Decimal("8"),
                tariff_code="RES-1",
                inspection_class="C",
            )
            for n in range(60)
        ]
    )
    client = login("inspector_east")
    first = client.get(reverse("archive:customer_list"), {"q": "19"})
    assert len(first.context["table"].page.object_list) == 50
    assert first.context["count"] == 60
    assert first.context["table"].page.has_next()
    second = client.get(reverse("archive:customer_list"), {"q": "19", "page": 2})
    records = [row.record.account_number for row in second.context["table"].page.object_list]
    assert records == [f"19{n:08d}" for n in range(50, 60)]
    assert not second.context["table"].page.has_next()
    # A page past the end falls back to the first page instead of failing.
    assert client.get(reverse("archive:customer_list"), {"q": "19", "page": 99}).status_code == 200


# -- editing and history --------------------------------------------------------------------------------------


def edit_data(customer, **changes):
    data = {
        "name": customer.name,
        "address": customer.address,
        "phone": customer.phone,
        "area": customer.area_id,
        "category": customer.category,
        "voltage_level": customer.voltage_level,
        "contracted_capacity_kva": str(customer.contracted_capacity_kva),
        "tariff_code": customer.tariff_code,
        "inspection_class": customer.inspection_class,
        "status": customer.status,
        "connected_on": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_liaison_cannot_reach_edit_page(login, county):
    client = login("liaison")
    url = reverse("archive:customer_edit", args=[county.customers["east11"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, edit_data(county.customers["east11"], name="改名")).status_code == 403
    county.customers["east11"].refresh_from_db()
    assert county.customers["east11"].name == "客户east11"


def test_liaison_sees_no_edit_button(login, county):
    body = login("liaison").get(county.customers["east11"].get_absolute_url()).content.decode()
    assert reverse("archive:customer_edit", args=[county.customers["east11"].pk]) not in body


def test_station_head_cannot_edit_other_station_customer(login, county):
    url = reverse("archive:customer_edit", args=[county.customers["west11"].pk])
    assert login("head_east").get(url).status_code == 404


def test_edit_records_history_with_who_and_old_new(login, county):
    customer = county.customers["east11"]
    client = login("head_east")
    url = reverse("archive:customer_edit", args=[customer.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, edit_data(customer, name="王建国", inspection_class="A"))
    assert response.status_code == 302 and response.url == customer.get_absolute_url()
    customer.refresh_from_db()
    assert customer.name == "王建国" and customer.inspection_class == "A"
    record = customer.history.first()
    assert record.history_type == "~" and record.history_user == county.users["head_east"]

    page = client.get(customer.get_absolute_url())
    entry = page.context["history"][0]
    assert entry["user"] == county.users["head_east"]
    changes = [(c["old"], c["new"]) for c in entry["changes"]]
    assert ("客户east11", "王建国") in changes
    assert len(changes) == 2  # name and inspection class, nothing else
    body = page.content.decode()
    assert "客户east11" in body and "王建国" in body and "head_east" in body


def test_edit_moves_customer_with_its_area_station(login, county):
    customer = county.customers["east11"]
    client = login("admin")
    url = reverse("archive:customer_edit", args=[customer.pk])
    client.post(url, edit_data(customer, area=county.areas["west2"].pk))
    customer.refresh_from_db()
    assert customer.area == county.areas["west2"] and customer.station == county.stations["west"]


def test_edit_rejects_invalid_capacity_and_changes_nothing(login, county):
    customer = county.customers["east11"]
    client = login("head_east")
    url = reverse("archive:customer_edit", args=[customer.pk])
    response = client.post(url, edit_data(customer, contracted_capacity_kva="0"))
    assert response.status_code == 200 and response.context["form"].errors
    customer.refresh_from_db()
    assert customer.contracted_capacity_kva == Decimal("8")


def test_edit_form_offers_only_areas_in_scope(login, county):
    url = reverse("archive:customer_edit", args=[county.customers["east11"].pk])
    form = login("head_east").get(url).context["form"]
    assert set(form.fields["area"].queryset.values_list("code", flat=True)) == {"S01-A1", "S01-A2"}
    response = login("head_east").post(
        url, edit_data(county.customers["east11"], area=county.areas["west1"].pk)
    )
    assert response.status_code == 200 and "area" in response.context["form"].errors


def test_customer_update_service_is_validated(county):
    from django.core.exceptions import ValidationError

    from gridcheck.archive.services import customer_update

    customer = county.customers["east12"]
    with pytest.raises(ValidationError):
        customer_update(customer=customer, user=county.users["admin"], inspection_class="Z")
    customer.refresh_from_db()
    assert customer.inspection_class == "B"
    with pytest.raises(ValueError):
        customer_update(customer=customer, user=county.users["admin"], account_number="1")
    customer_update(customer=customer, user=county.users["admin"], area=county.areas["east2"])
    customer.refresh_from_db()
    assert customer.area == county.areas["east2"] and customer.station == county.stations["east"]
    assert customer.history.first().history_user == county.users["admin"]


def test_paging_in_other_orderings(login, county):
    base = county.areas["west1"]
    Customer.objects.bulk_create(
        [
            Customer(
                account_number=f"29{n:08d}",
                name=f"西批量{n:03d}",
                area=base,
                station=base.station,
                category="residential",
                voltage_level="220V",
                contracted_capacity_kva=Decimal("8"),
                tariff_code="RES-1",
                inspection_class="C",
            )
            for n in range(55)
        ]
    )
    client = login("inspector_west")
    by_desc = client.get(reverse("archive:customer_list"), {"sort": "-account_number", "page": 2})
    numbers = [row.record.account_number for row in by_desc.context["table"].page.object_list]
    assert numbers[0] == "2900000004" and numbers[-1] == "2100000001" and len(numbers) == 9
    by_name = client.get(reverse("archive:customer_list"), {"sort": "-name", "page": 1})
    names = [row.record.name for row in by_name.context["table"].page.object_list]
    assert names == sorted(names, reverse=True) and len(names) == 50


def test_area_dropdown_narrowed_by_chosen_station(login, county):
    client = login("admin")
    form = (
        client.get(reverse("archive:customer_list"), {"station": county.stations["west"].pk})
        .context["filter"]
        .form
    )
    assert set(form.fields["area"].queryset.values_list("code", flat=True)) == {"S02-A1", "S02-A2"}
    form = client.get(reverse("archive:customer_list")).context["filter"].form
    assert form.fields["area"].queryset.count() == 4


def test_too_many_areas_ask_for_a_station_first(login, county, monkeypatch):
    from gridcheck.core import generic

    monkeypatch.setattr(generic, "DROPDOWN_MAX", 3)
    client = login("admin")
    response = client.get(reverse("archive:customer_list"))
    assert response.context["filter"].form.fields["area"].widget.is_hidden
    assert response.context["deferred_filters"]
    # The filter still works from the URL.
    body = client.get(reverse("archive:customer_list"), {"area": county.areas["west2"].pk}).content.decode()
    assert (
        county.customers["west21"].account_number in body
        and county.customers["west11"].account_number not in body
    )
    # With a station chosen the (now short) list is a dropdown again.
    response = client.get(reverse("archive:customer_list"), {"station": county.stations["east"].pk})
    assert not response.context["filter"].form.fields["area"].widget.is_hidden


def test_area_owner_filter_offers_area_managers_in_scope(login, county):
    form = login("admin").get(reverse("archive:area_list")).context["filter"].form
    assert list(form.fields["owner"].queryset.values_list("username", flat=True)) == ["manager_east"]
    body = (
        login("admin")
        .get(reverse("archive:area_list"), {"owner": county.users["manager_east"].pk})
        .content.decode()
    )
    assert "S01-A1" in body and "S01-A2" not in body


@pytest.mark.parametrize("name,get", DETAILS)
def test_every_detail_page_shows_its_change_history(login, county, name, get):
    obj = get(county, "east")
    response = login("head_east").get(reverse(name, args=[obj.pk]))
    assert 'data-testid="history"' in response.content.decode()
    assert response.context["history"][0]["type_code"] == "+"


def test_tariff_export(login, county):
    response = login("admin").get(reverse("archive:tariff_list"), {"export": "xlsx", "category": "general"})
    text = xlsx_text(response)
    assert "GEN-1" in text and "RES-1" not in text
