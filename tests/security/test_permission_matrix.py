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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gridcheck.core.access import is_api_view

# --- who is who ----------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
PORTAL = "portal"  # a customer's portal login (role ``customer``), linked to customer east11
EAST_STAFF = frozenset(
    {"head_east", "inspector_east", "inspector2_east", "reader_east", "auditor_east", "manager_east"}
)
STAFF = EAST_STAFF | {"inspector_west", "liaison", "admin"}
USERS = sorted(STAFF) + [PORTAL, ANONYMOUS]

# --- the policy: who reads each section ----------------------------------------------------------

#: Archive, meter data, line loss and staff: every member of staff but the government liaison.
DATA_READERS = STAFF - {"liaison"}
#: Detection, inspections and cases (suspects, visits with photos and signatures, amounts): the people
#: who act on them; not the meter reader, not the liaison.
CASEWORK_READERS = STAFF - {"liaison", "reader_east"}
SECTIONS: dict[str, frozenset[str]] = {
    # The home page, one's own messages, the API's description (decision: the schema and its docs).
    "desk": STAFF,
    "archive": DATA_READERS,
    "meter_data": DATA_READERS,
    "lineloss": DATA_READERS,
    "staff": DATA_READERS,
    "detection": CASEWORK_READERS,
    "inspections": CASEWORK_READERS,
    "cases": CASEWORK_READERS,
    # Hazards: every member of staff including the liaison.
    "hazards": STAFF,
    # The customer portal: the portal customer only.
    "portal": frozenset({PORTAL}),
    # A hazard's notice PDF and photos: staff who read hazards, and the portal customer for their own.
    "hazard_files": STAFF | {PORTAL},
    # Decision: the hazards API is the portal's API too (docs/hazards.md: list, detail, notices and
    # statistics of the customer's own hazards, and ``confirm`` of a rectification); it shows a portal
    # customer nothing the portal pages do not. To close it, take PORTAL out here and out of
    # ``gridcheck.hazards.api.views.HazardAccess``.
    "hazards_api": STAFF | {PORTAL},
    # Decision (the policy does not say): the outbox of e-mails and SMS, with its attachments and its
    # API, is for station heads and county-level staff other than the liaison (here: head_east, admin).
    "outbox": frozenset({"head_east", "admin"}),
}

# Pages that need more than reading their section even for GET (the forms that change something).
CHANGERS = frozenset({"head_east", "auditor_east", "admin"})  # edit archive records
IMPORTERS = frozenset(
    {"head_east", "inspector_east", "inspector2_east", "auditor_east", "inspector_west", "admin"}
)
FIELD_STAFF = IMPORTERS  # field work, cases, hazards: heads, inspectors, auditors, administrators
DISPATCHERS = frozenset({"head_east", "admin"})  # plan, dispatch, register tip-offs, run campaigns

#: Where an object of each kind lies. ``station``: the east object is the east station's (and in area
#: S01-A1, the area manager's, or station-wide): its station's staff, the area manager and county-level
#: users see it; the west station's staff get a 404; the west twin is the "other station" object.
#: ``county``: county-wide (runs, tariffs, meter-data imports): every reader of the section.
#: ``personal``: one's own in-app message; anyone else's is a 404, the administrator's too.
OBJECT_KINDS = {
    **dict.fromkeys(
        [
            "station",
            "line",
            "area",
            "customer",
            "meteringpoint",
            "meter",
            "importbatch",
            "user",
            "qualification",
            "readingrate",
            "areamonthloss",
            "linemonthloss",
            "losstarget",
            "suspect",
            "workorder",
            "visit",
            "visitphoto",
            "plan",
            "campaign",
            "tipoff",
            "seal",
            "pliers",
            "case",
            "hazard",
            "hazardphoto",
            "notice",
            "paper_notice",
            "drill",
            "message",
            "attachment",
        ],
        "station",
    ),
    **dict.fromkeys(["tariff", "meterdataimport", "analysisrun", "detectionrun"], "county"),
    "inbox": "personal",
}


@dataclass
class Url:
    """One URL name's entry: its section, the object its ``pk`` names, its literal path arguments."""

    section: str
    obj: str | None = None
    kwargs: dict = field(default_factory=dict)
    #: Who may GET it, where that is narrower than the section's readers (a form that changes something).
    get_roles: frozenset | None = None
    #: A plausible POST body (or ``object -> body``), so that a missing check would show as a change
    #: rather than as a refused form.
    data: dict | Callable = field(default_factory=dict)
    #: A bare redirect to its section's first page: judged after following it.
    follow: bool = False


U = Url


