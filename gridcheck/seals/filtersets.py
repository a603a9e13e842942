"""Filters of the seal and pliers lists (and their API)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Station
from gridcheck.seals.choices import SealStatus
from gridcheck.seals.models import Pliers, Seal


class SealFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    status = django_filters.ChoiceFilter(choices=SealStatus.choices, label=_("status"))

    class Meta:
        model = Seal
        fields = ["station", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(number__startswith=value) if value else queryset


class PliersFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))

    class Meta:
        model = Pliers
        fields = ["station"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(code__startswith=value) if value else queryset
