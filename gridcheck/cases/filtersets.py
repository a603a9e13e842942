"""Filters of the case list (and its API)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Station
from gridcheck.cases.choices import CaseKind, CaseStatus
from gridcheck.cases.models import Case


class CaseFilterSet(django_filters.FilterSet):
    """Filter cases by station, status, kind and the police flag; search by number or customer."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("status"))
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices, label=_("kind"))
    police_referral = django_filters.BooleanFilter(label=_("flagged for the police"))

    class Meta:
        model = Case
        fields = ["station", "status", "kind", "police_referral"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(customer__account_number__startswith=value)
            | Q(customer__name__icontains=value)
        )
