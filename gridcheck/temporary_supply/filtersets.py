"""Filters of the temporary-supply ledger and the unauthorised connections."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Station
from gridcheck.temporary_supply.choices import ConnectedBy, Ledger, MeteringMode, SupplyStatus
from gridcheck.temporary_supply.models import TemporarySupply, UnauthorisedConnection
from gridcheck.temporary_supply.selectors import ledger_filter

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TemporarySupplyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    ledger = django_filters.ChoiceFilter(choices=Ledger.choices, label=_("ledger"), method="filter_ledger")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))
    status = django_filters.ChoiceFilter(choices=SupplyStatus.choices, label=_("status"))
    metering_mode = django_filters.ChoiceFilter(choices=MeteringMode.choices, label=_("metering"))
    end_from = django_filters.DateFilter(
        field_name="end_on", lookup_expr="gte", label=_("ends from"), widget=DATE
    )
    end_to = django_filters.DateFilter(
        field_name="end_on", lookup_expr="lte", label=_("ends until"), widget=DATE
    )

    class Meta:
        model = TemporarySupply
        fields = ["ledger", "station", "area", "status", "metering_mode"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(applicant_name__icontains=value)
            | Q(customer__account_number__startswith=value)
            | Q(address__icontains=value)
        )

    def filter_ledger(self, queryset, name, value):
        return ledger_filter(queryset, value) if value else queryset


class UnauthorisedConnectionFilterSet(django_filters.FilterSet):
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))
    connected_by = django_filters.ChoiceFilter(choices=ConnectedBy.choices, label=_("connected by"))
    found_from = django_filters.DateFilter(
        field_name="found_on", lookup_expr="gte", label=_("found from"), widget=DATE
    )
    found_to = django_filters.DateFilter(
        field_name="found_on", lookup_expr="lte", label=_("found until"), widget=DATE
    )
    pk = django_filters.NumberFilter(field_name="pk")

    class Meta:
        model = UnauthorisedConnection
        fields = ["station", "area", "connected_by"]
