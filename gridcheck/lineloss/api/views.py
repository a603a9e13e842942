"""Line-loss API: results (read-only, scoped), runs (start one with POST), targets."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.core.periods import MIN_YEAR, last_complete_month
from gridcheck.core.roles import RUN_COUNTY
from gridcheck.lineloss import filtersets, services
from gridcheck.lineloss.api import serializers
from gridcheck.lineloss.models import AnalysisRun, AreaMonthLoss, LineMonthLoss, LossTarget


class AreaMonthLossViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = AreaMonthLoss.objects.order_by("-month", "area_id")
    serializer_class = serializers.AreaMonthLossSerializer
    filterset_class = filtersets.AreaMonthLossFilterSet
    select_related = ("area", "line", "station")
    ordering_fields = ["month", "loss_rate_percent", "loss_kwh"]


class LineMonthLossViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = LineMonthLoss.objects.order_by("-month", "line_id")
    serializer_class = serializers.LineMonthLossSerializer
    filterset_class = filtersets.LineMonthLossFilterSet
    select_related = ("line",)


class AnalysisRunViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Runs of the monthly analysis; ``POST {"month": "2026-10-01"}`` queues one (needs ``run_county``:
    a county-level station head or administrator; only a month that has ended)."""

    queryset = AnalysisRun.objects.all()

    @property
    def required_capability(self):
        return RUN_COUNTY if self.request.method == "POST" else None

    serializer_class = serializers.AnalysisRunSerializer
    filterset_class = filtersets.AnalysisRunFilterSet

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        month = serializer.validated_data["month"]
        if not (dt.date(MIN_YEAR, 1, 1) <= month <= last_complete_month()):
            raise ApiValidationError({"month": [_("Only months that have ended can be analysed.")]})
        try:
            run = services.analysis_run_start(
                month=serializer.validated_data["month"],
                started_by=request.user,
                backend=serializer.validated_data.get("backend", "duckdb"),
            )
        except ValidationError as exc:
            raise ApiValidationError(exc.messages) from None
        return Response(self.get_serializer(run).data, status=status.HTTP_201_CREATED)


class LossTargetViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = LossTarget.objects.all()
    serializer_class = serializers.LossTargetSerializer
    filterset_class = filtersets.LossTargetFilterSet
