"""Reads of the users app."""

from django.db.models import QuerySet

from gridcheck.users.models import User


def station_staff(station_id) -> QuerySet[User]:
    """The active staff of a station, by username (the people a station's forms may name)."""
    return User.objects.filter(station_id=station_id, is_active=True).order_by("username")


def people_who_may(capability: str, *, station_id=None, exclude=()) -> list[User]:
    """The active staff who hold ``capability`` for a station's work: the station's own people and the
    county-level ones (no station), except ``exclude`` (users or their ids: the person who prepared the
    thing never approves it). Used to tell the next person in a hand-over that something waits."""
    from django.db.models import Q

    from gridcheck.core.roles import has_capability

    excluded = {getattr(person, "pk", person) for person in exclude}
    where = Q(station__isnull=True) | (Q(station_id=station_id) if station_id is not None else Q())
    people = User.objects.filter(where, is_active=True).exclude(pk__in=excluded).order_by("username")
    return [person for person in people if has_capability(person, capability)]


def station_heads(station_id) -> QuerySet[User]:
    """The active heads of a station (所长): whom an overdue work order of the station is reported to."""
    from gridcheck.core.roles import Role

    return User.objects.filter(station_id=station_id, role=Role.STATION_HEAD, is_active=True).order_by(
        "username"
    )
