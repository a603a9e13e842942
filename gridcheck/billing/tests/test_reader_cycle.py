"""The reader's cycle page on the phone: the meters not read first, those read, or all; found by account
number, name, address or meter number; a page at a time; back from a reading's form on the meter's page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from gridcheck.billing import services
from gridcheck.billing.views import ReaderCycleView

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(county, login, book, monkeypatch):
    monkeypatch.setattr(ReaderCycleView, "page_size", 2)
    services.reading_enter(
        user=county.users["reader_east"],
        cycle=book.cycle,
        meter=book.meters["east12"],
        total=Decimal("212.5"),
    )
    return login("reader_east")


def _rows(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return [row["customer"].account_number for row in response.context["rows"]], response.context


def test_tabs_search_and_pages(county, book, reader):
    url = reverse("billing:reader_cycle", args=[book.cycle.pk])
    number = {key: county.customers[key].account_number for key in book.meters}
    todo, ctx = _rows(reader, url)  # not read first: three meters, two to a page
    assert ctx["show"] == "todo" and [(k, n) for k, _label, n in ctx["shows"]] == [
        ("todo", 3),
        ("done", 1),
        ("all", 4),
    ]
    assert todo == sorted([number["east11"], number["east21"], number["east22"]])[:2]
    assert ctx["page"].paginator.num_pages == 2
    second, _ = _rows(reader, url, page=2)
    assert len(todo + second) == 3 and number["east12"] not in todo + second
    done, _ = _rows(reader, url, show="done")
    assert done == [number["east12"]]
    found, _ = _rows(reader, url, show="all", q=book.meters["east21"].asset_number)
    assert found == [number["east21"]]
    found, _ = _rows(reader, url, show="all", q=county.customers["east22"].name)
    assert found == [number["east22"]]
    none, ctx = _rows(reader, url, q="不存在的户")
    assert none == [] and "没有符合条件的电能表" in reader.get(url, {"q": "不存在的户"}).content.decode()
    page = reader.get(url, {"show": "done"}).content.decode()
    assert "上次示数 200.00" in page and "上一页" not in page  # the previous reading, not the previous page


def test_read_counts_the_meters_due_that_have_a_reading(county, book, reader):
    from gridcheck.archive.models import Meter

    # A reading of a meter the book no longer reads (removed since) is not one of the meters read.
    Meter.objects.filter(pk=book.meters["east12"].pk).update(status="removed")
    page = reader.get(reverse("billing:reader_cycle", args=[book.cycle.pk]))
    assert (page.context["done"], page.context["due"]) == (0, 3)
    assert "0 / 3" in reader.get(reverse("billing:reader_home")).content.decode()


def test_back_from_a_reading_on_the_meters_page(county, book, reader):
    last = max(book.meters, key=lambda key: county.customers[key].account_number)
    meter = book.meters[last]
    entry = reverse("billing:reading_entry", args=[book.cycle.pk]) + f"?meter={meter.pk}"
    response = reader.post(entry, {"meter": meter.pk, "total": "5100", "source": "handheld"})
    cycle_url = reverse("billing:reader_cycle", args=[book.cycle.pk])
    assert response.status_code == 302 and response["Location"] == f"{cycle_url}?meter={meter.pk}#m{meter.pk}"
    rows, ctx = _rows(reader, cycle_url, meter=meter.pk)
    assert ctx["show"] == "all" and ctx["page"].number == 2 and county.customers[last].account_number in rows


def test_every_meter_read_opens_on_all(county, book, reader, read_march):
    read_march()
    rows, ctx = _rows(reader, reverse("billing:reader_cycle", args=[book.cycle.pk]))
    assert ctx["show"] == "all" and len(rows) == 2 and ctx["page"].paginator.count == 4


def test_save_then_the_next_meter_not_read(county, book, reader):
    order = sorted(book.meters, key=lambda key: county.customers[key].account_number)
    unread = [key for key in order if key != "east12"]  # east12 is read (the fixture)
    entry = reverse("billing:reading_entry", args=[book.cycle.pk])
    totals = {"east11": "1150", "east21": "5100", "east22": "310"}

    def save_then_next(key):
        meter = book.meters[key]
        response = reader.post(
            f"{entry}?meter={meter.pk}",
            {"meter": meter.pk, "total": totals[key], "source": "handheld", "then": "next"},
        )
        assert response.status_code == 302
        return response["Location"]

    # From the second meter not read: the third, then round to the first, then back to the list.
    assert save_then_next(unread[1]) == f"{entry}?meter={book.meters[unread[2]].pk}"
    assert save_then_next(unread[2]) == f"{entry}?meter={book.meters[unread[0]].pk}"
    last = save_then_next(unread[0])
    assert last.startswith(reverse("billing:reader_cycle", args=[book.cycle.pk]))
    assert "本册电能表已全部抄见" in reader.get(last).content.decode()
