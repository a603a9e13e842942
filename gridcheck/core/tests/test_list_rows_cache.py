"""A list page's rendered rows are kept a minute per page of the same query and scope: the next reader of
the same station gets the same markup; another station's reader their own rows; any write through a
page forgets them; a change made without a request shows once the kept rows are older than their time."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from gridcheck.archive.models import Customer

pytestmark = pytest.mark.django_db

ROWS_S = 60
LIST = reverse("archive:customer_list")


@pytest.fixture(autouse=True)
def _rows_kept(settings):
    settings.GRIDCHECK_LIST_ROWS_CACHE_S = ROWS_S


def _client(county, who: str) -> Client:
    client = Client()
    client.force_login(county.users[who], backend="django.contrib.auth.backends.ModelBackend")
    return client


def _tbody(client) -> str:
    response = client.get(LIST)
    assert response.status_code == 200
    return re.search(r"<tbody.*?</tbody>", response.content.decode(), re.S).group(0)


def test_kept_rows_are_the_rows_rendered_afresh(county, settings):
    client = _client(county, "head_east")
    first, kept = _tbody(client), _tbody(client)
    settings.GRIDCHECK_LIST_ROWS_CACHE_S = 0
    assert first == kept == _tbody(client)
    assert county.customers["east11"].account_number in kept


def test_another_scope_never_gets_the_kept_rows(county):
    east, west = county.customers["east11"].account_number, county.customers["west11"].account_number
    for _ in range(2):
        head = _tbody(_client(county, "head_east"))
        assert east in head and west not in head
        inspector = _tbody(_client(county, "inspector_west"))
        assert west in inspector and east not in inspector
        admin = _tbody(_client(county, "admin"))
        assert east in admin and west in admin


def test_a_write_through_a_page_forgets_the_kept_rows(county):
    client = _client(county, "head_east")
    assert "改过的名字" not in _tbody(client)
    Customer.objects.filter(pk=county.customers["east11"].pk).update(name="改过的名字")
    assert "改过的名字" not in _tbody(client)  # kept
    client.post(reverse("home"))  # any request that may write (here refused: the home page takes no POST)
    assert "改过的名字" in _tbody(client)


def test_a_change_without_a_request_shows_once_the_kept_rows_are_older_than_their_time(county, monkeypatch):
    client = _client(county, "head_east")
    assert "改过的名字" not in _tbody(client)
    Customer.objects.filter(pk=county.customers["east11"].pk).update(name="改过的名字")
    assert "改过的名字" not in _tbody(client)
    later = time.time() + ROWS_S + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert "改过的名字" in _tbody(client)


def test_rows_that_render_a_template_of_their_own_are_never_kept():
    """A column with its own template sees the page (a form with the reader's own CSRF token): such rows
    are rendered for each reader; dates (django-tables2's own templates) do not stop a table being kept."""
    from gridcheck.archive.models import ImportBatch
    from gridcheck.archive.tables import CustomerTable, ImportBatchTable
    from gridcheck.core.templatetags.gc_tables import rows_keepable
    from gridcheck.seals.models import Pliers
    from gridcheck.seals.tables import PliersTable

    assert not rows_keepable(PliersTable(Pliers.objects.none()))
    assert rows_keepable(CustomerTable(Customer.objects.none()))
    assert rows_keepable(ImportBatchTable(ImportBatch.objects.none()))


def test_kept_rows_are_shown_without_reading_the_rows(county):
    """The page's keys are read (one index-only query), its rows only when they are rendered: with the
    rows kept, no customer's row is read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(county, "admin")

    def row_reads() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            tbody = _tbody(client)
        return tbody, sum('"archive_customer"."name"' in q["sql"].split(" FROM ")[0] for q in queries)

    first, first_reads = row_reads()
    kept, kept_reads = row_reads()
    assert first == kept and county.customers["west11"].account_number in kept
    assert (first_reads, kept_reads) == (1, 0)


def test_a_list_visited_again_within_the_minute_makes_four_queries(county, django_assert_max_num_queries):
    """The reader, the page's keys, the count (of a short list) and the unread badge: the rows and the
    filters' options (the scope's stations and areas) are kept; the filters offer the same options."""
    client = _client(county, "admin")
    first = client.get(LIST).content.decode()
    with django_assert_max_num_queries(4):  # no row read, no option read
        again = client.get(LIST).content.decode()
    options = re.compile(r'<select name="(?:station|area)".*?</select>', re.S)
    assert options.findall(first) == options.findall(again)
    assert county.areas["west1"].name in "".join(options.findall(again))


def _main(client, query: str = "") -> str:
    response = client.get(LIST + query)
    assert response.status_code == 200
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


@pytest.mark.parametrize("query", ["", "?sort=-name", "?status=active&sort=account_number", "?q=1&page=1"])
def test_the_kept_filters_and_table_are_the_page_rendered_afresh(county, settings, query):
    """The filter form (its options, the values chosen) and the whole table (sort links, rows, pager) as
    kept equal them rendered afresh, for each query string."""
    client = _client(county, "admin")
    first, kept = _main(client, query), _main(client, query)
    settings.GRIDCHECK_LIST_ROWS_CACHE_S = 0
    assert first == kept == _main(client, query)


def test_the_filters_show_the_values_chosen_in_this_query(county):
    client = _client(county, "admin")
    chosen = re.compile(r'<option value="([^"]*)" selected>')
    _main(client, "?status=active")
    assert "closed" in chosen.findall(_main(client, "?status=closed"))
    assert "active" in chosen.findall(_main(client, "?status=active"))


def test_another_scope_never_gets_the_kept_filters(county):
    """A station's reader is offered their own station's areas only, whoever opened the list before."""
    west_area = county.areas["west1"].name
    for _ in range(2):
        assert west_area in _main(_client(county, "admin"))
        east = _main(_client(county, "head_east"))
        assert west_area not in re.search(r'<form method="get".*?</form>', east, re.S).group(0)


def test_kept_copies_expire_spread_over_the_last_quarter_of_their_time():
    """Copies made at the same moment are not all computed again at the same second; none is kept longer
    than asked."""
    from gridcheck.core.pagecache import lifetime

    times = [lifetime(60) for _ in range(400)]
    assert all(45 <= t <= 60 for t in times)
    assert max(times) - min(times) > 10


def test_a_write_by_another_stations_staff_keeps_this_stations_rows(county):
    """A station's staff write only their station's records: a write by the west station's inspector
    leaves the east station's kept rows; a county-level reader's copies and a county user's write forget
    them."""
    east_head, west, admin = (_client(county, who) for who in ("head_east", "inspector_west", "admin"))
    assert "改过的名字" not in _tbody(east_head) and "改过的名字" not in _tbody(admin)
    Customer.objects.filter(pk=county.customers["east11"].pk).update(name="改过的名字")
    west.post(reverse("home"))  # a write by another station's staff
    assert "改过的名字" not in _tbody(east_head)  # still the kept rows
    assert "改过的名字" in _tbody(admin)  # a county-level reader's copies go with every write
    Customer.objects.filter(pk=county.customers["east11"].pk).update(name="又改过的名字")
    admin.post(reverse("home"))  # a county-level write
    assert "又改过的名字" in _tbody(east_head)


def test_generations_of_readers():
    """Whose writes a reader's copies wait for: a station's staff their station's and the county's; the
    county's users, superusers and the portal every write."""
    from types import SimpleNamespace

    from gridcheck.core.pagecache import generation, note_write

    def user(role, station_id, superuser=False):
        return SimpleNamespace(
            is_authenticated=True, is_superuser=superuser, role=role, station_id=station_id
        )

    east, west = user("inspector", 1), user("station_head", 2)
    county_user, portal = user("auditor", None), user("customer", 1)
    readers = {"east": east, "west": west, "county": county_user, "portal": portal}
    before = {name: generation(u) for name, u in readers.items()}
    note_write(west)
    after = {name: generation(u) for name, u in readers.items()}
    assert after["east"] == before["east"]
    assert after["west"] != before["west"] and after["county"] != before["county"]
    assert after["portal"] != before["portal"]
    note_write(county_user)
    again = {name: generation(u) for name, u in readers.items()}
    assert all(again[name] != after[name] for name in readers)
    note_write(None)  # a write whose writer is not known
    assert all(generation(u) != again[name] for name, u in readers.items())
