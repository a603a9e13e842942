"""Area scoping: which rows a user may see, applied to every page, list, export and API call.

- county-level users (no station) and superusers see everything;
- a station's staff see only that station's rows;
- an area manager sees only the areas they own, the customers and meters in them, and the lines and
  station above them;
- a customer's portal login sees nothing of the archive (the hazard portal shows its own customer).

A model declares how it reaches its station and area with ``SCOPE_STATION`` (lookup to the station id),
``SCOPE_AREA`` (lookup to the area id) or, for parents above areas, ``SCOPE_AREA_PARENT`` (the field of
``Area`` that points at it). A model with neither (reference data such as tariffs) is not scoped.

Core knows no app: the archive registers its area and station models (``register_models``) when it is
ready.
"""

from django.db.models import Model, QuerySet

from gridcheck.core.roles import Role

_models: dict[str, type[Model]] = {}


def register_models(*, area: type[Model], station: type[Model]) -> None:
    """Tell scoping which models are the transformer area (with ``owner``) and the station (``company``)."""
    _models.update(area=area, station=station)


def _owned_areas(user) -> QuerySet:
    return _models["area"]._default_manager.filter(owner=user)


def scope_queryset(queryset: QuerySet, user) -> QuerySet:
    """Restrict ``queryset`` to what ``user`` may see."""
    model = queryset.model
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.is_superuser:
        return queryset
    if user.role == Role.CUSTOMER:
        return queryset.none()
    station_lookup = getattr(model, "SCOPE_STATION", None)
    area_lookup = getattr(model, "SCOPE_AREA", None)
    area_parent = getattr(model, "SCOPE_AREA_PARENT", None)
    if user.role == Role.AREA_MANAGER:
        if area_lookup:
            return queryset.filter(**{f"{area_lookup}__in": _owned_areas(user).values("pk")})
        if area_parent:
            return queryset.filter(pk__in=_owned_areas(user).values(area_parent))
        if station_lookup and user.station_id:
            return queryset.filter(**{station_lookup: user.station_id})
        return queryset if not station_lookup else queryset.none()
    if user.station_id is None:
        return queryset
    if station_lookup:
        return queryset.filter(**{station_lookup: user.station_id})
    if area_parent:
        # A parent above stations (the company): the one the user's station belongs to.
        return queryset.filter(
            pk__in=_models["station"]._default_manager.filter(pk=user.station_id).values("company_id")
        )
    return queryset


def scope_key(user) -> str:
    """A short text naming what ``user`` may see, equal for two users whose ``scope_queryset`` is the
    same on every model (with their role, which decides the links a page shows): a key for what is
    computed once per scope and shared (the home page's tiles)."""
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    if user.is_superuser:
        return "superuser"
    if user.role == Role.CUSTOMER:
        return f"customer:{user.pk}"
    if user.role == Role.AREA_MANAGER:
        return f"{user.role}:areas-of:{user.pk}:{user.station_id}"
    return f"{user.role}:station:{user.station_id or 'all'}"


def sees_only_some_areas(user) -> bool:
    """Whether ``user``'s scope is narrower than a station: only the areas they own (an area manager). A
    page that shows a station's figures with scoped lists says so to such a user."""
    return (
        getattr(user, "is_authenticated", False) and not user.is_superuser and user.role == Role.AREA_MANAGER
    )


def user_can_see(user, obj: Model) -> bool:
    """Whether ``obj`` lies within ``user``'s scope."""
    return scope_queryset(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def scoped(model: type[Model], user) -> QuerySet:
    """Every row of ``model`` that ``user`` may see."""
    return scope_queryset(model._default_manager.all(), user)
