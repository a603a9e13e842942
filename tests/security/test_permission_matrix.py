"""The permission matrix: every URL of Gridcheck, who may open it, and what no one may do to another
station's objects, stated here independently of ``gridcheck.core.roles`` and ``gridcheck.core.access``.

The URLs come from the URL conf (``get_resolver()``, walked recursively, the API routers included) and
the write methods of the API from its OpenAPI schema. ``URLS`` below decides, for each URL name, the
section it belongs to (and so who may read it), which object its path arguments name, and where a page
needs more than reading it (a form). A URL without an entry fails ``test_every_url_is_in_the_matrix``, so
a new URL cannot be added without deciding its access.

Not in the matrix (Django's own, with their own rules): the admin site, the login, logout and password
views of ``django.contrib.auth``; static files are served by WhiteNoise outside the URL conf and there is
no i18n URL. The OpenAPI schema and its two documentation pages *are* in the matrix (decision: they
describe the API, not its data, so every member of staff may read them; a portal customer and an
anonymous visitor may not).

The DRF routers' format-suffix twins (``customers.json``, ``customers/1.json`` ...) have the URL name and
view of the URL they suffix, so the same access rule; they are enumerated and must map to an entry, but
are not requested again.

Outcomes (``outcome``): ``ok`` is a 2xx or a redirect that goes neither to the login page nor to the
portal; ``login`` a redirect to the login page; ``portal`` a redirect of a portal customer to the portal;
``forbidden`` 403 (or 401); ``not_found`` 404; ``not_allowed`` 405; ``error`` a 5xx.
"""

import json
import re
from dataclasses import dataclass
from functools import cache

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gridcheck.core.access import is_api_view
from tests.security.policy import ANONYMOUS, OBJECT_KINDS, PORTAL, SECTIONS, STAFF, URLS, USERS

EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_NAMES = {
    "favicon",  # a redirect to the static icon, public as every static file
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


# --- the URL conf --------------------------------------------------------------------------------


@dataclass
class Pattern:
    key: str  # the URL name, "name@/route" where one name has several routes, "/route" for a nameless one
    name: str | None
    route: str  # a path template: "/archive/customers/{id}/", "/api/archive/customers/{id}/history/"
    callback: object
    api: bool  # a DRF view (the API, the routers' roots, the schema)
    suffix: bool  # a format-suffix twin of another pattern
    routed: bool  # mounted under the API's routers (namespace ``api``), so in the OpenAPI schema

    @property
    def view_class(self):
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def get_allowed(self) -> bool:
        actions = getattr(self.callback, "actions", None)
        if actions is not None:
            return "get" in actions
        if self.view_class is None:
            return True
        return hasattr(self.view_class, "get") and "get" in self.view_class.http_method_names

    @property
    def page_post(self) -> bool:
        return not self.api and self.view_class is not None and hasattr(self.view_class, "post")


def _route_text(pattern) -> str:
    return str(pattern.pattern)


def _template(route: str) -> str:
    """A route as a path template: ``api/archive/^customers/(?P<pk>[^/.]+)/$`` -> ``/api/archive/customers/{id}/``."""
    text = route.replace("^", "").replace("$", "")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return "/" + text.replace("{pk}", "{id}")


#: A DRF router's format suffix at the end of a route.
SUFFIX = re.compile(r"(\\\.\(\?P<format>\[a-z0-9\]\+\)/\?\$|<drf_format_suffix:format>)$")


def _walk(resolver, prefix="", namespace=None):
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            ns = namespace
            if item.namespace:
                ns = f"{namespace}:{item.namespace}" if namespace else item.namespace
            yield from _walk(item, prefix + _route_text(item), ns)
        elif isinstance(item, URLPattern):
            name = f"{namespace}:{item.name}" if (namespace and item.name) else item.name
            yield prefix + _route_text(item), name, item.callback, namespace


@cache
def url_patterns() -> tuple[Pattern, ...]:
    """Every URL pattern of the project outside Django's own views, with its key in ``URLS``."""
    rows = []
    for route, name, callback, namespace in _walk(get_resolver()):
        if (namespace or "").split(":")[0] in EXCLUDED_NAMESPACES or name in EXCLUDED_NAMES:
            continue
        suffix = "(?P<format>" in route or "<drf_format_suffix:format>" in route
        template = _template(re.sub(SUFFIX, "", route))
        if suffix and not template.endswith("/"):
            template += "/"  # ``customers\.(?P<format>...)`` is the twin of ``customers/``
        rows.append((template, name, callback, suffix, namespace == "api"))
    routes_by_name: dict[str, set[str]] = {}
    for template, name, _cb, _suffix, _routed in rows:
        if name:
            routes_by_name.setdefault(name, set()).add(template)
    patterns = []
    for template, name, callback, suffix, routed in rows:
        if not name:
            key = template
        elif len(routes_by_name[name]) > 1:
            key = f"{name}@{template}"
        else:
            key = name
        patterns.append(Pattern(key, name, template, callback, is_api_view(callback), suffix, routed))
    return tuple(patterns)


def requested_patterns() -> list[Pattern]:
    """One pattern per entry: the format-suffix twins are left out."""
    return [p for p in url_patterns() if not p.suffix]


@cache
def schema_methods() -> dict[str, set[str]]:
    """The OpenAPI schema's operations: path template -> its HTTP methods (upper case)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {path: {m.upper() for m in ops if m != "parameters"} for path, ops in schema["paths"].items()}


def write_methods(pattern: Pattern) -> list[str]:
    if URLS[pattern.key].follow:
        return []  # a bare redirect answers a POST with the same redirect: it writes nothing
    if pattern.api:
        return sorted(schema_methods().get(pattern.route, set()) & {"POST", "PUT", "PATCH", "DELETE"})
    return ["POST"] if pattern.page_post else []


# --- requests ------------------------------------------------------------------------------------


def path_of(pattern: Pattern, world, username: str, side: str = "own") -> str:
    entry = URLS[pattern.key]
    if pattern.name is None or "@" in pattern.key:
        return pattern.route
    kwargs = dict(entry.kwargs)
    if entry.obj == "inbox":
        owner = username if username in STAFF else "head_east"
        if side == "other":
            owner = "inspector_west"
        kwargs["pk"] = world.inbox[owner].pk
    elif entry.obj:
        kwargs[entry.pk_kwarg] = world.obj(entry.obj, side).pk
    return reverse(pattern.name, kwargs=kwargs)


@cache
def _special_urls() -> tuple[str, str]:
    return reverse("login"), reverse("hazards:portal")


def outcome(response) -> str:
    status = response.status_code
    login_url, portal_url = _special_urls()
    for hop, _code in getattr(response, "redirect_chain", []):
        if hop.startswith(login_url):
            return "login"
        if hop.startswith(portal_url):
            return "portal"
    if status >= 500:
        return "error"
    if status in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(login_url):
            return "login"
        if location.startswith(portal_url):
            return "portal"
        return "ok"
    if 200 <= status < 300:
        return "ok"
    return {401: "forbidden", 403: "forbidden", 404: "not_found", 405: "not_allowed"}.get(status, str(status))


def clients(world) -> dict[str, Client]:
    result = {}
    for username in USERS:
        client = Client()
        user = world.portal_user if username == PORTAL else world.county.users.get(username)
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        result[username] = client
    return result


def send(client, method: str, path: str, pattern: Pattern, follow: bool = False, target=None):
    if method == "GET":
        return client.get(path, follow=follow)
    data = URLS[pattern.key].data
    if callable(data):
        data = data(target)
    if pattern.api:
        return client.generic(method, path, data=json.dumps(data), content_type="application/json")
    return client.post(path, data)


@cache
def _state_sql() -> str:
    """One query over Gridcheck's tables (their change history included): of each, the row count, the
    highest key and the latest ``auto_now`` change time."""
    parts = []
    for model in apps.get_models():
        if not model.__module__.startswith("gridcheck.") or model._meta.proxy:
            continue
        stamps = [f.column for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        changed = f'CAST(MAX("{stamps[0]}") AS TEXT)' if stamps else "CAST(NULL AS TEXT)"
        parts.append(
            f"SELECT '{model._meta.db_table}', COUNT(*), CAST(MAX(\"{model._meta.pk.column}\") AS TEXT), "
            f'{changed} FROM "{model._meta.db_table}"'
        )
    return " UNION ALL ".join(parts)


def snapshot(target=None) -> tuple:
    """The state a write would change: the count, highest key and latest change time of every table (an
    audited change also adds a history row), and every column of ``target``."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Planned once per connection (planning the 200-odd parts took 15 ms, running them 5 ms),
            # without parallel workers (starting them took three times as long as the query).
            cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = 'gridcheck_state'")
            if cursor.fetchone() is None:
                cursor.execute(f"PREPARE gridcheck_state AS {_state_sql()}")
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute("EXECUTE gridcheck_state")
        else:
            cursor.execute(_state_sql())
        # sorted by table: PostgreSQL may return a UNION ALL's parts in any order (a parallel append)
        state = sorted(tuple(map(str, row)) for row in cursor.fetchall())
    if target is not None:
        columns = [f.attname for f in target._meta.concrete_fields if f.name != "last_login"]
        state.append(tuple(type(target)._default_manager.filter(pk=target.pk).values_list(*columns)))
    return tuple(state)


def changed(before: tuple, after: tuple) -> str:
    """What differs between two snapshots, to name it in a failure."""
    return "; ".join(f"{b} -> {a}" for b, a in zip(before, after, strict=False) if a != b) or "the row count"


def target_of(world, pattern: Pattern, username: str, side: str = "own"):
    entry = URLS[pattern.key]
    if entry.obj == "inbox":
        return world.inbox[
            "inspector_west" if side == "other" else username if username in STAFF else "head_east"
        ]
    return world.obj(entry.obj, side) if entry.obj else None


# --- the expectations, from the policy -----------------------------------------------------------


def visible(username: str, kind: str | None) -> bool:
    """Whether ``username`` sees the own (east) object of ``kind`` (any reader of its section, if county)."""
    if kind is None or OBJECT_KINDS[kind] != "station":
        return True
    return username != "inspector_west"


def expected_read(username: str, pattern: Pattern) -> set[str]:
    entry = URLS[pattern.key]
    readers = SECTIONS[entry.section]
    if username == ANONYMOUS:
        return {"login"} if not pattern.api else {"forbidden"}
    if username not in readers:
        denied = {"forbidden"} | ({"not_found"} if entry.obj else set())
        if username == PORTAL and not pattern.api:
            denied.add("portal")
        return denied
    if not visible(username, entry.obj):
        # A POST-only URL may answer 405 to a GET before it looks the object up: that tells nothing.
        return {"not_found", "forbidden"} | ({"not_allowed"} if not pattern.get_allowed else set())
    if not pattern.get_allowed:
        # A POST-only URL: 405 to a reader, or 403 where the action needs more than reading.
        return {"not_allowed", "forbidden"}
    if entry.get_roles is not None and username not in entry.get_roles:
        return {"forbidden"}
    return {"ok"}


# --- the tests -----------------------------------------------------------------------------------


def test_every_url_is_in_the_matrix():
    patterns = url_patterns()
    keys = {p.key for p in patterns}
    missing = sorted({p.key for p in patterns if p.key not in URLS})
    stale = sorted(set(URLS) - keys)
    assert not missing, "URLs without an entry in URLS (decide their access):\n  " + "\n  ".join(missing)
    assert not stale, "entries of URLS whose URL no longer exists:\n  " + "\n  ".join(stale)
    for key, entry in URLS.items():
        assert entry.section in SECTIONS, key
        assert entry.obj is None or entry.obj in OBJECT_KINDS, key
        # A form page is narrower than its section, never wider.
        assert entry.get_roles is None or entry.get_roles <= SECTIONS[entry.section], key
    # Every operation of the API schema is a URL of the matrix, and the other way round.
    api_routes = {p.route for p in requested_patterns() if p.routed and "@" not in p.key}  # not the roots
    schema_routes = {r for r in schema_methods() if r.startswith("/api/")}
    assert schema_routes - api_routes == set()
    assert api_routes - schema_routes == set()


def _mismatch(username, method, path, got, want, response) -> str:
    body = ""
    if got == "error" or got not in {"ok", "login", "portal", "forbidden", "not_found", "not_allowed"}:
        body = " " + response.content[:200].decode(errors="replace").replace("\n", " ")
    return f"{username:>16} {method:6} {path}: got {got}, expected {'/'.join(sorted(want))}{body}"


@pytest.mark.django_db
def test_read_matrix(world):
    """Every role and an anonymous visitor × every GET URL (lists, and details of an east object)."""
    users = clients(world)
    mismatches, n = [], 0
    for pattern in requested_patterns():
        entry = URLS[pattern.key]
        for username in USERS:
            path = path_of(pattern, world, username)
            response = send(users[username], "GET", path, pattern, follow=entry.follow)
            n += 1
            got, want = outcome(response), expected_read(username, pattern)
            if got not in want:
                mismatches.append(_mismatch(username, "GET", path, got, want, response))
    print(f"read matrix: {len(requested_patterns())} URLs x {len(USERS)} users = {n} requests")
    assert not mismatches, f"{len(mismatches)} of {n} requests answer against the policy:\n" + "\n".join(
        mismatches
    )


@pytest.mark.django_db
def test_other_station_objects(world):
    """East staff with the west station's objects: every GET and write is refused and changes nothing;
    the administrator (county level) reads them. The portal customer with another customer's hazard,
    likewise. No API list of east staff holds a west row, no page links to a west object's page."""
    users = clients(world)
    mismatches, n = [], 0
    for pattern in requested_patterns():
        entry = URLS[pattern.key]
        if entry.obj is None or OBJECT_KINDS[entry.obj] == "county":
            continue
        readers = SECTIONS[entry.section]
        actors = ["head_east", "inspector_east"] if readers & STAFF else []
        actors += [PORTAL] if PORTAL in readers else []
        methods = ["POST"] if not pattern.api else (write_methods(pattern) or ["POST"])
        for username in actors:
            path = path_of(pattern, world, username, side="other")
            response = send(users[username], "GET", path, pattern)
            n += 1
            got = outcome(response)
            want = {"not_found", "forbidden"} | ({"not_allowed"} if not pattern.get_allowed else set())
            if got not in want:
                mismatches.append(_mismatch(username, "GET", path, got, want, response))
            target = target_of(world, pattern, username, side="other")
            for method in methods:
                before = snapshot(target)
                response = send(users[username], method, path, pattern, target=target)
                n += 1
                got, want = outcome(response), {"not_found", "forbidden", "not_allowed"}
                if got not in want:
                    mismatches.append(_mismatch(username, method, path, got, want, response))
                after = snapshot(target)
                if after != before:
                    mismatches.append(f"{username:>16} {method:6} {path}: changed {changed(before, after)}")
        if "admin" in readers and OBJECT_KINDS[entry.obj] != "personal":
            path = path_of(pattern, world, "admin", side="other")
            response = send(users["admin"], "GET", path, pattern)
            n += 1
            got = outcome(response)
            want = {"ok"} if pattern.get_allowed else {"not_allowed"}
            if got not in want:
                mismatches.append(_mismatch("admin", "GET", path, got, want, response))
    # List rows: an API list of east staff names no west object (the list of a detail entry's kind).
    for pattern in requested_patterns():
        if not pattern.api or not pattern.key.endswith("-list"):
            continue
        detail = URLS.get(pattern.key[: -len("-list")] + "-detail")
        if detail is None or detail.obj is None or OBJECT_KINDS[detail.obj] != "station":
            continue
        other = world.obj(detail.obj, "other").pk
        for username in ("head_east", "inspector_east", "manager_east"):
            if username not in SECTIONS[detail.section]:
                continue
            response = users[username].get(path_of(pattern, world, username), {"page_size": 500})
            n += 1
            ids = [row.get("id") for row in response.json()["results"]]
            if response.status_code != 200 or other in ids or not ids:
                mismatches.append(f"{username:>16} GET    {pattern.route}: {response.status_code}, ids {ids}")
    # List rows on the pages: no page without an object argument (lists, dashboards, the home page)
    # shows east staff a link to a west object's page.
    west_links = {
        path_of(p, world, "head_east", side="other")
        for p in requested_patterns()
        if not p.api and URLS[p.key].obj and OBJECT_KINDS[URLS[p.key].obj] == "station" and p.get_allowed
    }
    alternatives = "|".join(re.escape(path) for path in sorted(west_links))
    link = re.compile(rf"[\"']({alternatives})[\"'?#]")
    for pattern in requested_patterns():
        entry = URLS[pattern.key]
        if pattern.api or entry.obj or not pattern.get_allowed:
            continue
        for username in ("head_east", "inspector_east", "manager_east"):
            response = send(
                users[username], "GET", path_of(pattern, world, username), pattern, follow=entry.follow
            )
            n += 1
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                found = sorted(set(link.findall(response.content.decode())))
                if found:
                    mismatches.append(f"{username:>16} GET    {pattern.route}: links to {', '.join(found)}")
    print(f"other-station matrix: {n} requests")
    assert not mismatches, (
        f"{len(mismatches)} of {n} requests reach another station's objects:\n" + "\n".join(mismatches)
    )


@pytest.mark.django_db
def test_write_matrix(world):
    """Every POST/PUT/PATCH/DELETE-capable URL, as each role that may not read its section and as an
    anonymous visitor: refused (403/401, a redirect to the login page, or 405), never a 2xx or a 5xx,
    and nothing changes."""
    users = clients(world)
    mismatches, n = [], 0
    for pattern in requested_patterns():
        methods = write_methods(pattern)
        if not methods:
            continue
        entry = URLS[pattern.key]
        for username in [u for u in USERS if u not in SECTIONS[entry.section]]:
            path = path_of(pattern, world, username)
            target = target_of(world, pattern, username)
            for method in methods:
                before = snapshot(target)
                response = send(users[username], method, path, pattern, target=target)
                n += 1
                got, want = outcome(response), {"forbidden", "login", "not_allowed"}
                if got not in want:
                    mismatches.append(_mismatch(username, method, path, got, want, response))
                after = snapshot(target)
                if after != before:
                    mismatches.append(f"{username:>16} {method:6} {path}: changed {changed(before, after)}")
    # The check sees a change: an allowed write (head_east dismisses the east suspect) changes the state.
    suspect = world.obj("suspect")
    before = snapshot(suspect)
    response = users["head_east"].post(
        reverse("detection:suspect_dismiss", args=[suspect.pk]), {"note": "误报"}
    )
    assert outcome(response) == "ok" and snapshot(suspect) != before
    print(f"write matrix: {n} requests")
    assert not mismatches, f"{len(mismatches)} of {n} writes are not refused:\n" + "\n".join(mismatches)
