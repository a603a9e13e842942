"""Every list page opens sorted by each of its sortable columns, either way: a column computed in the
query (an annotation such as a plan's work-order count or an arrears total) sorts like a model field."""

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from gridcheck.core.generic import ScopedListView

pytestmark = pytest.mark.django_db


def _list_pages():
    """(URL name, view class) of each list page that takes no URL arguments."""

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                view = getattr(pattern.callback, "view_class", None)
                if view is not None and issubclass(view, ScopedListView):
                    yield f"{namespace}{pattern.name}", view

    pages = []
    for name, view in walk(get_resolver()):
        try:
            pages.append((reverse(name), view))
        except NoReverseMatch:
            continue
    return pages


def test_every_list_sorts_by_every_sortable_column(login, county):
    client = login("admin")
    failed, sorted_by = [], set()
    pages = _list_pages()
    assert len(pages) > 40
    for url, _view in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        for column in [c.name for c in page.context["table"].columns if c.orderable]:
            sorted_by.add((url, column))
            for sort in (column, f"-{column}"):
                status = client.get(url, {"sort": sort}).status_code
                if status != 200:
                    failed.append(f"{url}?sort={sort}: {status}")
    assert failed == []
    assert {("/inspections/plans/", "orders"), ("/collection/figures/arrears/", "arrears_yuan")} <= sorted_by
