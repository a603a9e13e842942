"""The side menu is rendered once per distinct menu and kept in the process (``{% nav_menu %}``): each
role still gets its own entries, each page its own active entry, each user their own unread badge."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

OUTBOX = reverse("notifications:outbox")
CUSTOMERS = reverse("archive:customer_list")


def _menu(county, who: str, path: str) -> str:
    client = Client()
    client.force_login(county.users[who], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(path).content.decode()
    return re.search(r'<nav class="nav flex-column w-100 py-2">(.*?)</nav>', page, re.S).group(1)


def _active(menu: str) -> list[str]:
    return re.findall(r'<a class="nav-link active" href="([^"]+)"', menu)


def test_each_role_and_page_gets_its_own_menu_from_the_kept_ones(county):
    for _ in range(2):
        admin = _menu(county, "admin", CUSTOMERS)
        assert f'href="{OUTBOX}"' in admin and _active(admin) == [CUSTOMERS]
        inspector = _menu(county, "inspector_east", CUSTOMERS)
        assert f'href="{OUTBOX}"' not in inspector and _active(inspector) == [CUSTOMERS]
        home = _menu(county, "inspector_east", reverse("home"))
        assert CUSTOMERS not in _active(home)
        assert _menu(county, "inspector_east", reverse("home") + "?lang=en") != home  # labels in English


def test_the_menu_is_the_templates_own_markup(county, rf):
    from django.template.loader import render_to_string
    from django.utils import translation

    from gridcheck.core.context_processors import navigation

    request = rf.get(CUSTOMERS)
    request.user = county.users["head_east"]
    with translation.override("zh-hans"):
        expected = render_to_string("includes/nav_menu.html", navigation(request))
    assert "nav-link active" in expected
    assert _menu(county, "head_east", CUSTOMERS) == expected


def test_only_the_pages_own_entry_is_active_where_menu_urls_nest(county):
    """/hazards/ (the hazards page) and /hazards/notices/ are both menu entries: a notice list marks only
    its own entry, the hazards page only its own."""
    hazards, notices = reverse("hazards:dashboard"), reverse("hazards:notice_list")
    assert notices.startswith(hazards)
    assert _active(_menu(county, "liaison", notices)) == [notices]
    assert _active(_menu(county, "liaison", hazards)) == [hazards]
