"""DRF permission built on the role table of ``gridcheck.core.roles`` and the access rules of
``gridcheck.core.access``."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from gridcheck.core.access import may_open
from gridcheck.core.roles import CHANGE, VIEW, has_capability


class RolePermission(BasePermission):
    """DRF permission: the app's read capability for every request (``may_open``: the same rule as the
    pages, applied after the session or token is authenticated); writing also needs ``change`` or the
    view's own ``required_capability``."""

    def has_permission(self, request, view) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is not None and not may_open(request.user, match):
            return False
        default = VIEW if request.method in SAFE_METHODS else CHANGE
        return has_capability(request.user, getattr(view, "required_capability", None) or default)
