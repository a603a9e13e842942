"""Bases of every app's REST API: scoped viewsets, deferred-join paging and the change-history action.

Every queryset goes through ``scope_queryset`` (a station's staff see their station, an area manager
their areas); reading needs the ``view`` capability and writing ``change`` (``RolePermission``, the
DRF default).
"""

from typing import ClassVar

from django.db.models import Model
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gridcheck.core.scoping import scope_queryset


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)


class HistoryUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()


class HistoryRecordSerializer(serializers.Serializer):
    """One change record of the audit trail: who, when, what kind, which fields old → new."""

    history_id = serializers.IntegerField()
    date = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=[("+", _("Created")), ("~", _("Changed")), ("-", _("Deleted"))])
    type_display = serializers.CharField()
    user = HistoryUserSerializer(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    changes = HistoryChangeSerializer(many=True)


HISTORY_EXCLUDED_FIELDS = ("created_at", "updated_at")


def _history_value(value) -> str | None:
    return None if value is None else str(value)


def history_records(obj: Model) -> list[dict]:
    """The change records of ``obj``, newest first: who, when, what kind, and each field old → new."""
    model = type(obj)
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id"))
    tracked = {f.name for f in obj.history.model._meta.concrete_fields}  # less a model's excluded_fields
    field_names = [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in HISTORY_EXCLUDED_FIELDS and not f.primary_key and f.name in tracked
    ]
    result = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, excluded_fields=HISTORY_EXCLUDED_FIELDS)
            for change in delta.changes:
                changes.append((change.field, change.old, change.new))
        elif record.history_type == "+":
            for name in field_names:
                value = getattr(record, model._meta.get_field(name).attname)
                if value not in (None, ""):
                    changes.append((name, None, value))
        user = record.history_user
        result.append(
            {
                "history_id": record.history_id,
                "date": record.history_date,
                "type": record.history_type,
                "type_display": record.get_history_type_display(),
                "user": (
                    {
                        "id": user.pk,
                        "username": user.get_username(),
                        "full_name": getattr(user, "full_name", ""),
                    }
                    if user is not None
                    else None
                ),
                "reason": record.history_change_reason,
                "changes": [
                    {
                        "field": name,
                        "label": str(model._meta.get_field(name).verbose_name),
                        "old": _history_value(old),
                        "new": _history_value(new),
                    }
                    for name, old, new in changes
                ],
            }
        )
    return result


class ScopedViewSetMixin:
    """Restricts ``queryset`` to the request user's scope and avoids per-row queries."""

    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return scope_queryset(queryset, self.request.user)


class SortKeyPaginationMixin:
    """Pages by the sort key first, then loads only that page's rows ("deferred join").

    When the list is ordered by ``page_key`` (a unique field with an index that starts with the
    filter column, e.g. ``(station, account_number)``), PostgreSQL walks a deep OFFSET with an
    index-only scan over the keys instead of reading and sorting every row before the page; the page's
    rows are then fetched by key. Any other ordering pages the rows directly.
    """

    page_key: str = ""

    def paginate_queryset(self, queryset):
        if not self.page_key or tuple(queryset.query.order_by) not in (
            (self.page_key,),
            (f"-{self.page_key}",),
        ):
            return super().paginate_queryset(queryset)
        keys = super().paginate_queryset(
            queryset.prefetch_related(None).values_list(self.page_key, flat=True)
        )
        if keys is None:
            return None
        keys = list(keys)
        rows = {getattr(row, self.page_key): row for row in queryset.filter(**{f"{self.page_key}__in": keys})}
        return [rows[key] for key in keys if key in rows]


class HistoryMixin:
    """Adds ``GET <pk>/history/``: the object's audit trail (django-simple-history)."""

    @extend_schema(
        summary=_("Change history"),
        description=_("Every change of the object, newest first: who, when, and each field old → new."),
        responses=HistoryRecordSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request: Request, pk=None) -> Response:
        obj = self.get_object()
        data = HistoryRecordSerializer(history_records(obj), many=True).data
        return Response(data)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per process, language and API version (about 1.7 s a time).

    The schema is public to staff (``SERVE_PUBLIC``: every user with the view's permission gets the whole
    schema), so it depends only on the code, which a process does not change; the test suite checks that
    two roles' schemas are equal.
    """

    _schemas: ClassVar[dict[tuple, dict]] = {}

    def _get_schema_response(self, request):
        if not self.serve_public:  # a schema filtered by the user's permissions is the user's own
            return super()._get_schema_response(request)
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (get_language(), version)
        if key not in self._schemas:
            response = super()._get_schema_response(request)
            self._schemas[key] = response.data
            return response
        filename = self._get_filename(request, version)
        return Response(
            data=self._schemas[key], headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )
