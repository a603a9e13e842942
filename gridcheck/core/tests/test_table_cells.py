"""A list's plain cells worked out by ``gc_tables._plain_cell`` are django-tables2's own: every list page
of the test county (no URL argument, opened by the administrator) renders the same rows both ways."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from gridcheck.core.generic import ScopedListView
from gridcheck.core.templatetags import gc_tables

pytestmark = pytest.mark.django_db


def _list_pages(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _list_pages(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            view = getattr(pattern.callback, "view_class", None)
            if view is not None and issubclass(view, ScopedListView):
                try:
                    yield reverse(f"{namespace}{pattern.name}")
                except NoReverseMatch:  # a list under a record (an argument in its path)
                    continue


def _rows(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return re.findall(r"<tbody.*?</tbody>", response.content.decode(), re.S)


def test_plain_cells_are_django_tables2s_own(county, login, monkeypatch):
    client = login("admin")
    pages = sorted(set(_list_pages()))
    assert len(pages) > 40
    with_rows = 0
    for path in pages:
        fast = _rows(client, path)
        if not any("<td" in body and "colspan" not in body for body in fast):
            continue  # an empty list: no cell to compare
        monkeypatch.setattr(gc_tables, "FAST_CELLS", False)
        slow = _rows(client, path)
        monkeypatch.setattr(gc_tables, "FAST_CELLS", True)
        assert fast == slow, path
        with_rows += 1
    assert (
        with_rows >= 10
    )  # the comparison saw real rows (customers, areas, meters, ...), not only empty lists
