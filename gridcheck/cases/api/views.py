"""Viewsets of the cases API, mounted at /api/cases/: read-only, within the user's scope."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from gridcheck.cases import selectors
from gridcheck.cases.api import serializers
from gridcheck.cases.filtersets import CaseFilterSet
from gridcheck.cases.views import visible_labels
from gridcheck.core.permissions import RolePermission


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.CaseSerializer
    permission_classes = [RolePermission]
    filterset_class = CaseFilterSet
    ordering_fields = ["case_date", "total_due_yuan", "status"]

    def get_queryset(self):
        return selectors.cases_for(self.request.user).prefetch_related(
            "events__actor", "approvals__approver", "payments"
        )


class CaseLabelsView(APIView):
    """Detection labels from the closed cases in the user's scope (1 theft, 0 inspected, no theft)."""

    permission_classes = [RolePermission]

    @extend_schema(responses=serializers.CaseLabelSerializer(many=True))
    def get(self, request):
        rows = [
            {"account_number": a, "meter_asset_numbers": m, "label": label, "case_date": d}
            for a, m, label, d in visible_labels(request.user)
        ]
        return Response(serializers.CaseLabelSerializer(rows, many=True).data)
