"""Who may open which URL, decided once for pages and API alike, whatever the way of logging in.

Every view belongs to an app (the ``gridcheck.<app>`` module it is defined in). An app registers the
capability that reading it needs (``registries.access``: ``"archive" -> view_archive``); a single view may
be registered under its URL name with a capability of its own (``"hazards:portal" -> portal``). A view of
an app that registered nothing needs ``view``.

Pages and API views alike are checked by ``AccessMiddleware`` before the view runs (for the API with the
session's user or the API token's), and again by ``RolePermission``, with the same ``may_open``; an app's
own permission classes come on top and can only narrow it. So a customer's portal
login, whose role has only ``portal``, reaches the portal and nothing else on every path, and a new URL
of an app is closed to the roles that may not read that app without anyone remembering to close it.
Views outside Gridcheck (login, logout, admin, the schema) keep their own rules.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from gridcheck.core.registries import access, landing
from gridcheck.core.roles import VIEW, has_capability


def view_app(match) -> str | None:
    """The Gridcheck app of the view behind ``match`` (``resolve(path)``), or None for a foreign view."""
    func = match.func
    target = getattr(func, "cls", None) or getattr(func, "view_class", None) or func
    module = getattr(target, "__module__", "") or ""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "gridcheck" else None


def required_access(match):
    """The capability (or ``user -> bool``) that opening ``match`` needs, or None when not ours to say."""
    if match.view_name in access:
        return access[match.view_name]
    app = view_app(match)
    if app is None:
        return None
    return access[app] if app in access else VIEW


def may_open(user, match) -> bool:
    rule = required_access(match)
    if rule is None:
        return True
    return rule(user) if callable(rule) else has_capability(user, rule)


def may_open_path(user, path: str) -> bool:
    """Whether ``user`` may open the page at ``path`` (of this site): :func:`may_open` of its app, and its
    view's own ``required_capability`` and, for a ``ScopedPage``, its ``action_capability`` or one of its
    ``action_capabilities`` (asked of everyone who opens it). A link is shown only to who may follow it:
    one that answers 403 is a dead end. A path of no view here counts as open; the scope is not checked
    (a record outside it is a 404 of its own)."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    from gridcheck.core.generic import CapabilityRequiredMixin

    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return True
    if not may_open(user, match):
        return False
    view = getattr(match.func, "view_class", None)
    if isinstance(view, type) and issubclass(view, CapabilityRequiredMixin):
        return view.opens_for(user)
    return True


def is_api_view(func) -> bool:
    from rest_framework.views import APIView

    cls = getattr(func, "cls", None)
    return isinstance(cls, type) and issubclass(cls, APIView)


class AccessMiddleware:
    """Refuses (403) a logged-in user a page of an app their role may not read. Anonymous users reach the
    view, which sends them to the login page; API views are checked by ``RolePermission``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if match is None or user is None:
            return None
        if is_api_view(view_func):
            # Checked here too, whatever permission classes the view has: the token's user, if any.
            api_user = user if user.is_authenticated else _token_user(request)
            if api_user is not None and not may_open(api_user, match):
                from django.http import JsonResponse

                return JsonResponse({"detail": "permission denied"}, status=403)
            return None
        if not user.is_authenticated:
            return None
        if not may_open(user, match):
            landing = _landing(user)
            if landing is not None and request.method == "GET" and landing != request.path:
                return redirect(landing)
            raise PermissionDenied
        return None


def _token_user(request):
    """The user of a valid API token in the request, or None (DRF authenticates it again in the view)."""
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.request import Request

    try:
        found = TokenAuthentication().authenticate(Request(request))
    except AuthenticationFailed:
        return None
    return found[0] if found else None


def _landing(user) -> str | None:
    """Where a user who may not open a page belongs instead (a customer's portal login: its portal)."""
    for capability, url_name in landing.items():
        if has_capability(user, capability):
            return reverse(url_name)
    return None
