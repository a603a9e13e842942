"""Viewsets of the staff API: read-only and scoped (a station's staff see their station's staff)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import viewsets

from gridcheck.core.scoping import scope_queryset
from gridcheck.users.api import serializers
from gridcheck.users.filtersets import QualificationFilterSet, UserFilterSet
from gridcheck.users.models import Qualification, User


class QualificationAPIFilterSet(QualificationFilterSet):
    """The staff pages' qualification filters, plus the holder and a validity date."""

    valid_on = django_filters.DateFilter(label=_("valid on"), method="filter_valid_on")

    class Meta(QualificationFilterSet.Meta):
        fields = ["user", "level", "station"]

    def filter_valid_on(self, queryset, name: str, value):
        return queryset.filter(issued_on__lte=value, expires_on__gte=value)


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Staff (人员): list and detail, with each one's qualifications."""

    queryset = User.objects.all()
    serializer_class = serializers.UserSerializer
    filterset_class = UserFilterSet
    ordering_fields = ["username", "full_name", "role", "employee_number"]
    ordering = ["username"]

    def get_queryset(self):
        queryset = super().get_queryset().select_related("station").prefetch_related("qualifications")
        return scope_queryset(queryset, self.request.user)


class QualificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Inspection qualifications (用电检查证) of the staff in scope."""

    queryset = Qualification.objects.all()
    serializer_class = serializers.QualificationSerializer
    filterset_class = QualificationAPIFilterSet
    ordering_fields = ["expires_on", "issued_on", "certificate_number"]
    ordering = ["user__username", "-expires_on"]

    def get_queryset(self):
        return scope_queryset(super().get_queryset().select_related("user"), self.request.user)
