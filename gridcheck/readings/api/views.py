"""Meter-data API: import batches and reading rates (read-only, scoped)."""

from rest_framework import viewsets

from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.readings import filtersets
from gridcheck.readings.api import serializers
from gridcheck.readings.models import MeterDataImport, ReadingRate


class MeterDataImportViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = MeterDataImport.objects.all()
    serializer_class = serializers.MeterDataImportSerializer
    filterset_class = filtersets.MeterDataImportFilterSet


class ReadingRateViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ReadingRate.objects.order_by("reading_date", "area_id")
    serializer_class = serializers.ReadingRateSerializer
    filterset_class = filtersets.ReadingRateFilterSet
    select_related = ("area",)
