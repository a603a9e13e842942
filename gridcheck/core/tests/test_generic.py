"""The list page's filter widgets: Django's select markup, without one included template per option."""

import pytest
from django import forms

from gridcheck.core.generic import SELECT_TEMPLATE, fast_select


@pytest.mark.parametrize(
    ("widget_class", "value"),
    [
        (forms.Select, None),
        (forms.Select, "2"),
        (forms.Select, "<&>"),
        (forms.NullBooleanSelect, "true"),
        (forms.NullBooleanSelect, None),
        (forms.SelectMultiple, ["1", "3"]),
    ],
)
def test_the_filter_select_is_djangos_markup_byte_for_byte(widget_class, value):
    choices = [("", "全部"), ("1", "东城1号台区"), ("2", "西山<2>号台区"), ("3", 'A & "B"'), ("<&>", "x")]
    grouped = [*choices[:2], ("分组", choices[2:])]
    for options in (choices, grouped):
        django_widget = widget_class(attrs={"class": "form-select form-select-sm", "id": "id_area"})
        ours = widget_class(attrs={"class": "form-select form-select-sm", "id": "id_area"})
        if widget_class is not forms.NullBooleanSelect:
            django_widget.choices = ours.choices = options
        ours.template_name = SELECT_TEMPLATE
        expected = django_widget.render("area", value)
        assert ours.render("area", value) == expected
        fast_select(ours)  # the same template, written in Python
        assert ours.render("area", value) == expected
        assert "<option" in expected


def test_list_filters_use_it(login, county):
    response = login("admin").get("/archive/customers/")
    fields = response.context["filter"].form.fields
    assert fields["area"].widget.template_name == SELECT_TEMPLATE
    assert fields["is_high_risk"].widget.template_name == SELECT_TEMPLATE
    assert f'<option value="{county.areas["east1"].pk}">{county.areas["east1"].name}</option>' in (
        response.content.decode()
    )


@pytest.mark.parametrize("url", ["/", "/archive/customers/", "/archive/areas/", "/hazards/list/"])
def test_a_page_builds_its_menu_once(login, county, url):
    """The menu (and its unread-messages badge, a query) is built once per request, although the page
    renders more templates with the request: the table (``render_table``) and each home-page tile."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("admin")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    badge = [q["sql"] for q in queries if '"notifications_message"' in q["sql"] and "read_at" in q["sql"]]
    assert len(badge) == 1


def test_history_values_read_as_a_person_reads_them():
    import datetime
    from zoneinfo import ZoneInfo

    from django.db import models

    from gridcheck.core.generic import _display

    moment = datetime.datetime(2026, 12, 3, 3, 37, 15, 706289, tzinfo=datetime.UTC)
    assert _display(None, moment) == "2026-12-03 11:37"  # Shanghai time, to the minute
    assert _display(None, moment.astimezone(ZoneInfo("Asia/Shanghai")).date()) == "2026-12-03"
    assert _display(models.JSONField(), {"items": [1, 2]}) != str({"items": [1, 2]})
