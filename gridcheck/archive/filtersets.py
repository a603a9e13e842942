"""Filters shared by the list pages, their XLSX exports and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcheck.archive import choices
from gridcheck.archive.models import Area, Customer, ImportBatch, Line, Meter, MeteringPoint, Station, Tariff


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a free-text ``q`` over ``search_fields`` (prefix match on codes, contains on names)."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    search_fields: tuple[str, ...] = ()

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{field: value})
        return queryset.filter(condition)


class StationFilterSet(SearchFilterSet):
    search_fields = ("code__istartswith", "name__icontains")

    class Meta:
        model = Station
        fields = ["company"]


class LineFilterSet(SearchFilterSet):
    search_fields = ("code__istartswith", "name__icontains")

    class Meta:
        model = Line
        fields = ["station"]


class AreaFilterSet(SearchFilterSet):
    search_fields = ("code__istartswith", "name__icontains")

    class Meta:
        model = Area
        fields = ["station", "line", "owner"]


class CustomerFilterSet(SearchFilterSet):
    """Search by account number (户号) prefix, name, or meter asset number."""

    search_fields = ("account_number__startswith", "name__icontains")
    category = django_filters.ChoiceFilter(
        choices=choices.CustomerCategory.choices, label=_("customer category")
    )
    inspection_class = django_filters.ChoiceFilter(
        choices=choices.InspectionClass.choices, label=_("inspection class")
    )
    status = django_filters.ChoiceFilter(choices=choices.CustomerStatus.choices, label=_("status"))

    class Meta:
        model = Customer
        fields = [
            "station",
            "area",
            "category",
            "voltage_level",
            "inspection_class",
            "is_high_risk",
            "is_important",
            "status",
        ]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        by_meter = Meter.objects.filter(asset_number=value).values("metering_point__customer_id")
        return queryset.filter(
            Q(account_number__startswith=value) | Q(name__icontains=value) | Q(pk__in=by_meter)
        )


class MeteringPointFilterSet(SearchFilterSet):
    search_fields = ("code__istartswith", "customer__account_number__startswith", "customer__name__icontains")
    station = django_filters.NumberFilter(field_name="customer__station", label=_("station"))
    area = django_filters.NumberFilter(field_name="customer__area", label=_("transformer area"))

    class Meta:
        model = MeteringPoint
        fields = ["customer"]


class MeterFilterSet(SearchFilterSet):
    search_fields = ("asset_number__startswith", "metering_point__customer__account_number__startswith")
    station = django_filters.NumberFilter(field_name="metering_point__customer__station", label=_("station"))
    area = django_filters.NumberFilter(
        field_name="metering_point__customer__area", label=_("transformer area")
    )

    class Meta:
        model = Meter
        fields = ["phase", "status", "metering_point"]


class TariffFilterSet(SearchFilterSet):
    search_fields = ("code__istartswith", "name__icontains")

    class Meta:
        model = Tariff
        fields = ["category"]


class ImportBatchFilterSet(django_filters.FilterSet):
    class Meta:
        model = ImportBatch
        fields = ["entity", "status"]
