"""Services that change staff accounts: keyword-only, atomic, validated before they save."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.archive.models import Station
from gridcheck.core.roles import Role
from gridcheck.users.models import User

#: Roles that the demo gives a login, in the order the demo prints them; county-level roles have no station.
DEMO_ROLES = (
    Role.STATION_HEAD,
    Role.INSPECTOR,
    Role.METER_READER,
    Role.AUDITOR,
    Role.AREA_MANAGER,
    Role.GOVERNMENT_LIAISON,
    Role.ADMINISTRATOR,
)
COUNTY_LEVEL_ROLES = (Role.GOVERNMENT_LIAISON, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class DemoLogin:
    """One demo login: the role it shows, the staff member behind it and whether anything changed."""

    role: str
    user: User
    changed: bool


@transaction.atomic
def user_set_password(*, user: User, password: str) -> bool:
    """Give ``user`` the password ``password`` (checked by the password validators).

    Nothing is saved (and no history row written) when the user already has that password.

    Returns
    -------
    bool
        Whether the password was changed.
    """
    if user.has_usable_password() and user.check_password(password):
        return False
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return True


@transaction.atomic
def demo_users_ensure(*, password: str, station: Station | None = None) -> list[DemoLogin]:
    """Make one existing staff member per role a usable demo login with ``password``.

    For each role of :data:`DEMO_ROLES` the first (by username) active staff member of ``station`` (by
    default the first station by code) is chosen; for the county-level roles (government liaison,
    administrator) a county-level one. An inspector with a qualification valid today is preferred, and an
    area manager who owns areas. The chosen accounts are activated and given the password; the
    administrator is made staff and superuser. Running it again changes nothing.

    Raises
    ------
    ValueError
        When there is no station or no staff member for a role (import the staff first).
    """
    if station is None:
        station = Station.objects.order_by("code").first()
        if station is None:
            raise ValueError(_("There is no station: import the stations and staff first."))
    today = timezone.localdate()
    logins = []
    for role in DEMO_ROLES:
        user = _demo_candidate(role=role, station=station, today=today)
        if user is None:
            where = _("county level") if role in COUNTY_LEVEL_ROLES else station.name
            raise ValueError(
                _("No staff member with the role %(role)s at %(where)s: import the staff first.")
                % {"role": Role(role).label, "where": where}
            )
        changed = _make_usable(user=user, administrator=role == Role.ADMINISTRATOR)
        changed = user_set_password(user=user, password=password) or changed
        logins.append(DemoLogin(role=role, user=user, changed=changed))
    return logins


def _demo_candidate(*, role: str, station: Station, today: datetime.date) -> User | None:
    users = User.objects.filter(role=role)
    users = (
        users.filter(station__isnull=True) if role in COUNTY_LEVEL_ROLES else users.filter(station=station)
    )
    users = users.select_related("station")
    ordering = ["username"]
    if role == Role.INSPECTOR:
        users = users.annotate(
            valid_until=Max(
                "qualifications__expires_on",
                filter=Q(qualifications__issued_on__lte=today, qualifications__expires_on__gte=today),
            )
        )
        ordering = [F("valid_until").desc(nulls_last=True), "username"]
    elif role == Role.AREA_MANAGER:
        users = users.annotate(owned=Count("owned_areas"))
        ordering = ["-owned", "username"]
    return users.order_by(*ordering).first()


def _make_usable(*, user: User, administrator: bool) -> bool:
    wanted = {"is_active": True}
    if administrator:
        wanted.update(is_staff=True, is_superuser=True)
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if changed:
        user.save(update_fields=changed)
    return bool(changed)
