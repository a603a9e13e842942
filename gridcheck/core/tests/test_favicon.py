"""The site's icon: every page links it, and ``/favicon.ico`` (asked for beside a PDF or an attachment)
leads to it, for a visitor not logged in too."""

import re

import pytest
from django.contrib.staticfiles import finders


def _icon_link(html: str) -> str:
    found = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert found, "no icon link in the page"
    return found.group(1)


@pytest.mark.django_db
def test_pages_link_the_icon_and_favicon_ico_leads_to_it(client, login):
    icon = _icon_link(client.get("/accounts/login/").content.decode())
    assert icon.endswith("gridcheck/favicon.svg")
    assert finders.find("gridcheck/favicon.svg"), "the linked icon is not a static file"
    assert _icon_link(login("inspector_east").get("/").content.decode()) == icon

    client.logout()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == icon
    assert client.post("/favicon.ico").status_code == 405


def test_the_icon_is_an_svg_without_script():
    with open(finders.find("gridcheck/favicon.svg"), encoding="utf-8") as f:
        svg = f.read()
    assert svg.startswith("<svg ") and "<script" not in svg.lower()
