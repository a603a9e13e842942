"""Line-loss API: results (read-only, scoped), runs (start one with POST), targets."""

import datetime as dt

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from gridcheck.archive.models import Area, Station
from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.core.periods import MIN_YEAR, last_complete_month
from gridcheck.core.roles import MANAGE_LOSS_TARGETS, RECORD_LOSS_ANALYSIS, RUN_COUNTY
from gridcheck.core.scoping import scope_queryset
from gridcheck.lineloss import filtersets, services
from gridcheck.lineloss import loss_management as lm
from gridcheck.lineloss.api import serializers
from gridcheck.lineloss.models import (
    AnalysisRun,
    AreaMonthLoss,
    LineLossTarget,
    LineMonthLoss,
    LossAnalysis,
    LossTarget,
    RectificationPlan,
    StationLossIndicator,
    TheoreticalLoss,
)


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


def _service(call, **kwargs):
    """A loss-management service; its refusals become 403 / 400 with the service's (Chinese) message."""
    try:
        return call(**kwargs)
    except DjangoPermissionDenied as error:
        raise ApiPermissionDenied(str(error) or None) from None
    except ValidationError as error:
        raise ApiValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        ) from None


def _scoped_or_400(model, user, pk, field):
    obj = scope_queryset(model.objects.all(), user).filter(pk=pk).first()
    if obj is None:
        raise ApiValidationError({field: [_("Not found in your scope.")]})
    return obj


class LossTargetViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Loss targets; ``POST {"area", "month", "max_loss_rate_percent"}`` sets one area's target of a month
    (``manage_loss_targets``; a closed month is refused)."""

    queryset = LossTarget.objects.all()
    serializer_class = serializers.LossTargetSerializer
    filterset_class = filtersets.LossTargetFilterSet

    @property
    def required_capability(self):
        return MANAGE_LOSS_TARGETS if self.request.method == "POST" else None

    @extend_schema(
        request=serializers.LossTargetWriteSerializer, responses={201: serializers.LossTargetSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = serializers.LossTargetWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        area = _scoped_or_400(Area, request.user, v["area"], "area")
        target = _service(
            lm.area_target_set,
            area=area,
            month=v["month"],
            max_loss_rate_percent=v["max_loss_rate_percent"],
            note=v["note"],
            actor=request.user,
        )
        return Response(serializers.LossTargetSerializer(target).data, status=status.HTTP_201_CREATED)


class StationLossIndicatorViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Station indicators; ``POST {"station", "month", "max_loss_rate_percent"}`` sets one and decomposes it
    into the month's area and line targets (``manage_loss_targets``)."""

    queryset = StationLossIndicator.objects.order_by("-month", "station_id")
    serializer_class = serializers.StationLossIndicatorSerializer
    filterset_class = filtersets.StationLossIndicatorFilterSet
    select_related = ("station",)

    @property
    def required_capability(self):
        return MANAGE_LOSS_TARGETS if self.request.method == "POST" else None

    @extend_schema(
        request=serializers.IndicatorWriteSerializer,
        responses={201: serializers.StationLossIndicatorSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = serializers.IndicatorWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        station = _scoped_or_400(Station, request.user, v["station"], "station")
        indicator = _service(
            lm.station_indicator_set,
            station=station,
            month=v["month"],
            max_loss_rate_percent=v["max_loss_rate_percent"],
            note=v["note"],
            actor=request.user,
        )
        return Response(
            serializers.StationLossIndicatorSerializer(indicator).data, status=status.HTTP_201_CREATED
        )


class LineLossTargetViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = LineLossTarget.objects.order_by("-month", "line_id")
    serializer_class = serializers.LineLossTargetSerializer


class LossAnalysisViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Analyses of flagged areas; ``POST`` records one (``record_loss_analysis``; an area manager only for
    their own areas)."""

    queryset = LossAnalysis.objects.order_by("-month", "area_id")
    serializer_class = serializers.LossAnalysisSerializer
    filterset_class = filtersets.LossAnalysisFilterSet
    select_related = ("area",)

    @property
    def required_capability(self):
        return RECORD_LOSS_ANALYSIS if self.request.method == "POST" else None

    @extend_schema(
        request=serializers.AnalysisWriteSerializer, responses={201: serializers.LossAnalysisSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = serializers.AnalysisWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        area = _scoped_or_400(Area, request.user, v.pop("area"), "area")
        analysis = _service(lm.analysis_record, area=area, actor=request.user, **v)
        return Response(serializers.LossAnalysisSerializer(analysis).data, status=status.HTTP_201_CREATED)


class RectificationPlanViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = RectificationPlan.objects.order_by("deadline", "pk")
    serializer_class = serializers.RectificationPlanSerializer
    filterset_class = filtersets.RectificationPlanFilterSet


class TheoreticalLossViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Theoretical losses; ``POST`` enters one (``loss_rate_percent``) or computes one (``resistance_ohm``
    and the optional parameters) (``manage_loss_targets``)."""

    queryset = TheoreticalLoss.objects.order_by("-calculated_on", "area_id")
    serializer_class = serializers.TheoreticalLossSerializer
    filterset_class = filtersets.TheoreticalLossFilterSet
    select_related = ("area",)

    @property
    def required_capability(self):
        return MANAGE_LOSS_TARGETS if self.request.method == "POST" else None

    @extend_schema(
        request=serializers.TheoreticalWriteSerializer, responses={201: serializers.TheoreticalLossSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = serializers.TheoreticalWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        area = _scoped_or_400(Area, request.user, v.pop("area"), "area")
        if v.get("loss_rate_percent") is not None:
            obj = _service(
                lm.theoretical_loss_enter,
                area=area,
                loss_rate_percent=v["loss_rate_percent"],
                calculated_on=v.get("calculated_on"),
                note=v["note"],
                actor=request.user,
            )
        else:
            v.pop("loss_rate_percent", None)
            obj = _service(lm.theoretical_loss_compute, area=area, actor=request.user, **v)
        return Response(serializers.TheoreticalLossSerializer(obj).data, status=status.HTTP_201_CREATED)
