"""Filters of the contract register and of the customers without a contract."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.choices import CustomerCategory
from gridcheck.archive.models import Customer, Station
from gridcheck.contracts import selectors
from gridcheck.contracts.choices import ContractKind, ContractStatus
from gridcheck.contracts.models import Contract


class ContractFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices, label=_("status"))
    kind = django_filters.ChoiceFilter(choices=ContractKind.choices, label=_("kind"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.order_by("code"), label=_("station"))
    expiring_days = django_filters.NumberFilter(
        method="filter_expiring", label=_("expiring within [days]"), min_value=0, max_value=3650
    )

    class Meta:
        model = Contract
        fields = ["q", "status", "kind", "station", "expiring_days"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(customer__account_number__icontains=value)
            | Q(customer__name__icontains=value)
        )

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        return selectors.contracts_expiring(on=timezone.localdate(), days=int(value), queryset=queryset)


class MissingContractFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.order_by("code"), label=_("station"))
    category = django_filters.ChoiceFilter(
        choices=[c for c in CustomerCategory.choices if c[0] != CustomerCategory.RESIDENTIAL],
        label=_("customer category"),
    )

    class Meta:
        model = Customer
        fields = ["q", "station", "category"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(account_number__icontains=value) | Q(name__icontains=value))
