"""Viewsets of the metering ledger API, mounted at /api/metering/.

- ``GET assets/`` (filters as the ledger page), ``GET assets/{id}/``, ``GET assets/due/?days=N&overdue=1``:
  scoped to the user (``view_metering``);
- ``GET meter-changes/``, ``GET meter-changes/{id}/``; ``POST meter-changes/`` records a change through
  ``services.meter_change`` (``manage_metering``): a refusal is a 400 (or 403) with the service's message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.core.permissions import RolePermission
from gridcheck.core.roles import MANAGE_METERING, VIEW_METERING
from gridcheck.core.scoping import scope_queryset, scoped
from gridcheck.metering import selectors, services
from gridcheck.metering.api import serializers as s
from gridcheck.metering.filtersets import AssetFilterSet
from gridcheck.metering.models import Asset, MeterChange
from gridcheck.seals.models import Seal
from gridcheck.users.models import User


class MeteringAccess(RolePermission):
    """Reading: ``view_metering``; writing: ``manage_metering`` (the services check the scope)."""

    def has_permission(self, request, view) -> bool:
        view.required_capability = (
            VIEW_METERING if request.method in ("GET", "HEAD", "OPTIONS") else MANAGE_METERING
        )
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


class AssetViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Asset.objects.all()
    serializer_class = s.AssetSerializer
    permission_classes = [MeteringAccess]
    filterset_class = AssetFilterSet
    select_related = selectors.LEDGER_RELATED
    ordering = ["kind", "asset_number"]

    @extend_schema(
        summary="Assets due for verification / rotation (overdue first)",
        parameters=[
            OpenApiParameter("days", int, description="due within this many days (at most 3650)"),
            OpenApiParameter("overdue", str, enum=["1", "true"], description="overdue only"),
        ],
        responses=s.AssetSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def due(self, request):
        days = request.query_params.get("days", "")
        queryset = selectors.assets_due(
            request.user,
            within_days=min(int(days), 3650) if days.isdigit() else None,
            overdue_only=request.query_params.get("overdue") in ("1", "true"),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class MeterChangeViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = MeterChange.objects.all()
    serializer_class = s.MeterChangeSerializer
    permission_classes = [MeteringAccess]
    select_related = ("old_asset", "new_asset")
    prefetch_related = ("seals_removed", "seals_used")

    @extend_schema(request=s.MeterChangeCreateSerializer, responses={201: s.MeterChangeSerializer})
    def create(self, request, *args, **kwargs):
        data = s.MeterChangeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        assets = scope_queryset(Asset.objects.filter(kind="meter"), user)
        old = assets.filter(asset_number=values["old_asset_number"]).first()
        new = assets.filter(asset_number=values["new_asset_number"]).first()
        if old is None or new is None:
            raise ValidationError({"detail": ["No such meter asset in your scope."]})
        second = scoped(User, user).filter(pk=values["second_person"], is_active=True).first()
        seals = scoped(Seal, user)
        removed = list(seals.filter(number__in=values["seals_removed"]))
        used = list(seals.filter(number__in=values["seals_used"]))
        if len(removed) != len(set(values["seals_removed"])) or len(used) != len(set(values["seals_used"])):
            raise ValidationError({"detail": ["Unknown seals."]})
        change = _service(
            services.meter_change,
            user=user,
            old_asset=old,
            new_asset=new,
            changed_on=values["changed_on"],
            reason=values["reason"],
            old_registers=dict(values["old_registers"]),
            new_registers=dict(values["new_registers"]),
            second_person=second,
            seals_removed=removed,
            seals_used=used,
            note=values["note"],
        )
        return Response(s.MeterChangeSerializer(change).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("assets", AssetViewSet, basename="metering-asset")
    router.register("meter-changes", MeterChangeViewSet, basename="metering-change")
