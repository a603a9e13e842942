"""The reports API, mounted at /api/reports/ (``view_reports`` for everything, scoped to the user's
stations):

- ``GET reports/``: the generated reports (filters ``station``, ``kind``); ``GET reports/{id}/``;
- ``GET reports/{id}/download/{pdf|xlsx}/``: the file, as an attachment;
- ``GET reports/centre/?station=<id>``: each report kind's current period, due day, status and report;
- ``POST reports/generate/`` ``{"kind", "station", "period"}``: generate or regenerate; a period whose
  data is not analysed is a 400 with the reason (nothing is written).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.core.permissions import RolePermission
from gridcheck.core.roles import VIEW_REPORTS
from gridcheck.core.uploads import upload_response
from gridcheck.reports import selectors, services
from gridcheck.reports.api import serializers as s
from gridcheck.reports.kinds import KINDS
from gridcheck.reports.models import GeneratedReport
from gridcheck.reports.views import CONTENT_TYPES


class GeneratedReportViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = GeneratedReport.objects.order_by("-period_start", "kind", "station_id")
    serializer_class = s.GeneratedReportSerializer
    permission_classes = [RolePermission]
    required_capability = VIEW_REPORTS
    select_related = ("station", "generated_by")

    def get_queryset(self):
        queryset = super().get_queryset()
        station = self.request.query_params.get("station", "")
        if station.isdigit() and len(station) < 12:
            queryset = queryset.filter(station_id=int(station))
        kind = self.request.query_params.get("kind", "")
        if kind:
            queryset = queryset.filter(kind=kind)
        return queryset

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"download/(?P<fmt>pdf|xlsx)")
    def download(self, request, pk=None, fmt="pdf"):
        report = self.get_object()
        field_file = report.pdf if fmt == "pdf" else report.xlsx
        kind = KINDS[report.kind]
        name = f"{report.station.name}{kind.title_cn}-{kind.period_key(report.period_start)}.{fmt}"
        return upload_response(field_file, content_type=CONTENT_TYPES[fmt], download_name=name)

    def _station(self, value):
        value = str(value or "")
        stations = selectors.report_stations(self.request.user)
        if not value:
            station = stations.first()
            if station is None:
                raise Http404
            return station
        if not value.isdigit() or len(value) > 11:
            raise Http404
        return get_object_or_404(stations, pk=int(value))

    @extend_schema(
        parameters=[OpenApiParameter("station", int, required=False)],
        responses=s.CentreRowSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)  # one row per report kind, never paged
    def centre(self, request):
        station = self._station(request.query_params.get("station"))
        rows = selectors.report_centre(user=request.user, station=station, today=timezone.localdate())
        return Response(s.CentreRowSerializer(rows, many=True).data)

    @extend_schema(request=s.GenerateSerializer, responses={201: s.GeneratedReportSerializer})
    @action(detail=False, methods=["post"])
    def generate(self, request):
        data = s.GenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        station = self._station(data.validated_data["station"])
        kind = KINDS[data.validated_data["kind"]]
        try:
            period = kind.period_parse(data.validated_data["period"])
            report = services.report_generate(kind=kind, station=station, period=period, user=request.user)
        except DjangoValidationError as error:
            raise ValidationError({"detail": error.messages}) from None
        return Response(s.GeneratedReportSerializer(report).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("reports", GeneratedReportViewSet, basename="reports-report")
