"""What each role may do: the one place where roles turn into permissions.

Capabilities:
- ``view``: read archive pages, lists, exports and the API (within the user's scope);
- ``change``: edit archive records;
- ``import``: load archive files;
- ``manage_staff``: create staff and qualifications.
The government liaison is read-only; a customer's portal login (``Role.CUSTOMER``) has no capability.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from gridcheck.users.choices import Role

VIEW, CHANGE, IMPORT, MANAGE_STAFF = "view", "change", "import", "manage_staff"

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset({VIEW, CHANGE, IMPORT, MANAGE_STAFF}),
    Role.STATION_HEAD: frozenset({VIEW, CHANGE, IMPORT, MANAGE_STAFF}),
    Role.AUDITOR: frozenset({VIEW, CHANGE, IMPORT}),
    Role.INSPECTOR: frozenset({VIEW, IMPORT}),
    Role.METER_READER: frozenset({VIEW}),
    Role.AREA_MANAGER: frozenset({VIEW}),
    Role.GOVERNMENT_LIAISON: frozenset({VIEW}),
}


def has_capability(user, capability: str) -> bool:
    """Whether ``user`` may do ``capability``; superusers may do everything."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


class RolePermission(BasePermission):
    """DRF permission: reading needs ``view``, writing needs ``change``."""

    def has_permission(self, request, view) -> bool:
        capability = VIEW if request.method in SAFE_METHODS else CHANGE
        return has_capability(request.user, getattr(view, "required_capability", None) or capability)
