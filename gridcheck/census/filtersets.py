"""Filters of the census lists: campaigns, discrepancies."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Station
from gridcheck.census.choices import CampaignStatus, DiscrepancyKind, DiscrepancyStatus, Resolution
from gridcheck.census.models import CensusCampaign, Discrepancy


class CampaignFilterSet(django_filters.FilterSet):
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices, label=_("status"))
    year = django_filters.NumberFilter(label=_("year"))

    class Meta:
        model = CensusCampaign
        fields = ["station", "status", "year"]


class DiscrepancyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    campaign = django_filters.ModelChoiceFilter(queryset=CensusCampaign.objects.all(), label=_("campaign"))
    kind = django_filters.ChoiceFilter(choices=DiscrepancyKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=DiscrepancyStatus.choices, label=_("status"))
    resolution = django_filters.ChoiceFilter(choices=Resolution.choices, label=_("resolution"))
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))

    class Meta:
        model = Discrepancy
        fields = ["q", "campaign", "kind", "status", "resolution", "station", "area"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(customer__account_number__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(summary__icontains=value)
        )
