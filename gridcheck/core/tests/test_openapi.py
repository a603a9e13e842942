"""The OpenAPI schema (drf-spectacular) and its browsable docs."""

import re

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

ARCHIVE_PATHS = [
    "/api/archive/stations/",
    "/api/archive/lines/",
    "/api/archive/areas/",
    "/api/archive/customers/",
    "/api/archive/customers/{id}/",
    "/api/archive/customers/{id}/history/",
    "/api/archive/metering-points/",
    "/api/archive/meters/",
    "/api/archive/tariffs/",
    "/api/archive/import-batches/",
    "/api/staff/users/",
    "/api/staff/qualifications/",
]


def test_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    # --fail-on-warn turns every generator warning or error into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    for path in ARCHIVE_PATHS:
        assert path in schema["paths"], path


def test_schema_describes_filters_and_writes():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    customers = schema["paths"]["/api/archive/customers/"]
    parameters = {p["name"] for p in customers["get"]["parameters"]}
    assert {"station", "area", "category", "q", "ordering", "page", "page_size"} <= parameters
    assert "post" in customers
    assert "patch" in schema["paths"]["/api/archive/customers/{id}/"]
    assert "post" not in schema["paths"]["/api/archive/meters/"]
    assert "password" not in schema["components"]["schemas"]["User"]["properties"]


@pytest.mark.django_db
def test_schema_endpoint(login, county):
    response = login("liaison").get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/archive/customers/" in response.content


@pytest.mark.django_db
def test_docs_render_with_local_assets(login, county):
    response = login("inspector_east").get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in asset for asset in assets)
    # Same origin only: the static files, and the split view's initialisation script (CSP: no inline).
    assert all(asset.startswith(("/static/", "/api/docs/?script")) for asset in assets), assets
    assert not re.search(r"https?://", html)


@pytest.mark.django_db
def test_the_schema_leaves_the_pages_filter_labels_in_chinese(client):
    """Generating the schema read every API filter from its class; the field a filter kept there had no
    label, and every list page's filter form showed the English field name from then on."""
    from django.contrib.auth import get_user_model

    from gridcheck.archive.filtersets import CustomerFilterSet, TariffFilterSet

    SchemaGenerator().get_schema(request=None, public=True)
    for filterset, name in ((CustomerFilterSet, "voltage_level"), (TariffFilterSet, "category")):
        assert filterset.base_filters[name].field.label is None  # as the schema's generator reads some
    user = get_user_model().objects.create_superuser("filters-admin", password="x-filters-1")
    client.force_login(user)
    customers = client.get("/archive/customers/").content.decode()
    tariffs = client.get("/archive/tariffs/").content.decode()
    assert "Voltage level" not in customers and "电压等级" in customers
    assert ">Category<" not in tariffs and "电价类别" in tariffs


@pytest.mark.django_db
def test_the_schema_served_once_generated_is_every_roles_schema(client, login, county, monkeypatch):
    """The schema is generated once per process and language: each role would get the same one."""
    from gridcheck.core.api import SchemaView

    monkeypatch.setattr(SchemaView, "_schemas", {})
    first = login("head_east").get("/api/schema/?format=json")
    assert first.status_code == 200 and len(SchemaView._schemas) == 1
    generated = []
    real = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        schema = real(self, *args, **kwargs)
        generated.append(schema)
        return schema

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    for username in ("liaison", "inspector_west", "auditor_east", "admin"):
        again = login(username).get("/api/schema/?format=json")
        assert again.status_code == 200
        assert again.json() == first.json()
        assert again["Content-Disposition"] == first["Content-Disposition"]
    assert generated == []  # served from the first generation
    monkeypatch.setattr(SchemaView, "_schemas", {})
    fresh = login("inspector_west").get("/api/schema/?format=json")
    assert len(generated) == 1 and fresh.json() == first.json()  # the west inspector's own equals the head's
    client.logout()
    assert client.get("/api/schema/").status_code in (401, 403)  # the cache serves no one it refuses
