"""Viewsets of the archive API: the same scoping, filters and permissions as the archive pages.

Every queryset goes through ``scope_queryset`` (a station's staff see their station, an area manager
their areas); reading needs the ``view`` capability and writing ``change`` (``RolePermission``, the
DRF default), so the government liaison is read-only.
"""

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gridcheck.archive import filtersets
from gridcheck.archive.api import serializers
from gridcheck.archive.models import (
    Area,
    Customer,
    ImportBatch,
    Line,
    Meter,
    MeteringPoint,
    Station,
    Tariff,
)
from gridcheck.core.scoping import scope_queryset

HISTORY_EXCLUDED_FIELDS = ("created_at", "updated_at")


def _history_value(value) -> str | None:
    return None if value is None else str(value)


def history_records(obj: Model) -> list[dict]:
    """The change records of ``obj``, newest first: who, when, what kind, and each field old → new."""
    model = type(obj)
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id"))
    field_names = [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in HISTORY_EXCLUDED_FIELDS and not f.primary_key
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
        responses=serializers.HistoryRecordSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request: Request, pk=None) -> Response:
        obj = self.get_object()
        data = serializers.HistoryRecordSerializer(history_records(obj), many=True).data
        return Response(data)


class CreateUpdateViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and update; archive records are never deleted through the API."""


class StationViewSet(ScopedViewSetMixin, HistoryMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Station.objects.all()
    serializer_class = serializers.StationSerializer
    filterset_class = filtersets.StationFilterSet
    select_related = ("company",)
    ordering_fields = ["code", "name"]
    ordering = ["code"]


class LineViewSet(ScopedViewSetMixin, HistoryMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Line.objects.all()
    serializer_class = serializers.LineSerializer
    filterset_class = filtersets.LineFilterSet
    select_related = ("station",)
    ordering_fields = ["code", "name", "station__code"]
    ordering = ["code"]


class AreaViewSet(ScopedViewSetMixin, HistoryMixin, CreateUpdateViewSet):
    queryset = Area.objects.all()
    serializer_class = serializers.AreaSerializer
    filterset_class = filtersets.AreaFilterSet
    select_related = ("station", "line", "owner")
    ordering_fields = ["code", "name", "capacity_kva", "line__code"]
    ordering = ["code"]


class CustomerViewSet(SortKeyPaginationMixin, ScopedViewSetMixin, HistoryMixin, CreateUpdateViewSet):
    """Customers ordered by account number (户号).

    The count and the page of keys read the customer table alone, through the ``(station,
    account_number)`` index when filtered by station (index-only scans, even for a deep page); the
    page's rows are then read by account number and their areas and stations come in two small
    prefetch queries rather than joins.
    """

    page_key = "account_number"
    queryset = Customer.objects.all()
    serializer_class = serializers.CustomerSerializer
    filterset_class = filtersets.CustomerFilterSet
    prefetch_related = ("area", "station")
    ordering_fields = [
        "account_number",
        "name",
        "contracted_capacity_kva",
        "inspection_class",
        "connected_on",
    ]
    ordering = ["account_number"]


class MeteringPointViewSet(ScopedViewSetMixin, HistoryMixin, CreateUpdateViewSet):
    queryset = MeteringPoint.objects.all()
    serializer_class = serializers.MeteringPointSerializer
    filterset_class = filtersets.MeteringPointFilterSet
    select_related = ("customer",)
    ordering_fields = ["code", "multiplier", "customer__account_number"]
    ordering = ["code"]


class MeterViewSet(ScopedViewSetMixin, HistoryMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Meter.objects.all()
    serializer_class = serializers.MeterSerializer
    filterset_class = filtersets.MeterFilterSet
    select_related = ("metering_point",)
    ordering_fields = ["asset_number", "install_date", "status"]
    ordering = ["asset_number"]


class TariffViewSet(ScopedViewSetMixin, HistoryMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Tariff.objects.all()
    serializer_class = serializers.TariffSerializer
    filterset_class = filtersets.TariffFilterSet
    ordering_fields = ["code", "effective_from", "price_yuan_per_kwh"]
    ordering = ["code", "-effective_from"]


class ImportBatchViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ImportBatch.objects.all()
    serializer_class = serializers.ImportBatchSerializer
    filterset_class = filtersets.ImportBatchFilterSet
    select_related = ("started_by",)
    ordering_fields = ["created_at", "entity", "status"]
    ordering = ["-created_at"]
