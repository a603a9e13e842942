"""Keeps a customer portal user inside the portal.

A portal user is an ordinary ``users.User`` (default role, no station), which the rest of Gridcheck
would treat as county-level staff. At login (``user_logged_in``) the session records whether the user
is linked to a ``CustomerContact``; this middleware then lets such a session reach only the portal, its
own notice PDFs and photos, the hazards API (which checks the customer itself), logging out and static files.
Anything else is a redirect to the portal (pages) or a 404 (other APIs). It reads only the session, so
staff requests cost no extra query.
"""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "gridcheck_portal_customer"
ALLOWED_PREFIXES = ("/hazards/portal/", "/api/hazards/", "/accounts/", "/static/", "/i18n/")


def portal_session_mark(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: remember in the session whether ``user`` is a portal user."""
    from gridcheck.hazards.selectors import portal_customer_for

    customer = portal_customer_for(user)
    if customer is not None:
        request.session[SESSION_KEY] = customer.pk
    else:
        request.session.pop(SESSION_KEY, None)


def _allowed(path: str) -> bool:
    if path.startswith(ALLOWED_PREFIXES):
        return True
    # The PDF of a notice: the view itself lets a portal user have only their own.
    if path.startswith("/hazards/notices/") and path.endswith("/pdf/"):
        return True
    return path.startswith("/hazards/photos/")


class PortalConfinementMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) and not _allowed(request.path):
            if request.path.startswith("/api/"):
                raise Http404
            return redirect(reverse("hazards:portal"))
        return self.get_response(request)
