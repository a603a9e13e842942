"""Viewsets of the assessment API, mounted at /api/assessment/.

Reading needs ``view_assessment``: scorecards as ``selectors.scorecards_visible`` (heads and county staff
their scope, everyone else their own); KPI definitions to everyone who reads. Writing goes through the
services: ``POST kpis/`` (``manage_assessment``, a new version; an unknown figure is a 400),
``POST scorecards/{id}/adjust/`` (``manage_assessment``, never on one's own card),
``POST adjustments/{id}/decide/`` (``approve_station``, never the person scored nor the proposer),
``POST scorecards/{id}/sign/`` (``approve_station``). A refusal is a 403 (rights) or a 400 (state, input).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from gridcheck.assessment import selectors, services
from gridcheck.assessment.api import serializers as s
from gridcheck.assessment.models import Adjustment, KpiDefinition
from gridcheck.core.permissions import RolePermission
from gridcheck.core.roles import APPROVE_STATION, MANAGE_ASSESSMENT, VIEW_ASSESSMENT
from gridcheck.core.scoping import scoped


class AssessmentAccess(RolePermission):
    def has_permission(self, request, view) -> bool:
        view.required_capability = VIEW_ASSESSMENT
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            view.required_capability = getattr(view, "write_capability", MANAGE_ASSESSMENT)
        return super().has_permission(request, view)


def _service(call, **kwargs):
    try:
        return call(**kwargs)
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error) or None) from None
    except DjangoValidationError as error:
        raise ValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        ) from None


class ScorecardViewSet(viewsets.ReadOnlyModelViewSet):
    """Scorecards one may read, with their lines; filter ``?month=YYYY-MM&station=&subject=``."""

    serializer_class = s.ScorecardSerializer
    permission_classes = [AssessmentAccess]
    write_capability = MANAGE_ASSESSMENT

    def get_queryset(self):
        qs = (
            selectors.scorecards_visible(self.request.user)
            .select_related("person", "station", "signed_by")
            .prefetch_related("lines__kpi")
            .order_by("-month", "station_id", "subject", "rank", "pk")
        )
        params = self.request.query_params
        if params.get("month"):
            from gridcheck.core.periods import PeriodError, month_parse

            try:
                qs = qs.filter(month=month_parse(params["month"]))
            except PeriodError as error:
                raise ValidationError({"month": [str(error)]}) from None
        if params.get("station", "").isdigit():
            qs = qs.filter(station_id=int(params["station"]))
        if params.get("subject"):
            qs = qs.filter(subject=params["subject"])
        return qs

    @extend_schema(request=s.AdjustmentProposeSerializer, responses=s.AdjustmentSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        card = self.get_object()
        body = s.AdjustmentProposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        adjustment = _service(
            services.adjustment_propose, scorecard=card, by=request.user, **body.validated_data
        )
        return Response(s.AdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ScorecardSerializer)
    @action(detail=True, methods=["post"], write_capability=APPROVE_STATION)
    def sign(self, request, pk=None):
        card = _service(services.scorecard_sign, scorecard=self.get_object(), by=request.user)
        return Response(s.ScorecardSerializer(card).data)


class AdjustmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Adjustments of the scorecards one may read; ``?status=proposed`` for those awaiting approval."""

    serializer_class = s.AdjustmentSerializer
    permission_classes = [AssessmentAccess]
    write_capability = APPROVE_STATION

    def get_queryset(self):
        qs = Adjustment.objects.filter(
            scorecard__in=selectors.scorecards_visible(self.request.user)
        ).select_related("proposed_by", "decided_by")
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        return qs.order_by("-created_at", "-pk")

    @extend_schema(request=s.DecideSerializer, responses=s.AdjustmentSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        adjustment = self.get_object()
        if not scoped(Adjustment, request.user).filter(pk=adjustment.pk).exists():
            raise PermissionDenied()
        body = s.DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = _service(
            services.adjustment_decide,
            adjustment=adjustment,
            by=request.user,
            approve=body.validated_data["approve"],
            note=body.validated_data.get("note", ""),
        )
        return Response(s.AdjustmentSerializer(done).data)


class KpiViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Every version of every KPI; ``POST`` adds a version (the formula checked against the figures)."""

    queryset = KpiDefinition.objects.order_by("code", "-version")
    serializer_class = s.KpiSerializer
    permission_classes = [AssessmentAccess]
    write_capability = MANAGE_ASSESSMENT

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = _service(
            services.kpi_define,
            by=self.request.user,
            code=data.pop("code"),
            reason=data.pop("reason"),
            effective_from=data.pop("effective_from"),
            **data,
        )


def register(router) -> None:
    router.register("scorecards", ScorecardViewSet, basename="assessment-scorecard")
    router.register("adjustments", AdjustmentViewSet, basename="assessment-adjustment")
    router.register("kpis", KpiViewSet, basename="assessment-kpi")
