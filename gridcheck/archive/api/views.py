"""Viewsets of the archive API: the same scoping, filters and permissions as the archive pages.

Every queryset goes through ``scope_queryset`` (a station's staff see their station, an area manager
their areas); reading needs the ``view`` capability and writing ``change`` (``RolePermission``, the
DRF default), so the government liaison is read-only.
"""

from rest_framework import mixins, viewsets

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
from gridcheck.core.api import HistoryMixin, ScopedViewSetMixin, SortKeyPaginationMixin


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
