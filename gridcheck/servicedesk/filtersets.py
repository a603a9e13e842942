"""Filters of the service desk's list pages: the publicity campaigns."""

import django_filters
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Station
from gridcheck.servicedesk.choices import CampaignKind, CampaignStatus
from gridcheck.servicedesk.models import PublicityCampaign


class PublicityCampaignFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    kind = django_filters.ChoiceFilter(choices=CampaignKind.choices, label=_("kind of activity"))
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices, label=_("status"))
    held_from = django_filters.DateFilter(field_name="held_at", lookup_expr="date__gte", label=_("from"))
    held_to = django_filters.DateFilter(field_name="held_at", lookup_expr="date__lte", label=_("to"))

    class Meta:
        model = PublicityCampaign
        fields = ["station", "kind", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(place__icontains=value) if value else queryset