def _customer_form(customer) -> dict:
    """The customer edit form as its page fills it, with a new name."""
    from django.forms.models import model_to_dict

    from gridcheck.archive.services import CUSTOMER_EDITABLE_FIELDS

    values = model_to_dict(customer, fields=CUSTOMER_EDITABLE_FIELDS)
    return {k: "" if v is None else v for k, v in values.items()} | {"name": "改名"}


CASE_DATA = {"signed": "yes", "signer_name": "张三", "notified_on": "2026-11-20"}
HAZARD = {"to_status": "rectifying", "note": "x"}

URLS: dict[str, Url] = {
    "home": U("desk"),
    # archive
    "archive:station_list": U("archive"),
    "archive:station_detail": U("archive", "station"),
    "archive:line_list": U("archive"),
    "archive:line_detail": U("archive", "line"),
    "archive:area_list": U("archive"),
    "archive:area_detail": U("archive", "area"),
    "archive:customer_list": U("archive"),
    "archive:customer_detail": U("archive", "customer"),
    "archive:customer_edit": U("archive", "customer", get_roles=CHANGERS, data=_customer_form),
    "archive:meteringpoint_list": U("archive"),
    "archive:meteringpoint_detail": U("archive", "meteringpoint"),
    "archive:meter_list": U("archive"),
    "archive:meter_detail": U("archive", "meter"),
    "archive:tariff_list": U("archive"),
    "archive:search": U("archive"),
    "archive:import": U("archive", get_roles=IMPORTERS),
    "archive:import_template": U("archive", kwargs={"entity": "customers"}),
    "archive:importbatch_list": U("archive"),
    "archive:importbatch_detail": U("archive", "importbatch"),
    # staff
    "users:user_list": U("staff"),
    "users:user_detail": U("staff", "user"),
    # The certificates are the staff section's (on the staff pages and the API too): its readers, not
    # only those who manage staff.
    "users:qualification_list": U("staff"),
    # hazards
    "hazards:dashboard": U("hazards"),
    "hazards:calendar_run": U("hazards", kwargs={"what": "monthly"}),
    "hazards:hazard_list": U("hazards"),
    "hazards:hazard_create": U("hazards", get_roles=FIELD_STAFF),
    "hazards:hazard_detail": U("hazards", "hazard"),
    "hazards:hazard_transition": U("hazards", "hazard", data=HAZARD),
    "hazards:notice_list": U("hazards"),
    "hazards:notice_detail": U(
        "hazards", "paper_notice", data={"delivered_on": "2026-11-20", "received_by": "x"}
    ),
    "hazards:notice_pdf": U("hazard_files", "notice"),
    "hazards:notice_receipt": U("hazards", "paper_notice"),
    "hazards:photo": U("hazard_files", "hazardphoto"),
    "hazards:customer_safety": U(
        "hazards",
        "customer",
        data={"action": "drill", "customer": "0", "scenario": "停电", "scheduled_on": "2026-12-30"},
    ),
    "hazards:drill_record": U(
        "hazards", "drill", get_roles=FIELD_STAFF, data={"held_on": "2026-11-20", "participants": "9"}
    ),
    "hazards:government_contacts": U("hazards", data={"department": "应急局", "name": "李四"}),
    "hazards:risk_customers": U("hazards"),
    "hazards:portal": U("portal"),
    "hazards:portal_hazard": U("portal", "hazard", data={"note": "已整改"}),
    # notifications
    "notifications:inbox": U("desk"),
    "notifications:inbox_message": U("desk", "inbox"),
    "notifications:inbox_read_all": U("desk"),
    "notifications:outbox": U("outbox"),
    "notifications:message_detail": U("outbox", "message"),
    "notifications:message_retry": U("outbox", "message"),
    "notifications:message_cancel": U("outbox", "message"),
    "notifications:attachment_download": U("outbox", "attachment"),
    # meter data. Decision: the bare section prefixes (/readings/, /lineloss/, /detection/,
    # /inspections/) are redirects that decide nothing; whoever follows one meets the rule of its first
    # page, so they are judged after following (``follow``) and are not write URLs.
    "/readings/": U("meter_data", follow=True),
    "readings:dashboard": U("meter_data"),
    "readings:import": U("meter_data", get_roles=IMPORTERS),
    "readings:import_list": U("meter_data"),
    "readings:import_detail": U("meter_data", "meterdataimport"),
    "readings:customer_consumption_json": U("meter_data", "customer"),
    # line loss
    "/lineloss/": U("lineloss", follow=True),
    "lineloss:dashboard": U("lineloss"),
    "lineloss:areamonthloss_list": U("lineloss"),
    "lineloss:area_loss": U("lineloss", "area"),
    "lineloss:run_list": U("lineloss"),
    "lineloss:run_start": U("lineloss", data={"month": "2026-10", "backend": "duckdb"}),
    "lineloss:run_detail": U("lineloss", "analysisrun"),
    "lineloss:run_progress": U("lineloss", "analysisrun"),
    "lineloss:losstarget_list": U("lineloss"),
    # detection
    "/detection/": U("detection", follow=True),
    "detection:suspect_list": U("detection"),
    "detection:suspect_detail": U("detection", "suspect"),
    "detection:suspect_chart": U("detection", "suspect"),
    "detection:suspect_work_order_create": U("detection", "suspect"),
    "detection:suspect_dismiss": U("detection", "suspect", data={"note": "误报"}),
    "detection:run_list": U("detection"),
    "detection:run_start": U("detection", data={"month": "2026-10"}),
    "detection:run_detail": U("detection", "detectionrun"),
    "detection:run_progress": U("detection", "detectionrun"),
    # cases
    "cases:case_list": U("cases"),
    "cases:case_create": U("cases", get_roles=FIELD_STAFF),
    "cases:labels_csv": U("cases"),
    "cases:case_detail": U("cases", "case"),
    "cases:case_compute": U("cases", "case"),
    "cases:case_notify": U("cases", "case", data=CASE_DATA),
    "cases:case_submit": U("cases", "case"),
    "cases:case_approve": U("cases", "case", data={"decision": "approve"}),
    "cases:case_payment": U(
        "cases", "case", data={"amount_yuan": "1", "paid_on": "2026-11-20", "receipt_number": "R1"}
    ),
    "cases:case_close": U("cases", "case"),
    "cases:case_notice_pdf": U("cases", "case"),
    "cases:case_payment_notice_pdf": U("cases", "case"),
    # inspections
    "inspections:index": U("inspections", follow=True),
    "inspections:workorder_list": U("inspections"),
    "inspections:workorder_overdue": U("inspections"),
    "inspections:my_work": U("inspections"),
    "inspections:workorder_create": U("inspections", get_roles=FIELD_STAFF),
    "inspections:workorder_detail": U("inspections", "workorder"),
    "inspections:visit": U("inspections", "workorder", get_roles=FIELD_STAFF),
    "inspections:workorder_assign": U("inspections", "workorder"),
    "inspections:workorder_action": U(
        "inspections", "workorder", {"action": "cancel"}, data={"reason": "重复"}
    ),
    "inspections:visit_detail": U("inspections", "visit"),
    "inspections:visit_file": U("inspections", "visit", {"what": "inspector1"}),
    "inspections:plan_list": U("inspections"),
    "inspections:plan_generate": U("inspections"),
    "inspections:plan_detail": U("inspections", "plan"),
    "inspections:plan_action": U("inspections", "plan", {"action": "publish"}),
    "inspections:dispatch": U("inspections"),
    "inspections:weekly": U("inspections"),
    "inspections:campaign_list": U("inspections"),
    "inspections:campaign_create": U("inspections", get_roles=DISPATCHERS),
    "inspections:campaign_detail": U("inspections", "campaign"),
    "inspections:tipoff_list": U("inspections"),
    "inspections:tipoff_create": U("inspections", get_roles=DISPATCHERS),
    "inspections:tipoff_detail": U("inspections", "tipoff"),
    "inspections:tipoff_action": U(
        "inspections", "tipoff", {"action": "conclude"}, data={"status": "unfounded", "outcome": "无"}
    ),
    "inspections:seal_list": U("inspections"),
    "inspections:sealbatch_create": U("inspections"),
    "inspections:seal_issue": U("inspections", kwargs={"action": "issue"}),
    "inspections:seal_detail": U("inspections", "seal"),
    "inspections:seal_action": U(
        "inspections", "seal", {"action": "break"}, data={"kind": "broken", "reason": "x"}
    ),
    "inspections:pliers_list": U("inspections"),
    "inspections:pliers_create": U("inspections", kwargs={"action": "create"}),
    "inspections:pliers_action": U("inspections", "pliers", {"action": "return"}),
    # the API's description (decision, see the module docstring) and the routers' roots (links only)
    "api-schema": U("desk"),
    "api-docs": U("desk"),
    "api-redoc": U("desk"),
    **{
        f"api:api-root@/api/{app}/": U("desk")
        for app in (
            "archive",
            "staff",
            "hazards",
            "notifications",
            "readings",
            "lineloss",
            "detection",
            "cases",
            "inspections",
        )
    },
    # API: archive
    **{
        f"api:{basename}-{suffix}": U("archive", None if suffix == "list" else basename)
        for basename in ("station", "line", "area", "customer", "meteringpoint", "meter", "tariff")
        for suffix in ("list", "detail", "history")
    },
    "api:importbatch-list": U("archive"),
    "api:importbatch-detail": U("archive", "importbatch"),
    # API: staff
    "api:user-list": U("staff"),
    "api:user-detail": U("staff", "user"),
    "api:qualification-list": U("staff"),
    "api:qualification-detail": U("staff", "qualification"),
    # API: hazards (the portal's API too, see SECTIONS["hazards_api"])
    "api:hazard-statistics": U("hazards_api"),
    "api:hazard-list": U("hazards_api"),
    "api:hazard-detail": U("hazards_api", "hazard"),
    "api:hazard-confirm": U("hazards_api", "hazard", data={"note": "已整改"}),
    "api:hazard-transition": U("hazards_api", "hazard", data=HAZARD),
    "api:notice-list": U("hazards_api"),
    "api:notice-detail": U("hazards_api", "notice"),
    # API: the outbox
    "api:message-list": U("outbox"),
    "api:message-detail": U("outbox", "message"),
    # API: meter data
    "api:meterdataimport-list": U("meter_data"),
    "api:meterdataimport-detail": U("meter_data", "meterdataimport"),
    "api:readingrate-list": U("meter_data"),
    "api:readingrate-detail": U("meter_data", "readingrate"),
    # API: line loss
    "api:areamonthloss-list": U("lineloss"),
    "api:areamonthloss-detail": U("lineloss", "areamonthloss"),
    "api:linemonthloss-list": U("lineloss"),
    "api:linemonthloss-detail": U("lineloss", "linemonthloss"),
    "api:analysisrun-list": U("lineloss", data={"month": "2026-10-01"}),
    "api:analysisrun-detail": U("lineloss", "analysisrun"),
    "api:losstarget-list": U("lineloss"),
    "api:losstarget-detail": U("lineloss", "losstarget"),
    # API: detection
    "api:suspect-list": U("detection"),
    "api:suspect-detail": U("detection", "suspect"),
    "api:detectionrun-list": U("detection"),
    "api:detectionrun-detail": U("detection", "detectionrun"),
    # API: cases
    "api:case-labels": U("cases"),
    "api:case-list": U("cases"),
    "api:case-detail": U("cases", "case"),
    # API: inspections
    "api:workorder-list": U("inspections", data={"source": "manual", "customer": 0, "reason": "x"}),
    "api:workorder-detail": U("inspections", "workorder"),
    "api:workorder-assign": U(
        "inspections", "workorder", data={"inspectors": [], "visit_date": "2026-11-20"}
    ),
    "api:visit-list": U("inspections"),
    "api:visit-detail": U("inspections", "visit"),
    "api:inspectionplan-list": U("inspections"),
    "api:inspectionplan-detail": U("inspections", "plan"),
    "api:seal-list": U("inspections"),
    "api:seal-detail": U("inspections", "seal"),
    "api:tipoff-list": U("inspections"),
    "api:tipoff-detail": U("inspections", "tipoff"),
}
#: Django's own views, outside the matrix (see the module docstring).
EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_NAMES = {
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
        return hasattr(self.view_class, "get") if self.view_class else True

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
        kwargs["pk"] = world.obj(entry.obj, side).pk
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
        cursor.execute(_state_sql())
        state = [tuple(map(str, row)) for row in cursor.fetchall()]
    if target is not None:
        columns = [f.attname for f in target._meta.concrete_fields if f.name != "last_login"]
        state.append(tuple(type(target)._default_manager.filter(pk=target.pk).values_list(*columns)))
    return tuple(state)


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
                if snapshot(target) != before:
                    mismatches.append(f"{username:>16} {method:6} {path}: changed the database")
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
                if snapshot(target) != before:
                    mismatches.append(f"{username:>16} {method:6} {path}: changed the database")
    # The check sees a change: an allowed write (head_east dismisses the east suspect) changes the state.
    suspect = world.obj("suspect")
    before = snapshot(suspect)
    response = users["head_east"].post(
        reverse("detection:suspect_dismiss", args=[suspect.pk]), {"note": "误报"}
    )
    assert outcome(response) == "ok" and snapshot(suspect) != before
    print(f"write matrix: {n} requests")
    assert not mismatches, f"{len(mismatches)} of {n} writes are not refused:\n" + "\n".join(mismatches)
