"""DRF permission built on the role table of ``gridcheck.core.roles``."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from gridcheck.core.roles import CHANGE, VIEW, has_capability


class RolePermission(BasePermission):
    """DRF permission: reading needs ``view``, writing needs ``change`` (or the view's own capability)."""

    def has_permission(self, request, view) -> bool:
        capability = VIEW if request.method in SAFE_METHODS else CHANGE
        return has_capability(request.user, getattr(view, "required_capability", None) or capability)
