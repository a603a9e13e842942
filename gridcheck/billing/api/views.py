"""Viewsets of the billing API, mounted at /api/billing/.

Reading: whoever may read billing (``view_billing``, the rule of the pages), within their scope (a
station's staff see their station, an area manager their areas). Writing: ``POST readings/`` enters a
meter's reading through ``services.reading_enter``, for the book's reader or billing staff of its station;
the service's refusal (a register going backwards, a meter outside the book) is a 400 with its message.
Nothing else is writable here: bills are computed by the bill run and changed by checks and approvals.
"""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from gridcheck.archive.models import Area, Customer, Meter, Station
from gridcheck.billing import services
from gridcheck.billing.api import serializers
from gridcheck.billing.choices import BillStatus, ChangeStatus, CycleStatus, ReadingSource
from gridcheck.billing.models import (
    Bill,
    BillAdjustment,
    CategoryChange,
    MeterReading,
    ReadingBook,
    ReadingCycle,
)
from gridcheck.core.api import HistoryMixin, ScopedViewSetMixin, SortKeyPaginationMixin
from gridcheck.core.permissions import RolePermission
from gridcheck.core.roles import PREPARE_BILLS, READ_METERS, has_capability
from gridcheck.core.scoping import scope_queryset


def _drf_error(error: DjangoValidationError):
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages})


class ReadingAccess(RolePermission):
    """Reading: the app's read capability; entering a reading: a reader or billing staff."""

    def has_permission(self, request, view) -> bool:
        match = getattr(request, "resolver_match", None)
        if request.method in SAFE_METHODS:
            return super().has_permission(request, view)
        from gridcheck.core.access import may_open

        if match is not None and not may_open(request.user, match):
            return False
        return has_capability(request.user, READ_METERS) or has_capability(request.user, PREPARE_BILLS)


# ------------------------------------------------------------------------------------------- filters
class BillFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    period = django_filters.DateFilter(label=_("billing month"), method="filter_period")
    status = django_filters.ChoiceFilter(choices=BillStatus.choices, label=_("status"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all(), label=_("customer"))
    cycle = django_filters.ModelChoiceFilter(queryset=ReadingCycle.objects.all(), label=_("reading cycle"))
    flagged = django_filters.BooleanFilter(label=_("on the review list"), method="filter_flagged")

    class Meta:
        model = Bill
        fields = ["period", "status", "station", "area", "customer", "cycle"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(number__startswith=value) | queryset.filter(
            customer__account_number__startswith=value
        )

    def filter_period(self, queryset, name, value):
        return queryset.filter(period=value.replace(day=1))

    def filter_flagged(self, queryset, name, value):
        return queryset.exclude(review_flags=[]) if value else queryset.filter(review_flags=[])


class CycleFilterSet(django_filters.FilterSet):
    period = django_filters.DateFilter(label=_("billing month"), method="filter_period")
    status = django_filters.ChoiceFilter(choices=CycleStatus.choices, label=_("status"))
    book = django_filters.ModelChoiceFilter(queryset=ReadingBook.objects.all(), label=_("reading book"))

    class Meta:
        model = ReadingCycle
        fields = ["period", "status", "book", "station"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period=value.replace(day=1))


class ReadingFilterSet(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(queryset=ReadingCycle.objects.all(), label=_("reading cycle"))
    meter = django_filters.ModelChoiceFilter(queryset=Meter.objects.all(), label=_("meter"))
    source = django_filters.ChoiceFilter(choices=ReadingSource.choices, label=_("source"))

    class Meta:
        model = MeterReading
        fields = ["cycle", "meter", "source", "area"]


class ChangeFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ChangeStatus.choices, label=_("status"))


class AdjustmentFilterSet(ChangeFilterSet):
    class Meta:
        model = BillAdjustment
        fields = ["status", "kind", "bill"]


class CategoryChangeFilterSet(ChangeFilterSet):
    class Meta:
        model = CategoryChange
        fields = ["status", "customer"]


# ------------------------------------------------------------------------------------------ viewsets
class BillViewSet(SortKeyPaginationMixin, ScopedViewSetMixin, HistoryMixin, viewsets.ReadOnlyModelViewSet):
    """Bills, newest month first; the detail carries the itemised calculation and the state changes."""

    page_key = "number"
    queryset = Bill.objects.all()
    filterset_class = BillFilterSet
    select_related = ("customer", "area")
    ordering_fields = ["number", "period", "total_yuan", "energy_kwh", "status"]
    ordering = ["-period", "number"]

    def get_serializer_class(self):
        return serializers.BillSerializer if self.action == "retrieve" else serializers.BillListSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "retrieve":
            queryset = queryset.defer("inputs", "calculation")
        return queryset


class ReadingBookViewSet(ScopedViewSetMixin, HistoryMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ReadingBook.objects.all()
    serializer_class = serializers.ReadingBookSerializer
    filterset_fields = ["station", "reader"]
    select_related = ("reader",)
    prefetch_related = ("areas",)
    ordering_fields = ["code", "reading_day"]
    ordering = ["code"]


class ReadingCycleViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ReadingCycle.objects.all()
    serializer_class = serializers.ReadingCycleSerializer
    filterset_class = CycleFilterSet
    select_related = ("book",)
    ordering_fields = ["period", "reading_date"]
    ordering = ["-period", "book__code"]


class MeterReadingViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Readings of the cycles; ``POST`` enters (or corrects) one meter's reading of an open cycle."""

    queryset = MeterReading.objects.all()
    serializer_class = serializers.MeterReadingSerializer
    permission_classes = [ReadingAccess]
    filterset_class = ReadingFilterSet
    select_related = ("meter", "customer")
    ordering_fields = ["read_on", "id"]
    ordering = ["-read_on", "id"]

    @extend_schema(
        request=serializers.MeterReadingCreateSerializer, responses={201: serializers.MeterReadingSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = serializers.MeterReadingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        cycle = scope_queryset(ReadingCycle.objects.all(), request.user).filter(pk=values["cycle"]).first()
        if cycle is None:
            raise ValidationError({"cycle": [_("No such reading cycle in your station or areas.")]})
        meter = scope_queryset(Meter.objects.all(), request.user).filter(pk=values["meter"]).first()
        if meter is None:
            raise ValidationError({"meter": [_("No such meter in your station or areas.")]})
        registers = {
            name: values.get(name)
            for name in ("total", "peak", "flat", "valley", "reactive")
            if values.get(name) is not None
        }
        try:
            reading = services.reading_enter(
                user=request.user,
                cycle=cycle,
                meter=meter,
                source=values["source"],
                multiplier_read=values.get("multiplier_read"),
                **registers,
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from None
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return Response(serializers.MeterReadingSerializer(reading).data, status=201)


class BillAdjustmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = BillAdjustment.objects.all()
    serializer_class = serializers.BillAdjustmentSerializer
    filterset_class = AdjustmentFilterSet
    select_related = ("bill",)
    ordering_fields = ["created_at", "amount_yuan"]
    ordering = ["-created_at", "-id"]


class CategoryChangeViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = CategoryChange.objects.all()
    serializer_class = serializers.CategoryChangeSerializer
    filterset_class = CategoryChangeFilterSet
    select_related = ("customer",)
    ordering_fields = ["created_at", "effective_on"]
    ordering = ["-created_at", "-id"]
