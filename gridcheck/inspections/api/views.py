"""Viewsets of the inspections API, mounted at /api/inspections/.

Reading: whoever may read inspections (``view_inspections``, the rule of the pages), within their scope.
Writing: ``POST work-orders/`` (``work_order_create``) for field staff and ``POST work-orders/{id}/assign/``
for dispatchers; nothing else is writable here.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from gridcheck.archive.models import Customer
from gridcheck.core.access import may_open
from gridcheck.core.scoping import scope_queryset
from gridcheck.inspections import selectors, services
from gridcheck.inspections.api import serializers
from gridcheck.inspections.filtersets import TipOffFilterSet, WorkOrderFilterSet
from gridcheck.inspections.models import InspectionPlan, TipOff, Visit
from gridcheck.users.models import User


class InspectionAccess(BasePermission):
    """Reading: the app's read capability (``may_open``, the rule of the pages); writing: field work."""

    def has_permission(self, request, view) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is None or not may_open(request.user, match):
            return False
        if request.method in SAFE_METHODS:
            return True
        return selectors.can_do_field_work(request.user)


def _drf_error(error: DjangoValidationError):
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages})


class WorkOrderViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.WorkOrderSerializer
    permission_classes = [InspectionAccess]
    filterset_class = WorkOrderFilterSet

    def get_queryset(self):
        return selectors.work_orders_for(self.request.user).prefetch_related("events__actor")

    @extend_schema(request=serializers.WorkOrderCreateSerializer, responses=serializers.WorkOrderSerializer)
    def create(self, request, *args, **kwargs):
        data = serializers.WorkOrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = (
            scope_queryset(Customer.objects.all(), request.user)
            .filter(pk=data.validated_data["customer"])
            .first()
        )
        if customer is None:
            raise ValidationError({"customer": ["Not found."]})
        try:
            order = services.work_order_create(
                source=data.validated_data["source"],
                customer=customer,
                reason=data.validated_data["reason"],
                due_on=data.validated_data.get("due_on"),
                created_by=request.user,
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return Response(self.get_serializer(order).data, status=201)

    @extend_schema(request=serializers.AssignSerializer, responses=serializers.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign two or more qualified inspectors of the station for a visit date."""
        order = self.get_object()
        if not selectors.can_dispatch(request.user):
            raise PermissionDenied
        data = serializers.AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspectors = list(User.objects.filter(pk__in=data.validated_data["inspectors"]))
        try:
            order = services.work_order_assign(
                work_order=order,
                inspectors=inspectors,
                visit_date=data.validated_data["visit_date"],
                assigned_by=request.user,
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        return Response(self.get_serializer(order).data)


class VisitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.VisitSerializer
    permission_classes = [InspectionAccess]

    def get_queryset(self):
        return scope_queryset(Visit.objects.all(), self.request.user)


class InspectionPlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.InspectionPlanSerializer
    permission_classes = [InspectionAccess]

    def get_queryset(self):
        return scope_queryset(InspectionPlan.objects.all(), self.request.user)


class TipOffViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.TipOffSerializer
    permission_classes = [InspectionAccess]
    filterset_class = TipOffFilterSet

    def get_queryset(self):
        return scope_queryset(TipOff.objects.all(), self.request.user)
