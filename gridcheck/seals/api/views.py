"""Viewsets of the seals API, mounted at /api/inspections/ beside the inspections API (read-only)."""

from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission

from gridcheck.core.roles import VIEW, has_capability
from gridcheck.core.scoping import scope_queryset
from gridcheck.seals import selectors
from gridcheck.seals.api import serializers
from gridcheck.seals.filtersets import SealFilterSet
from gridcheck.seals.models import Seal


class SealAccess(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not has_capability(request.user, VIEW):
            return False
        if request.method in SAFE_METHODS:
            return True
        return selectors.can_do_field_work(request.user)


class SealViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.SealSerializer
    permission_classes = [SealAccess]
    filterset_class = SealFilterSet

    def get_queryset(self):
        return scope_queryset(Seal.objects.all(), self.request.user)
