"""Detection API: suspects and runs, read-only and scoped."""

from rest_framework import viewsets

from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.detection import filtersets, selectors
from gridcheck.detection.api import serializers
from gridcheck.detection.models import DetectionRun, Suspect


class SuspectViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Suspects of theft or metering faults with their reasons, most suspect first."""

    queryset = Suspect.objects.order_by("-month", "-score", "pk")
    serializer_class = serializers.SuspectSerializer
    filterset_class = filtersets.SuspectFilterSet
    select_related = ("customer", "area", "station")
    ordering_fields = ["month", "score", "rank_in_area", "rank_in_station"]

    def get_queryset(self):
        return selectors.with_context(super().get_queryset())


class DetectionRunViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Runs of the monthly theft detection, with the model version that scored each."""

    queryset = DetectionRun.objects.all()
    serializer_class = serializers.DetectionRunSerializer
    filterset_class = filtersets.DetectionRunFilterSet
