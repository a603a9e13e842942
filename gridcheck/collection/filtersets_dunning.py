"""Filters of the dunning and disconnection lists."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Station
from gridcheck.collection.choices import DisconnectionStatus, DunningChannel, DunningStatus
from gridcheck.collection.models import Disconnection, DunningNotice

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Search(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(customer__account_number__startswith=value)
            | Q(customer__name__icontains=value)
        )


class DunningNoticeFilterSet(_Search):
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))
    channel = django_filters.ChoiceFilter(choices=DunningChannel.choices, label=_("channel"))
    status = django_filters.ChoiceFilter(choices=DunningStatus.choices, label=_("status"))
    issued_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("issued from"), widget=DATE
    )
    issued_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("issued until"), widget=DATE
    )
    customer = django_filters.NumberFilter(field_name="customer_id")

    class Meta:
        model = DunningNotice
        fields = ["station", "area", "channel", "status"]


class DisconnectionFilterSet(_Search):
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.all(), label=_("station"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("transformer area"))
    status = django_filters.ChoiceFilter(choices=DisconnectionStatus.choices, label=_("status"))
    needs_county = django_filters.BooleanFilter(label=_("needs county approval"))

    class Meta:
        model = Disconnection
        fields = ["station", "area", "status", "needs_county"]
