"""Filters of the cash lists: receipt stock and bank deposits."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Station
from gridcheck.collection.choices import RemittanceStatus, StockKind, StockStatus
from gridcheck.collection.models import BankDeposit, ReceiptStock

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StockFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    kind = django_filters.ChoiceFilter(choices=StockKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=StockStatus.choices, label=_("status"))

    class Meta:
        model = ReceiptStock
        fields = ["station", "kind", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.isdigit() and len(value) <= 9:
            number = int(value)
            return queryset.filter(first_number__lte=number, last_number__gte=number)
        return queryset.filter(series__iexact=value) | queryset.filter(holder__username__iexact=value)


class DepositFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    status = django_filters.ChoiceFilter(choices=RemittanceStatus.choices, label=_("status"))
    collection_day_from = django_filters.DateFilter(
        field_name="collection_day", lookup_expr="gte", label=_("collection day from"), widget=DATE
    )
    collection_day_to = django_filters.DateFilter(
        field_name="collection_day", lookup_expr="lte", label=_("collection day to"), widget=DATE
    )

    class Meta:
        model = BankDeposit
        fields = ["station", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(slip_number__startswith=value) | queryset.filter(
            collector__username__iexact=value
        )
