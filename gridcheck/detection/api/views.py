"""Detection API: suspects and runs, read-only and scoped."""

from django.db.models import F
from rest_framework import viewsets

from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.detection import filtersets, selectors
from gridcheck.detection.api import serializers
from gridcheck.detection.models import DetectionRun, Suspect


class SuspectViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Suspects of theft or metering faults with their reasons: the month's inspection list first, by
    expected recoverable yuan (calibrated probability x estimated amount), then by score."""

    queryset = Suspect.objects.order_by("-month", F("expected_yuan").desc(nulls_last=True), "-score", "pk")
    serializer_class = serializers.SuspectSerializer
    filterset_class = filtersets.SuspectFilterSet
    select_related = ("customer", "area", "station")
    ordering_fields = [
        "month",
        "score",
        "rank_in_area",
        "rank_in_station",
        "probability",
        "expected_yuan",
        "priority",
    ]

    def get_queryset(self):
        return selectors.with_context(super().get_queryset())


class DetectionRunViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Runs of the monthly theft detection, with the model version that scored each."""

    queryset = DetectionRun.objects.all()
    serializer_class = serializers.DetectionRunSerializer
    filterset_class = filtersets.DetectionRunFilterSet
