"""Reads of the users app."""

from django.db.models import QuerySet

from gridcheck.users.models import User


def station_staff(station_id) -> QuerySet[User]:
    """The active staff of a station, by username (the people a station's forms may name)."""
    return User.objects.filter(station_id=station_id, is_active=True).order_by("username")
