"""The client's address behind the reverse proxy, for the login lockout (django-axes) and the logs.

``REMOTE_ADDR`` is the proxy's address when Gridcheck runs behind nginx; keying the lockout on it would
lock every user out together. When ``REMOTE_ADDR`` is one of ``GRIDCHECK_TRUSTED_PROXIES`` (a deployment
setting: the proxies' addresses), the client is the right-most address of ``X-Forwarded-For`` that is
not itself a trusted proxy. Otherwise ``X-Forwarded-For`` is ignored: a client cannot choose its own
address by sending the header.
"""

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    trusted = set(getattr(settings, "GRIDCHECK_TRUSTED_PROXIES", ()))
    if remote not in trusted:
        return remote
    forwarded = [a for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        valid = _valid(address)
        if valid is None:
            break
        if valid not in trusted:
            return valid
    return remote
